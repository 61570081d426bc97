package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.spool.MessageSpool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction (RFC 5321 §3.3): MAIL FROM and every RCPT TO (sent together where the server
 * offers PIPELINING, RFC 2920), then the message with BDAT where it offers CHUNKING (RFC 3030: the
 * bytes as they are, no dot-stuffing) or DATA (dot-stuffed on the way out). Refusals before the
 * message are answered with RSET and thrown; what the server said after the message is returned,
 * one reply per recipient for LMTP (RFC 2033 §4.2), one for SMTP.
 */
final class MailTransaction {
  private MailTransaction() {}

  /** The replies after the message, each for the recipient at the same index. */
  record Answers(List<String> recipients, List<Reply> replies) {}

  static Answers send(
      SmtpSession session, String sender, List<String> recipients, MessageSpool spool)
      throws FetchException {
    Settings s = session.s;
    boolean utf8 =
        Addresses.needsUtf8(sender) || recipients.stream().anyMatch(Addresses::needsUtf8);
    if (utf8 && !session.offers("SMTPUTF8")) {
      throw SmtpSession.configuration(
          "the "
              + s.protocol()
              + " server "
              + s.server()
              + " does not offer SMTPUTF8, and an envelope address is not ASCII: "
              + (Addresses.needsUtf8(sender) ? sender : recipients));
    }
    long max = session.maxSize();
    if (max > 0 && spool.crlfSize() > max) {
      throw Failures.tooLarge(s, spool.crlfSize(), max);
    }
    StringBuilder mail = new StringBuilder("MAIL FROM:<").append(sender).append('>');
    if (spool.eightBit() && session.offers("8BITMIME")) {
      mail.append(" BODY=8BITMIME");
    }
    if (utf8) {
      mail.append(" SMTPUTF8");
    }
    if (session.offers("SIZE")) {
      mail.append(" SIZE=").append(spool.crlfSize());
    }
    boolean pipelined = session.offers("PIPELINING");
    List<Reply> replies = new ArrayList<>();
    session.command(mail.toString());
    if (!pipelined) {
      replies.add(session.read(s.limits().replyTimeout()));
    }
    for (String r : recipients) {
      if (!pipelined && !replies.get(0).positive()) {
        break;
      }
      session.command("RCPT TO:<" + r + ">");
      if (!pipelined) {
        replies.add(session.read(s.limits().replyTimeout()));
      }
    }
    if (pipelined) {
      for (int i = 0; i <= recipients.size(); i++) {
        replies.add(session.read(s.limits().replyTimeout()));
      }
    }
    refuseBeforeData(session, replies, recipients);
    boolean chunking = session.offers("CHUNKING");
    try {
      if (chunking) {
        session.command("BDAT " + spool.crlfSize() + " LAST");
        streamMessage(session, spool, false);
      } else {
        session.command("DATA");
        Reply go = session.read(s.limits().replyTimeout());
        if (go.code() != 354) {
          throw refusal(session, "DATA", go, true);
        }
        streamMessage(session, spool, true);
      }
    } catch (IOException e) {
      throw e instanceof FetchException f ? f : session.lost(e);
    }
    List<Reply> answers = new ArrayList<>();
    for (int i = 0; i < (s.lmtp() ? recipients.size() : 1); i++) {
      answers.add(session.read(s.limits().dataTimeout()));
    }
    if (!s.lmtp()) {
      List<Reply> one = new ArrayList<>();
      for (int i = 0; i < recipients.size(); i++) {
        one.add(answers.get(0));
      }
      answers = one;
    }
    return new Answers(recipients, answers);
  }

  private static void streamMessage(SmtpSession session, MessageSpool spool, boolean stuff)
      throws IOException {
    DotStuffingWriter w = new DotStuffingWriter(session.out(), stuff);
    spool.copyTo(w);
    w.finish();
  }

  private static void refuseBeforeData(
      SmtpSession session, List<Reply> replies, List<String> recipients) throws FetchException {
    Reply worst = null;
    String step = null;
    for (int i = 0; i < replies.size(); i++) {
      Reply r = replies.get(i);
      if (r.positive()) {
        continue;
      }
      String at = i == 0 ? "MAIL FROM" : "RCPT TO:<" + recipients.get(i - 1) + ">";
      if (r.code() == 421) {
        throw Failures.sessionLost(session.s, "ended the session at " + at, r, null);
      }
      if (worst == null || (r.transient4xx() && worst.permanent5xx())) {
        worst = r; // a temporary refusal wins: the message is tried again, none of it is lost
        step = at;
      }
    }
    if (worst != null) {
      throw refusal(session, step, worst, true);
    }
  }

  private static FetchException refusal(SmtpSession session, String step, Reply r, boolean reset)
      throws FetchException {
    if (r.code() == 421) {
      return Failures.sessionLost(session.s, "ended the session at " + step, r, null);
    }
    if (reset) {
      session.reset();
    }
    return r.transient4xx()
        ? Failures.deferred(session.s, step, r)
        : Failures.rejected(session.s, step, r);
  }
}
