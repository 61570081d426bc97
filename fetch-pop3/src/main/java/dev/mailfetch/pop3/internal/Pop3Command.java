package dev.mailfetch.pop3.internal;

import java.nio.charset.StandardCharsets;

/**
 * One command line as it goes out: its bytes (CRLF included, encoded once) and what the protocol
 * trace and error texts show of it, where a secret is already redacted. Built by {@link
 * Pop3Commands}, so that no call site can show a password by forgetting to hide it.
 */
final class Pop3Command {
  private final byte[] bytes;
  private final String shown;

  private Pop3Command(String line, String shown) {
    this.bytes = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
    this.shown = shown;
  }

  /** A command that carries no secret: shown as it is sent. */
  static Pop3Command plain(String line) {
    return new Pop3Command(line, line);
  }

  /** A command shown as {@code shown}: the line with its secret part replaced. */
  static Pop3Command redacted(String line, String shown) {
    return new Pop3Command(line, shown);
  }

  /** The same bytes, shown with {@code note} after the command (why it was sent). */
  Pop3Command noted(String note) {
    return new Pop3Command(this, shown + " (" + note + ")");
  }

  private Pop3Command(Pop3Command same, String shown) {
    this.bytes = same.bytes;
    this.shown = shown;
  }

  /** The line and its CRLF, as UTF-8; the caller must not change the array. */
  byte[] bytes() {
    return bytes;
  }

  /** What the trace shows: never a secret. */
  String shown() {
    return shown;
  }

  /** The first word of what is shown ("RETR", "PASS"), as error texts name a command. */
  String verb() {
    int sp = shown.indexOf(' ');
    return sp < 0 ? shown : shown.substring(0, sp);
  }

  /** As shown: a command in a log line or a list never gives a secret away. */
  @Override
  public String toString() {
    return shown;
  }
}
