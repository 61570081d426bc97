package dev.mailfetch.testkit;

import java.util.Locale;

/**
 * One command line a client sent to a {@link FakePop3Server}, as received (without its line end).
 *
 * @param line the command line, bytes read as ISO-8859-1 (so every byte shows as one char)
 * @param overTls whether it arrived inside TLS
 * @param pipelined whether it had (at least partly) arrived before the server began its answer to
 *     the command before it: the client did not wait for that answer. Set {@code replyDelay} on the
 *     server to make this independent of timing.
 */
public record RecordedCommand(String line, boolean overTls, boolean pipelined) {
  /** The command word, upper case ({@code RETR}). */
  public String verb() {
    int sp = line.indexOf(' ');
    return (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
  }

  /** What follows the command word and one space, or "" if nothing does. */
  public String argument() {
    int sp = line.indexOf(' ');
    return sp < 0 ? "" : line.substring(sp + 1);
  }
}
