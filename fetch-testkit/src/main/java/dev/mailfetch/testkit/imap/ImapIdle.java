package dev.mailfetch.testkit.imap;

import java.io.IOException;
import java.net.Socket;
import java.util.Locale;

/**
 * One IDLE (RFC 2177): {@code +}, then new mail reported as {@code * n EXISTS} as soon as it is
 * stored, until the client's DONE; or the server ends it (the time set by {@link
 * FakeImapServer.Builder#dropIdleAfter}, I08, a test's {@link ImapSourceSide#dropIdleSessions}, or
 * the session's inactivity time). Registered in the server's settings while it lasts.
 */
final class ImapIdle {
  /** How often the session looks for new mail and for a drop while it waits for DONE. */
  private static final int POLL_MILLIS = 20;

  private final ImapSettings settings;
  private final Socket socket;
  private final ImapCommandReader reader;
  private final ImapOutput out;
  private final ImapRecordedSession rec;
  private final ImapSelected selected;
  private volatile int dropRequested; // 0 none, 1 silent, 2 with BYE

  ImapIdle(
      ImapSettings settings,
      Socket socket,
      ImapCommandReader reader,
      ImapOutput out,
      ImapRecordedSession rec,
      ImapSelected selected) {
    this.settings = settings;
    this.socket = socket;
    this.reader = reader;
    this.out = out;
    this.rec = rec;
    this.selected = selected;
  }

  /** Asks the session to end its IDLE by closing; false if it had ended already. */
  boolean drop(boolean bye) {
    dropRequested = bye ? 2 : 1;
    return settings.idling.contains(this);
  }

  void run(String tag) throws IOException {
    out.line("+ idling");
    long start = System.nanoTime();
    long dropAt =
        settings.dropIdleAfter == null ? Long.MAX_VALUE : start + settings.dropIdleAfter.toNanos();
    long timeoutAt = start + settings.idleTimeout.toNanos();
    settings.idling.add(this);
    try {
      while (true) {
        if (reader.awaitInput(socket, POLL_MILLIS)) {
          String line = reader.readSaslLine();
          if (line == null) {
            throw new ImapOutput.SessionEnded("client left during IDLE");
          }
          // Out of the idling set before answering: a test that read the answer must not see
          // this session still counted as idling.
          settings.idling.remove(this);
          if (line.strip().toUpperCase(Locale.ROOT).equals("DONE")) {
            out.line(tag + " OK IDLE terminated");
          } else {
            out.line(tag + " BAD Expected DONE");
          }
          return;
        }
        if (selected != null) {
          selected.noop();
        }
        long now = System.nanoTime();
        if (dropRequested != 0 || now >= dropAt) {
          boolean bye =
              dropRequested == 2 || (dropRequested == 0 && settings.has(ImapQuirk.I08_IDLE_BYE));
          end(bye ? "* BYE Session expired, please login again." : null, "IDLE dropped");
        }
        if (now >= timeoutAt) {
          end(
              settings.has(ImapQuirk.I13_BYE_AUTOLOGOUT)
                  ? "* BYE Autologout; idle for too long"
                  : null,
              "idle timeout in IDLE");
        }
      }
    } finally {
      settings.idling.remove(this);
    }
  }

  private void end(String bye, String why) throws IOException {
    settings.idling.remove(this);
    rec.endedBy(why);
    if (bye != null) {
      out.line(bye);
    }
    out.end(why);
  }
}
