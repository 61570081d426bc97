package dev.mailfetch.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * The label names Gmail would refuse, found when the command reads its options (--label,
 * --label-rule, a config file's lines, doctor's --label) rather than at the first message: names
 * like Gmail's system labels Trash, Spam, Sent, Draft and Chat (any case), which the import sink
 * refuses, and names Gmail's labels.create refuses: an empty part between slashes ({@code a//b}), a
 * slash at the start or end ({@code Work/}).
 */
final class GmailLabelNames {
  private GmailLabelNames() {}

  /**
   * Gmail's system labels a user label may not be named like (the import sink refuses them alike).
   */
  static final Set<String> SYSTEM = Set.of("TRASH", "SPAM", "SENT", "DRAFT", "CHAT");

  /**
   * What is wrong with {@code label} as a Gmail label, in words naming what to type; null when
   * nothing.
   */
  static String problem(String label) {
    String t = label.strip();
    if (t.isEmpty()) {
      return "a label needs a name";
    }
    if (SYSTEM.contains(t.toUpperCase(Locale.ROOT))) {
      return "\""
          + t
          + "\" is Gmail's own "
          + t.toUpperCase(Locale.ROOT)
          + " label, which imported mail cannot be"
          + " filed under (Trash, Spam, Sent, Draft and Chat are Gmail's system labels, in any case): choose a"
          + " label of your own, for example \"Fetched/"
          + t
          + "\"; to keep mail out of the inbox, give --archive";
    }
    String[] parts = t.split("/", -1);
    if (Arrays.stream(parts).anyMatch(String::isBlank)) {
      String fixed =
          String.join(
              "/", Arrays.stream(parts).filter(x -> !x.isBlank()).map(String::strip).toList());
      return "Gmail refuses a label with an empty part between slashes, or a slash at its start or end (a slash"
          + " nests labels: Parent/Child)"
          + (fixed.isEmpty() ? "" : ": write \"" + fixed + "\"");
    }
    return null;
  }

  /** The label a {@code HEADER~REGEX=LABEL} rule files under, or null when it has none. */
  static String ofRule(String rule) {
    int eq = rule.lastIndexOf('=');
    return eq < 0 ? null : rule.substring(eq + 1);
  }
}
