package dev.mailfetch.api;

import java.util.Set;

/**
 * Where a message is filed: under these labels, and in the inbox or not.
 *
 * @param labels the labels, each 1 to 200 characters without control characters
 * @param archived true to keep the message out of the inbox (Gmail's "skip the inbox")
 */
public record LabelDecision(Set<String> labels, boolean archived) {
  /**
   * The label of a message its provider filed as junk (spam), as a source gives it ({@link
   * SourceLabels}): the Gmail sink files such a message in Spam, an IMAP sink in the folder with
   * the special use {@code \Junk}, a local sink in a folder named {@code Junk}. The backslash keeps
   * it apart from any folder or label a person names.
   */
  public static final String JUNK = "\\Junk";

  /** No labels, in the inbox. */
  public static final LabelDecision INBOX = new LabelDecision(Set.of(), false);

  /**
   * Checks every label and keeps a copy of the set.
   *
   * @param labels the labels, each 1 to 200 characters without control characters
   * @param archived true to keep the message out of the inbox (Gmail's "skip the inbox")
   * @throws NullPointerException if {@code labels} (or one of the labels) is null
   * @throws IllegalArgumentException if a label is empty, longer than 200 characters or holds a
   *     control character
   */
  public LabelDecision {
    labels = Set.copyOf(labels);
    for (String label : labels) {
      checkLabel(label);
    }
  }

  static void checkLabel(String label) {
    if (label.isEmpty() || label.length() > 200) {
      throw new IllegalArgumentException("a label has 1 to 200 characters: \"" + label + "\"");
    }
    for (int i = 0; i < label.length(); i++) {
      if (Character.isISOControl(label.charAt(i))) {
        throw new IllegalArgumentException(
            "a label must not contain control characters: " + FetchException.escape(label));
      }
    }
  }
}
