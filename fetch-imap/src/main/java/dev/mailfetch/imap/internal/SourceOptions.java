package dev.mailfetch.imap.internal;

import dev.mailfetch.imap.ImapDeletion;
import dev.mailfetch.imap.ImapFolders;
import java.util.Objects;

/**
 * What an {@code ImapSource} asks of its sessions beyond the connection's settings.
 *
 * @param deletion what the engine's deletion means on this server
 * @param markSeen whether fetching marks {@code \Seen} ({@code BODY[]} in a folder opened with
 *     {@code SELECT}) rather than leaving the flags alone ({@code BODY.PEEK[]}, {@code EXAMINE})
 * @param folders which folders a session fetches from ({@link FolderPlan} decides, once logged in)
 * @param maxCommandsInFlight the limits' bound on commands in flight
 */
public record SourceOptions(
    ImapDeletion deletion, boolean markSeen, ImapFolders folders, int maxCommandsInFlight) {
  public SourceOptions {
    Objects.requireNonNull(deletion, "deletion");
    Objects.requireNonNull(folders, "folders");
  }
}
