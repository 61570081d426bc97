package dev.mailfetch.imap.internal;

import dev.mailfetch.imap.ImapDeletion;
import java.util.Objects;

/**
 * What an {@code ImapSource} asks of its sessions beyond the connection's settings.
 *
 * @param deletion what the engine's deletion means on this server
 * @param markSeen whether fetching marks {@code \Seen} ({@code BODY[]} in a folder opened with
 *     {@code SELECT}) rather than leaving the flags alone ({@code BODY.PEEK[]}, {@code EXAMINE})
 */
public record SourceOptions(ImapDeletion deletion, boolean markSeen) {
  public SourceOptions {
    Objects.requireNonNull(deletion, "deletion");
  }
}
