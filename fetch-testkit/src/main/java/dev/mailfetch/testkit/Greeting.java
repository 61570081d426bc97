package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q06_HUGE_STATUS_LINE;
import static dev.mailfetch.testkit.Quirk.Q06_LONG_STATUS_LINE;
import static dev.mailfetch.testkit.Quirk.Q16_GREETING_JUNK;
import static dev.mailfetch.testkit.Quirk.Q18_APOP_FALSE_TIMESTAMP;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The server's greeting (RFC 1939 §4): its text, the APOP timestamp in it (§7), and what quirks
 * make of it (Q06, Q16, Q18). A scripted greeting ({@link FakePop3Server.Builder#rawGreeting}) and
 * the endless one ({@link Fault#endlessGreeting}) take its place in {@link Conversation}.
 */
final class Greeting {
  private Greeting() {}

  /**
   * A fresh APOP timestamp ({@code <pid.clock@host>}) if this server offers APOP, else null. A Q18
   * server's greeting holds a false one, which it never accepts.
   */
  static String apopTimestamp(FakePop3Server.Settings s) {
    if (s.quirks.contains(Q18_APOP_FALSE_TIMESTAMP) || !s.apopTimestamp) {
      return null;
    }
    return "<" + ProcessHandle.current().pid() + "." + System.nanoTime() + "@fake.invalid>";
  }

  /**
   * The greeting's lines, each sent on its own.
   *
   * @param apopTimestamp what {@link #apopTimestamp} gave
   */
  static List<String> lines(
      String greeting, Set<Quirk> quirks, Dialect dialect, String apopTimestamp) {
    String text = greeting;
    if (quirks.contains(Q18_APOP_FALSE_TIMESTAMP)) {
      text = "E.Novation POP3 server ready <a.b.c>";
    } else if (apopTimestamp != null) {
      text = text + " " + apopTimestamp;
    }
    if (quirks.contains(Q06_HUGE_STATUS_LINE)) {
      text = text + " " + "x".repeat(1 << 20);
    } else if (quirks.contains(Q06_LONG_STATUS_LINE)) {
      text = text + " " + "x".repeat(10 * 1024);
    }
    List<String> lines = new ArrayList<>();
    lines.add(dialect.ok(text));
    if (quirks.contains(Q16_GREETING_JUNK)) {
      lines.add("This server welcomes you; read the notice below");
      lines.add("");
      lines.add(dialect.ok("second greeting line"));
    }
    return lines;
  }
}
