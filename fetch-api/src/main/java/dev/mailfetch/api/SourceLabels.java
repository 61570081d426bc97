package dev.mailfetch.api;

/**
 * Where a source found each message, as labels: an IMAP source gives a message the name of the
 * folder it came from, the labels Gmail's IMAP lists for it ({@code X-GM-LABELS}), or {@link
 * LabelDecision#JUNK} when the provider filed it as junk. The engine adds these to what the {@link
 * LabelPolicy} decides (the union of the labels; archived when either says so), so a sink files the
 * message as the source had it.
 *
 * <p>An optional ability of a session ({@link FetchSession#sourceLabels()}): a POP3 mailbox has no
 * folders and offers none.
 */
@FunctionalInterface
public interface SourceLabels {
  /**
   * The labels of a listed message, and archived when the source did not find it in the inbox.
   *
   * <p><b>Deadline:</b> none needed: known since the listing, answered at once.
   *
   * @param ref a message of this session's listing
   * @return its labels; {@link LabelDecision#INBOX} for a message the source knows nothing about
   */
  LabelDecision labelsOf(MessageRef ref);
}
