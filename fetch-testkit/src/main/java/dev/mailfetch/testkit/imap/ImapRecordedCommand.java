package dev.mailfetch.testkit.imap;

import java.util.List;
import java.util.Locale;

/**
 * One command a client sent to a {@link FakeImapServer}, as received.
 *
 * <p>{@link #line()} holds everything, secrets included, for a test to assert on; {@link
 * #toString()} hides the password of LOGIN and the SASL data of AUTHENTICATE, so that a failing
 * test's report does not print them. A client's SASL response lines (after a {@code +}
 * continuation) are recorded as commands with an empty tag and verb.
 *
 * @param tag the tag ({@code A001}); empty for a SASL response line
 * @param verb the command, upper case, with {@code UID} joined to the next word ({@code APPEND},
 *     {@code UID SEARCH}); empty for a SASL response line
 * @param line the command's text (bytes read as ISO-8859-1), the lines of a command with literals
 *     joined; a literal's content is not in it, its announcement ({@code {310}}) is
 * @param literalSizes the size of each literal the command carried, in order
 * @param overTls whether it arrived inside TLS
 * @param pipelined whether it had (at least partly) arrived before the server began answering the
 *     command before it
 */
public record ImapRecordedCommand(
    String tag,
    String verb,
    String line,
    List<Long> literalSizes,
    boolean overTls,
    boolean pipelined) {
  /** Copies the list. */
  public ImapRecordedCommand {
    literalSizes = List.copyOf(literalSizes);
  }

  /** What follows the tag and verb, or "". */
  public String arguments() {
    String prefix = tag + " " + verb;
    return line.length() > prefix.length()
            && line.substring(0, prefix.length()).equalsIgnoreCase(prefix)
        ? line.substring(prefix.length()).strip()
        : "";
  }

  /** The line with secrets hidden. */
  @Override
  public String toString() {
    String v = verb.toUpperCase(Locale.ROOT);
    if (tag.isEmpty()) {
      return "(SASL response hidden)";
    }
    if (v.equals("LOGIN")) {
      String[] words = line.split(" ", 4);
      return words.length >= 3 ? words[0] + " " + words[1] + " " + words[2] + " ***" : line;
    }
    if (v.equals("AUTHENTICATE")) {
      String[] words = line.split(" ", 4);
      return words.length > 3 ? words[0] + " " + words[1] + " " + words[2] + " ***" : line;
    }
    return line;
  }
}
