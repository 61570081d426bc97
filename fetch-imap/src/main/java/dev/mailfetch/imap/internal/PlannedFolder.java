package dev.mailfetch.imap.internal;

import dev.mailfetch.api.LabelDecision;
import java.util.Objects;
import java.util.Optional;

/**
 * One folder a source fetches from, as {@link FolderPlan} found it.
 *
 * @param name the folder's name, decoded (what a mail program shows, and what {@link ImapCommands}
 *     takes: it encodes it for the wire)
 * @param wire the name as the server sent it in LIST (modified UTF-7, or UTF-8 with UTF8=ACCEPT)
 * @param labels where the messages of this folder are filed: its label (archived), none for INBOX
 *     (in the inbox), {@link LabelDecision#JUNK} (archived) for the Junk folder; for Gmail's All
 *     Mail the labels come per message ({@link #gmail()}) and this is {@link LabelDecision#INBOX}
 * @param junk whether this is the Junk folder (special use {@code \Junk} or a known name)
 * @param allMail whether this is Gmail's folder of all mail ({@code \All}): each message's labels
 *     from {@code X-GM-LABELS}, by {@link #gmail()}
 * @param gmail for {@code allMail}, how a message's Gmail labels become its labels and which
 *     messages are left out; empty otherwise
 */
public record PlannedFolder(
    String name,
    String wire,
    LabelDecision labels,
    boolean junk,
    boolean allMail,
    Optional<GmailLabels> gmail) {

  public PlannedFolder {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(wire, "wire");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(gmail, "gmail");
    if (allMail && gmail.isEmpty()) {
      gmail = Optional.of(GmailLabels.DEFAULT);
    }
  }

  /** The agreed shape: a folder with {@link GmailLabels#DEFAULT} where it is All Mail. */
  public PlannedFolder(
      String name, String wire, LabelDecision labels, boolean junk, boolean allMail) {
    this(name, wire, labels, junk, allMail, Optional.empty());
  }

  /** INBOX: no label, in the inbox. */
  public static PlannedFolder inbox() {
    return new PlannedFolder("INBOX", "INBOX", LabelDecision.INBOX, false, false);
  }
}
