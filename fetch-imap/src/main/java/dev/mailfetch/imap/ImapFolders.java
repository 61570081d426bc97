package dev.mailfetch.imap;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which folders an IMAP source fetches from, and how a folder becomes a label of the messages
 * fetched from it. Immutable; every factory and setting checks its arguments at once.
 *
 * <ul>
 *   <li>{@link #inbox()} (the default): INBOX only, on every server, Gmail's included (its INBOX is
 *       the messages with Gmail's {@code \Inbox} label).
 *   <li>{@link #named(String...)}: these folders, in this order; one that does not exist on the
 *       server stops the run before anything is fetched, with the names that do exist.
 *   <li>{@link #allExceptTrashSentDrafts()}: every folder that can hold mail except the trash, the
 *       sent mail and the drafts, found by their special use (RFC 6154) or, where the server marks
 *       none, by their usual names (docs/imap.md "Folders and labels" lists them). The Junk folder
 *       is included. On Gmail's IMAP this is {@link #gmailAllMail()} without sent mail.
 *   <li>{@link #gmailAllMail()}: on Gmail's IMAP ({@code X-GM-EXT-1}), the folder of all mail once,
 *       each message with its Gmail labels, and the Spam folder; drafts are left out.
 * </ul>
 *
 * <p>A folder's label: its name with the server's hierarchy delimiter made {@code /} ({@code
 * INBOX.Work.2026} → {@code Work/2026} under {@code INBOX.} namespaces, {@code Work/2026}
 * elsewhere), prefixed with {@link #labelPrefix(String)} where one is set. INBOX gives no label and
 * leaves the message in the inbox; any other folder's messages are archived (out of the inbox)
 * under its label, as they are out of the inbox on the server. {@link #asLabels(boolean) asLabels
 * (false)} gives no label at all and puts every message in the inbox. The Junk folder (special use
 * {@code \Junk}, or a known name such as {@code Junk}, {@code Spam}, {@code Junk E-mail}) always
 * gives {@link dev.mailfetch.api.LabelDecision#JUNK} and archived, whatever these settings say, so
 * that a Gmail sink files it in Spam and an IMAP sink in its Junk folder.
 */
public final class ImapFolders {
  /** The most folders {@link #named} takes. */
  public static final int MAX_NAMED = 1000;

  /** The longest folder name or label prefix taken, in characters. */
  public static final int MAX_NAME_LENGTH = 1000;

  /** Which set of folders. */
  public enum Choice {
    /** INBOX only. */
    INBOX,
    /** The folders named. */
    NAMED,
    /** All but Trash, Sent and Drafts (Junk included). */
    ALL_EXCEPT_TRASH_SENT_DRAFTS,
    /** Gmail's All Mail once, with labels, and Spam. */
    GMAIL_ALL_MAIL
  }

  private static final ImapFolders INBOX =
      new ImapFolders(Choice.INBOX, List.of("INBOX"), null, "");

  private final Choice choice;
  private final List<String> names;
  private final Boolean asLabels; // null: not set (true)
  private final String labelPrefix;

  private ImapFolders(Choice choice, List<String> names, Boolean asLabels, String labelPrefix) {
    this.choice = choice;
    this.names = List.copyOf(names);
    this.asLabels = asLabels;
    this.labelPrefix = labelPrefix;
  }

  /** INBOX only (the default): a single SELECT, no LIST. */
  public static ImapFolders inbox() {
    return INBOX;
  }

  /**
   * These folders, in this order. A name is the folder's name as a mail program shows it (not
   * modified UTF-7), with the server's hierarchy delimiter or with {@code /} in its place ({@code
   * Work/2026} finds {@code Work.2026} on a server whose delimiter is a dot). {@code INBOX} is
   * matched in any case.
   *
   * @throws IllegalArgumentException if none is given, one is empty, longer than {@value
   *     #MAX_NAME_LENGTH} characters, holds a control character or is given twice, or more than
   *     {@value #MAX_NAMED} are given
   * @throws NullPointerException if a name is null
   */
  public static ImapFolders named(String... folders) {
    Objects.requireNonNull(folders, "folders");
    return named(List.of(folders));
  }

  /**
   * These folders, in this order ({@link #named(String...)}).
   *
   * @throws IllegalArgumentException as {@link #named(String...)} says
   * @throws NullPointerException if the list or a name is null
   */
  public static ImapFolders named(List<String> folders) {
    Objects.requireNonNull(folders, "folders");
    if (folders.isEmpty()) {
      throw new IllegalArgumentException("named(...) needs at least one folder");
    }
    if (folders.size() > MAX_NAMED) {
      throw new IllegalArgumentException(
          "named(...) takes at most " + MAX_NAMED + " folders, not " + folders.size());
    }
    Set<String> seen = new LinkedHashSet<>();
    List<String> out = new ArrayList<>();
    for (String f : folders) {
      Objects.requireNonNull(f, "a folder name is null");
      checkText(f, "a folder name");
      String name = f.equalsIgnoreCase("INBOX") ? "INBOX" : f;
      if (!seen.add(name)) {
        throw new IllegalArgumentException("the folder \"" + name + "\" is named twice");
      }
      out.add(name);
    }
    return new ImapFolders(Choice.NAMED, out, null, "");
  }

  /**
   * Every folder that can hold mail but the trash, the sent mail and the drafts; Junk included (its
   * messages labelled {@link dev.mailfetch.api.LabelDecision#JUNK}). On Gmail's IMAP: All Mail once
   * with its labels, without sent mail and drafts, and Spam ({@link #gmailAllMail()}).
   */
  public static ImapFolders allExceptTrashSentDrafts() {
    return new ImapFolders(Choice.ALL_EXCEPT_TRASH_SENT_DRAFTS, List.of(), null, "");
  }

  /**
   * Gmail's IMAP only ({@code X-GM-EXT-1}): the folder of all mail (special use {@code \All},
   * whatever its name in the user's language) once, each message with its Gmail labels ({@code
   * X-GM-LABELS}), so that a message under three labels is fetched once; and Spam (which All Mail
   * does not hold) as junk. Drafts are left out; Trash is not fetched. On another server the run
   * stops before fetching, saying the server is not Gmail's.
   */
  public static ImapFolders gmailAllMail() {
    return new ImapFolders(Choice.GMAIL_ALL_MAIL, List.of(), null, "");
  }

  /**
   * Whether folders (and Gmail labels) become labels of the messages (default true). False: no
   * label, every message in the inbox, but Junk still junk.
   *
   * @throws IllegalStateException if it was already set, or false with a {@link #labelPrefix}
   */
  public ImapFolders asLabels(boolean on) {
    if (asLabels != null) {
      throw new IllegalStateException("asLabels was already set to " + asLabels);
    }
    if (!on && !labelPrefix.isEmpty()) {
      throw new IllegalStateException(
          "asLabels(false) contradicts labelPrefix(\"" + labelPrefix + "\"): no label to prefix");
    }
    return new ImapFolders(choice, names, on, labelPrefix);
  }

  /**
   * A prefix put before every folder's label ({@code "Old server/"} gives {@code Old server/Work});
   * none by default. INBOX still gives no label, Junk still {@link
   * dev.mailfetch.api.LabelDecision#JUNK}.
   *
   * @throws IllegalArgumentException if it is empty, too long or holds a control character
   * @throws IllegalStateException if a prefix was already set, or {@code asLabels(false)}
   */
  public ImapFolders labelPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!labelPrefix.isEmpty()) {
      throw new IllegalStateException("labelPrefix was already set to \"" + labelPrefix + "\"");
    }
    if (Boolean.FALSE.equals(asLabels)) {
      throw new IllegalStateException(
          "labelPrefix contradicts asLabels(false): no label to prefix");
    }
    checkText(prefix, "a label prefix");
    return new ImapFolders(choice, names, asLabels, prefix);
  }

  /** Which set of folders. */
  public Choice choice() {
    return choice;
  }

  /** The folders named ({@link Choice#NAMED}), {@code [INBOX]} for {@link #inbox()}, else empty. */
  public List<String> names() {
    return names;
  }

  /** Whether folders become labels. */
  public boolean asLabels() {
    return asLabels == null || asLabels;
  }

  /** The prefix of every folder's label; empty for none. */
  public String labelPrefix() {
    return labelPrefix;
  }

  private static void checkText(String s, String what) {
    if (s.isEmpty() || s.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          what + " has 1 to " + MAX_NAME_LENGTH + " characters, not " + s.length());
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        throw new IllegalArgumentException(
            what
                + " must not hold a control character (U+"
                + String.format(Locale.ROOT, "%04X", (int) s.charAt(i))
                + ")");
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImapFolders f
        && choice == f.choice
        && names.equals(f.names)
        && asLabels() == f.asLabels()
        && labelPrefix.equals(f.labelPrefix);
  }

  @Override
  public int hashCode() {
    return Objects.hash(choice, names, asLabels(), labelPrefix);
  }

  @Override
  public String toString() {
    String which =
        switch (choice) {
          case INBOX -> "inbox()";
          case NAMED -> "named(" + names + ")";
          case ALL_EXCEPT_TRASH_SENT_DRAFTS -> "allExceptTrashSentDrafts()";
          case GMAIL_ALL_MAIL -> "gmailAllMail()";
        };
    return "ImapFolders."
        + which
        + (asLabels() ? "" : ".asLabels(false)")
        + (labelPrefix.isEmpty() ? "" : ".labelPrefix(\"" + labelPrefix + "\")");
  }
}
