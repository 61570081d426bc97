package dev.mailfetch.imap.internal;

import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.imap.ImapFolders;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a message's Gmail labels ({@code X-GM-LABELS}, Gmail's IMAP extensions,
 * https://developers.google.com/gmail/imap/imap-extensions) say about where it is filed, for a
 * source that fetches Gmail's All Mail once instead of every label's folder:
 *
 * <ul>
 *   <li>{@code \Inbox}: in the inbox; without it the message is archived (it is out of Gmail's
 *       inbox too).
 *   <li>{@code \Spam} (never in All Mail, but in the Spam folder): {@link LabelDecision#JUNK},
 *       archived.
 *   <li>{@code \Starred}: the label {@code Starred} (a Gmail sink files it under Gmail's own
 *       STARRED, so the star carries over; another sink files it under a folder of that name).
 *   <li>{@code \Important}: dropped: it is Gmail's own guess, which the destination makes again,
 *       and would file most mail twice elsewhere.
 *   <li>{@code \Sent}: no label (Gmail refuses to apply SENT to an imported message); the message
 *       is archived unless it is also in the inbox.
 *   <li>{@code \Draft}, {@code \Trash}: the message is not fetched ({@link #leftOut}): a draft is
 *       saved again under a new UID at every edit, and trash is what the user threw away.
 *   <li>any other {@code \} label: dropped (Gmail's system labels have no meaning elsewhere).
 *   <li>a user label ({@code Work/2026}: Gmail nests with {@code /}): that label, with the source's
 *       {@link ImapFolders#labelPrefix} before it.
 * </ul>
 *
 * With {@link ImapFolders#asLabels(boolean) asLabels(false)}, every message is in the inbox without
 * labels, except junk. Immutable.
 */
public final class GmailLabels {
  /** Labels on, no prefix, sent mail fetched: what {@link #decide} uses. */
  public static final GmailLabels DEFAULT = new GmailLabels(true, "", false);

  private final boolean asLabels;
  private final String prefix;
  private final boolean leaveOutSent;

  private GmailLabels(boolean asLabels, String prefix, boolean leaveOutSent) {
    this.asLabels = asLabels;
    this.prefix = prefix;
    this.leaveOutSent = leaveOutSent;
  }

  /**
   * How {@code folders} turns Gmail labels into labels; {@link
   * ImapFolders#allExceptTrashSentDrafts()} also leaves sent mail out.
   */
  public static GmailLabels of(ImapFolders folders) {
    return new GmailLabels(
        folders.asLabels(),
        folders.labelPrefix(),
        folders.choice() == ImapFolders.Choice.ALL_EXCEPT_TRASH_SENT_DRAFTS);
  }

  /** {@link #labelsOf} with the defaults (labels on, no prefix). */
  public static LabelDecision decide(List<String> xGmLabels) {
    return DEFAULT.labelsOf(xGmLabels);
  }

  /**
   * Where a message with these Gmail labels is filed.
   *
   * @param xGmLabels the labels, decoded ({@link #fromWire}), Gmail's system labels with their
   *     {@code \}
   */
  public LabelDecision labelsOf(List<String> xGmLabels) {
    boolean inbox = false;
    Set<String> labels = new LinkedHashSet<>();
    for (String l : xGmLabels) {
      if (l == null || l.isEmpty()) {
        continue;
      }
      if (l.startsWith("\\")) {
        switch (l.toLowerCase(Locale.ROOT)) {
          case "\\spam", "\\junk" -> {
            return new LabelDecision(Set.of(LabelDecision.JUNK), true);
          }
          case "\\inbox" -> inbox = true;
          case "\\starred" -> labels.add(FolderLabels.label(prefix, "Starred"));
          default -> {
            // \Important, \Sent, \Draft and Gmail's other system labels: no label (see above)
          }
        }
      } else if (l.equalsIgnoreCase("INBOX")) {
        inbox = true; // some Gmail answers name the inbox without its backslash
      } else {
        labels.add(FolderLabels.label(prefix, l));
      }
    }
    if (!asLabels) {
      return LabelDecision.INBOX;
    }
    return new LabelDecision(labels, !inbox);
  }

  /**
   * Whether a message with these labels is not fetched at all: a draft, trash, and where the
   * folders leave sent mail out, a message Gmail labels {@code \Sent}.
   */
  public boolean leftOut(List<String> xGmLabels) {
    for (String l : xGmLabels) {
      if (l == null) {
        continue;
      }
      String low = l.toLowerCase(Locale.ROOT);
      if (low.equals("\\draft")
          || low.equals("\\drafts")
          || low.equals("\\trash")
          || (leaveOutSent && low.equals("\\sent"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The labels of an {@code X-GM-LABELS} FETCH item as {@link ImapLine#tokens()} gives its value (a
   * list of atoms and strings), decoded: modified UTF-7 (Gmail's encoding of label names), or UTF-8
   * as sent where the session enabled UTF8=ACCEPT. A name that is no valid modified UTF-7 is kept
   * as sent.
   */
  public static List<String> fromWire(Object value, boolean utf8) {
    List<String> out = new ArrayList<>();
    if (!(value instanceof List<?> items)) {
      return out;
    }
    for (Object o : items) {
      if (o instanceof String s && !s.isEmpty()) {
        out.add(decode(s, utf8));
      }
    }
    return out;
  }

  private static final Pattern SHIFTED = Pattern.compile("&[A-Za-z0-9+,]+-");

  private static String decode(String label, boolean utf8) {
    if (utf8 && SHIFTED.matcher(label).find()) {
      // Gmail encodes labels in modified UTF-7 even where UTF-8 was enabled for mailbox names.
      try {
        return ModifiedUtf7.decode(label);
      } catch (IllegalArgumentException e) {
        return label;
      }
    }
    return FolderNames.decode(label, utf8);
  }

  /**
   * The labels of a FETCH response's items ({@code UID 7 X-GM-LABELS (\\Inbox Work)}, the list
   * {@link ImapLine#tokens()} gives for {@code * 3 FETCH (...)}), decoded as {@link #fromWire}
   * says; empty where the response has no {@code X-GM-LABELS}.
   */
  public static Optional<List<String>> fromFetch(List<Object> items, boolean utf8) {
    for (int i = 0; i + 1 < items.size(); i++) {
      if (items.get(i) instanceof String key && key.equalsIgnoreCase("X-GM-LABELS")) {
        return Optional.of(fromWire(items.get(i + 1), utf8));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "GmailLabels[asLabels="
        + asLabels
        + (prefix.isEmpty() ? "" : ", prefix=" + prefix)
        + (leaveOutSent ? ", sent left out" : "")
        + "]";
  }
}
