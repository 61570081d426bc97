package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.FetchException;
import java.util.function.Consumer;

/**
 * What {@code LmtpSink.check} and {@code SmtpSink.check} do: a session that connects, secures,
 * greets, logs in and offers each recipient (RCPT without DATA, then RSET), each step reported to
 * {@code passed} as it passes, so that a doctor shows what worked before the step that failed.
 */
public final class RelayCheck {
  private RelayCheck() {}

  /**
   * Checks the server of {@code s}.
   *
   * @throws FetchException the typed error of the first step that failed
   */
  public static void check(Settings s, Consumer<String> passed) throws FetchException {
    try (SmtpSession ses = SmtpSession.open(s, passed)) {
      String sender = s.sender() != null ? s.sender() : "";
      ses.command("MAIL FROM:<" + sender + ">");
      Reply r = ses.read(s.limits().replyTimeout());
      if (!r.positive()) {
        throw r.transient4xx()
            ? Failures.deferred(s, "MAIL FROM", r)
            : Failures.rejected(s, "MAIL FROM", r);
      }
      passed.accept("the server takes mail from <" + sender + ">");
      for (String rcpt : s.recipients()) {
        ses.command("RCPT TO:<" + rcpt + ">");
        r = ses.read(s.limits().replyTimeout());
        if (!r.positive()) {
          String step = "RCPT TO:<" + rcpt + ">";
          throw r.transient4xx() ? Failures.deferred(s, step, r) : Failures.rejected(s, step, r);
        }
        passed.accept("the server takes mail for " + rcpt);
      }
      ses.reset();
    }
  }
}
