package dev.mailfetch.pop3.internal;

import static dev.mailfetch.pop3.internal.DoctorWords.apart;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.Sizes;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Symptom;
import dev.mailfetch.pop3.Tolerance;
import java.time.Duration;
import java.util.Locale;

/**
 * The doctor's mailbox stage: STAT, UIDL (tried even where CAPA does not list it, quirk Q20) and
 * LIST, read as the server sends them, and what they say together: counts and sizes that disagree,
 * no unique ids, how long the server keeps mail (EXPIRE, LOGIN-DELAY).
 */
final class MailboxStage {
  private final ExamContext ctx;

  MailboxStage(ExamContext ctx) {
    this.ctx = ctx;
  }

  /** The listings; null, with the finding, where the mailbox cannot be examined further. */
  MailboxListing run(Pop3Connection ses) throws FetchException {
    StepDraft d = ctx.begin(Stage.MAILBOX);
    ses.send(Pop3Commands.STAT);
    Reply stat = ses.reply("counting messages (STAT)");
    if (!stat.ok()) {
      FetchError code = stat.error(FetchError.TOO_MANY_MESSAGES);
      boolean delay =
          code == FetchError.LOGIN_DELAY
              || stat.text().toLowerCase(Locale.ROOT).contains("login allowed");
      d.add(
          delay ? Symptom.LOGIN_DELAY : Symptom.STAT_REFUSED,
          "STAT was answered \"" + FetchException.escape(stat.line()) + "\"");
      d.summary("STAT refused");
      return stop(d);
    }
    MailboxListing l;
    String[] p = stat.text().trim().split("[ \t]+");
    try {
      l = new MailboxListing(Integer.parseInt(p[0]), Long.parseLong(p[1]));
    } catch (RuntimeException e) {
      d.add(
          Symptom.PROTOCOL_ERROR,
          "STAT was answered \""
              + FetchException.escape(stat.line())
              + "\", not \"+OK count size\" (RFC 1939 §5)");
      return stop(d);
    }
    int max = ctx.settings().limits().maxListingLinesOnTheWire();
    if (l.statCount() > max) {
      d.add(
          Symptom.TOO_MANY_MESSAGES,
          l.statCount()
              + " messages; a fetch reads at most "
              + max
              + " (the client's listing limit)");
      d.summary(l.statCount() + " messages");
      return stop(d);
    }
    if (l.statCount() > max / 2) {
      d.add(Symptom.MANY_MESSAGES, l.statCount() + " messages; a fetch reads at most " + max);
    }
    uidl(ses, l);
    if (!list(ses, d, l)) {
      return stop(d);
    }
    judge(ses, d, l);
    d.add(Symptom.MAILBOX_COUNTED, d.summary());
    d.end();
    return l;
  }

  private MailboxListing stop(StepDraft d) {
    d.end();
    ctx.block();
    return null;
  }

  /** UIDL, even where CAPA does not list it: some servers support it without saying so (Q20). */
  private static void uidl(Pop3Connection ses, MailboxListing l) throws FetchException {
    ses.send(Pop3Commands.UIDL);
    Reply r = ses.reply("listing unique ids (UIDL)");
    if (!r.ok()) {
      return;
    }
    l.uidlAnswered();
    ses.readListing(
        "listing unique ids (UIDL)",
        true,
        line -> {
          String t = line.startsWith("+OK ") ? line.substring(4) : line;
          String[] f = t.trim().split(" +", 2);
          l.uidListed(number(f[0]), f.length > 1 ? f[1] : "");
        });
  }

  /** LIST; false, with the finding, where it was refused. */
  private static boolean list(Pop3Connection ses, StepDraft d, MailboxListing l)
      throws FetchException {
    ses.send(Pop3Commands.LIST);
    Reply list = ses.reply("listing sizes (LIST)");
    if (!list.ok()) {
      d.add(
          Symptom.PROTOCOL_ERROR,
          "LIST was answered \"" + FetchException.escape(list.line()) + "\"");
      return false;
    }
    ses.readListing(
        "listing sizes (LIST)",
        false,
        line -> {
          String[] f = line.trim().split("[ \t]+");
          long size = -1;
          try {
            size = f.length > 1 ? Long.parseLong(f[1]) : -1;
          } catch (NumberFormatException e) {
            // shown as a disagreement below
          }
          l.listed(number(f[0]), size);
        });
    return true;
  }

  /** What the listings and the capabilities say together. */
  private void judge(Pop3Connection ses, StepDraft d, MailboxListing l) {
    long expire = expireDays(ses);
    long sum = l.sizeSum();
    int listed = l.listNumbers().size();
    int uidListed = l.uidlNumbers().size();
    d.summary(
        l.statCount()
            + " messages, "
            + Sizes.size(l.statOctets())
            + "; leave-on-server: "
            + (l.uidl() && expire != 0 ? "possible" : "not possible"));
    if (listed != l.statCount() || (l.uidl() && uidListed != l.statCount())) {
      d.add(
          ctx.settings().tolerances().contains(Tolerance.UNORDERED_LISTING)
              ? Symptom.NUMBERING_TOLERATED
              : Symptom.COUNTS_DISAGREE,
          "STAT counts "
              + l.statCount()
              + ", LIST lists "
              + listed
              + (l.uidl() ? ", UIDL lists " + uidListed : ""));
    } else if (sum != l.statOctets()) {
      d.add(
          Symptom.SIZES_DISAGREE,
          "STAT says "
              + Sizes.size(l.statOctets())
              + ", LIST's sizes add up to "
              + Sizes.size(sum)
              + apart(l.statOctets(), sum));
    }
    if (!l.uidl()) {
      d.add(
          Symptom.NO_UIDL,
          ses.capabilities().has("UIDL")
              ? "UIDL is listed in CAPA but answered -ERR"
              : "UIDL is not in CAPA" + " and answered -ERR");
    }
    if (expire == 0) {
      d.add(Symptom.EXPIRE_ZERO, "CAPA says EXPIRE 0");
    } else if (expire > 0) {
      d.add(
          Symptom.EXPIRE_DAYS,
          "CAPA says EXPIRE " + expire + ": retrieved mail is removed after " + expire + " days");
    }
    for (String line : ses.capabilities().lines()) {
      if (line.startsWith("LOGIN-DELAY ")) {
        d.add(Symptom.LOGIN_DELAY_ANNOUNCED, "CAPA says " + line + " (seconds between logins)");
      }
    }
  }

  /**
   * How many days the server keeps retrieved mail (CAPA's EXPIRE, as the client reads it); -1 for
   * never or not said.
   */
  private static long expireDays(Pop3Connection ses) {
    return ses.capabilities().expire().map(Duration::toDays).orElse(-1L);
  }

  private static int number(String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
