package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.imap.ImapDeletion;
import java.util.List;
import java.util.Objects;

/**
 * What an {@code ImapSource} asks of its sessions beyond the connection's settings.
 *
 * @param deletion what the engine's deletion means on this server
 * @param markSeen whether fetching marks {@code \Seen} ({@code BODY[]} in a folder opened with
 *     {@code SELECT}) rather than leaving the flags alone ({@code BODY.PEEK[]}, {@code EXAMINE})
 * @param plan which folders a session fetches from, decided once it is logged in
 * @param maxCommandsInFlight the limits' bound on commands in flight
 */
public record SourceOptions(
    ImapDeletion deletion, boolean markSeen, FolderChoice plan, int maxCommandsInFlight) {
  /** Which folders to fetch from, and their labels, asked of a logged-in session. */
  @FunctionalInterface
  public interface FolderChoice {
    List<SourceFolder> folders(ImapSession session) throws FetchException;
  }

  /** INBOX alone, its messages without a label. */
  public static final FolderChoice INBOX =
      session -> List.of(new SourceFolder("INBOX", LabelDecision.INBOX, false));

  public SourceOptions {
    Objects.requireNonNull(deletion, "deletion");
    Objects.requireNonNull(plan, "plan");
  }
}
