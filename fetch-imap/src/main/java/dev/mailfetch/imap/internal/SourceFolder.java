package dev.mailfetch.imap.internal;

import dev.mailfetch.api.LabelDecision;
import java.util.Optional;

/**
 * A folder the IMAP source fetches from, as the folder plan chose it, and what the server said of
 * it in this session: its STATUS (the cheap check of {@link SourceMarks}) and the {@code
 * UIDVALIDITY} its messages were listed under. Used by the session's one thread only.
 */
final class SourceFolder {
  /** Not known: the server did not say. */
  static final long UNKNOWN = -1;

  final String name;
  final LabelDecision labels;
  final boolean allMail;

  /** For Gmail's All Mail, how each message's {@code X-GM-LABELS} become its labels. */
  final Optional<GmailLabels> gmail;

  long statusValidity = UNKNOWN;
  long statusNext = UNKNOWN;
  long statusMessages = UNKNOWN;
  long statusSize = UNKNOWN;

  /** The UIDVALIDITY the listing's SELECT (or EXAMINE) gave; UNKNOWN before it listed. */
  long listedValidity = UNKNOWN;

  SourceFolder(PlannedFolder planned) {
    this.name = planned.name();
    this.labels = planned.labels();
    this.allMail = planned.allMail();
    this.gmail = planned.gmail();
  }

  /** The folder's messages' ids as the listing made them begin. */
  String listedPrefix() {
    return MessageUrl.mailboxPrefix(name, listedValidity);
  }

  @Override
  public String toString() {
    return name;
  }
}
