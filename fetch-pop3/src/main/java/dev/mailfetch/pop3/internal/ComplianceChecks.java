package dev.mailfetch.pop3.internal;

import static dev.mailfetch.pop3.internal.DoctorWords.seconds;
import static dev.mailfetch.pop3.internal.DoctorWords.shorten;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Symptom;
import dev.mailfetch.pop3.Tolerance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The doctor's compliance stage, after the mailbox was listed: numbering, unique ids, sampled
 * messages ({@link MessageSamples}), the single forms of UIDL and LIST, pipelining, QUIT, and in
 * second sessions whether ids and retrieved mail stay and how UTF-8 mail is served without UTF-8
 * mode. Each check runs only while the replies are in step.
 */
final class ComplianceChecks {
  private final ExamContext ctx;
  private final Pop3Connection ses;
  private final MailboxListing l;

  ComplianceChecks(ExamContext ctx, Pop3Connection ses, MailboxListing l) {
    this.ctx = ctx;
    this.ses = ses;
    this.l = l;
  }

  void run() throws FetchException {
    StepDraft d = ctx.begin(Stage.COMPLIANCE);
    boolean deep = ctx.plan().deep();
    numbering(d, l.listNumbers(), "LIST", l.statCount());
    if (l.uidl()) {
      numbering(d, l.uidlNumbers(), "UIDL", l.statCount());
      uids(d, l.uidlNumbers(), l.uids());
      NumberedUids.check(d, l.uidlNumbers(), l.uids());
    }
    List<String> checked =
        new ArrayList<>(List.of("numbering", l.uidl() ? "unique ids" : "no unique ids"));
    MessageSamples samples = new MessageSamples(ctx, ses, d, l);
    boolean inStep = samples.top();
    if (!samples.numbers().isEmpty()) {
      checked.add(
          "dot-stuffing, line ends and sizes of "
              + samples.topped()
              + " sampled message(s) by TOP");
    }
    if (inStep && deep) {
      samples.retrieve();
      checked.add("RETR of the samples (deep)");
    }
    samples.sayTopRefused();
    if (inStep && l.statCount() > 0 && ses.capabilities().worked()) {
      inStep = singleForms(d);
      checked.add("UIDL n and LIST n");
    }
    if (inStep && ses.capabilities().has("PIPELINING")) {
      inStep = pipelining(d);
      checked.add("pipelining");
    }
    if (inStep) {
      if (deep) {
        ses.send(Pop3Commands.RSET); // undoes a server's own deletion marks after RETR (Q31)
        ses.reply("resetting (RSET)");
      }
      quit(ctx, ses, d);
      checked.add("QUIT");
    }
    if (inStep && deep && l.uidl()) {
      ctx.secondSessions().uidsAndRetrievedMail(d, l.uids(), l.uidlNumbers(), samples.numbers());
      checked.add("a second session's unique ids (deep)");
    }
    Integer eightBit = samples.eightBitSample();
    if (inStep && ses.utf8() && eightBit != null && !ses.capabilities().has("LOGIN-DELAY")) {
      ctx.secondSessions().withoutUtf8(d, eightBit);
      checked.add("a message with a UTF-8 header without UTF-8 mode (a second session)");
    }
    d.summary("checked " + String.join(", ", checked));
    d.end();
  }

  private Symptom ifNotTolerated(Symptom symptom) {
    return ctx.settings().tolerances().contains(Tolerance.UNORDERED_LISTING)
        ? Symptom.NUMBERING_TOLERATED
        : symptom;
  }

  private void numbering(StepDraft d, List<Integer> numbers, String command, int statCount) {
    if (numbers.isEmpty()) {
      return;
    }
    if (numbers.get(0) != 1 && numbers.stream().mapToInt(Integer::intValue).min().orElse(1) != 1) {
      d.add(
          ifNotTolerated(Symptom.NUMBERING_NOT_FROM_ONE),
          command + " starts at " + numbers.get(0) + ", not 1");
      return;
    }
    for (int i = 0; i < numbers.size(); i++) {
      int n = numbers.get(i);
      if (n != i + 1) {
        String what =
            n > statCount
                ? "message " + n + " is beyond the STAT count " + statCount
                : i > 0 && n <= numbers.get(i - 1)
                    ? "message " + n + " comes after message " + numbers.get(i - 1)
                    : "message " + (i + 1) + " is missing (next listed: " + n + ")";
        d.add(ifNotTolerated(Symptom.NUMBERING_OUT_OF_ORDER), command + ": " + what);
        return;
      }
    }
  }

  /** Each id against RFC 1939's rule ({@link UidRule#rfcValid}), and ids listed twice. */
  private static void uids(StepDraft d, List<Integer> numbers, List<String> uids) {
    int bad = 0;
    String example = null;
    Map<String, Integer> seen = new HashMap<>();
    String dup = null;
    for (int i = 0; i < uids.size(); i++) {
      String uid = uids.get(i);
      if (!UidRule.rfcValid(uid)) {
        bad++;
        if (example == null) {
          example =
              "message " + numbers.get(i) + "'s id \"" + FetchException.escape(shorten(uid)) + "\"";
        }
      }
      Integer other = seen.putIfAbsent(uid, numbers.get(i));
      if (other != null && dup == null) {
        dup =
            "messages "
                + other
                + " and "
                + numbers.get(i)
                + " share \""
                + FetchException.escape(shorten(uid))
                + "\"";
      }
    }
    if (bad > 0) {
      d.add(Symptom.UID_SYNTAX, bad + " id(s) break the rule, for example " + example);
    }
    if (dup != null) {
      d.add(Symptom.UID_DUPLICATES, dup);
    }
  }

  /** A single-form question and the answer the listing says it must get. */
  private record Ask(String command, String expected) {}

  /** UIDL n and LIST n of the last message against the listings; false when out of step. */
  private boolean singleForms(StepDraft d) throws FetchException {
    List<Integer> listed = l.listNumbers();
    int i = listed.size() - 1;
    if (i < 0) {
      return true;
    }
    int n = listed.get(i);
    List<Ask> asks = new ArrayList<>();
    asks.add(new Ask("LIST " + n, Long.toString(l.sizes().get(i))));
    String uid = l.uidl() ? l.uid(n) : null;
    if (uid != null) {
      asks.add(new Ask("UIDL " + n, uid));
    }
    for (Ask ask : asks) {
      ses.send(Pop3Command.plain(ask.command()));
      Reply r = ses.reply("asking " + ask.command());
      if (!r.ok()) {
        d.add(
            Symptom.SINGLE_FORM_WRONG,
            ask.command() + " was answered \"" + FetchException.escape(r.line()) + "\"");
        continue;
      }
      String[] f = r.text().trim().split(" +", 2);
      boolean right =
          f.length == 2 && f[0].equals(Integer.toString(n)) && f[1].equals(ask.expected());
      if (!right) {
        d.add(
            Symptom.SINGLE_FORM_WRONG,
            ask.command()
                + " was answered \""
                + FetchException.escape(r.line())
                + "\"; expected \"+OK "
                + n
                + " "
                + FetchException.escape(shorten(ask.expected()))
                + "\"");
        if (r.text().isBlank()) {
          return false; // a multi-line answer follows: the replies are out of step from here
        }
      }
    }
    return true;
  }

  /** Three NOOPs sent together, as a fetch pipelines; false when they were not all answered. */
  private boolean pipelining(StepDraft d) throws FetchException {
    ses.sendBatch(List.of(Pop3Commands.NOOP, Pop3Commands.NOOP, Pop3Commands.NOOP));
    ses.reader()
        .deadline(
            System.nanoTime() + ctx.within(Duration.ofSeconds(5)).toNanos(),
            "reading the answers to three pipelined NOOPs");
    int answered = 0;
    try {
      for (; answered < 3; answered++) {
        String line =
            ses.reader().readLine(ctx.settings().limits().maxStatusLine(), Limit.STATUS_LINE);
        if (!line.toUpperCase(Locale.ROOT).startsWith("+OK")) {
          break;
        }
      }
    } catch (FetchException e) {
      // silence or a close: counted below
    }
    if (answered < 3) {
      d.add(
          Symptom.PIPELINING_BROKEN,
          "the server announces PIPELINING but answered "
              + answered
              + " of three NOOPs sent together");
      return false;
    }
    return true;
  }

  /** QUIT, and with {@code d}, how it was answered; without, the session just ends. */
  static void quit(ExamContext ctx, Pop3Connection ses, StepDraft d) {
    long t = System.nanoTime();
    try {
      ses.send(Pop3Commands.QUIT);
      ses.reader()
          .deadline(
              System.nanoTime() + ctx.within(Duration.ofSeconds(10)).toNanos(), "waiting for QUIT");
      Reply r = ses.reply("waiting for the answer to QUIT");
      Duration took = Duration.ofNanos(System.nanoTime() - t);
      if (d == null) {
        return;
      }
      if (!r.ok()) {
        d.add(
            Symptom.QUIT_NOT_ACKNOWLEDGED,
            "QUIT was answered \"" + FetchException.escape(r.line()) + "\"");
      } else if (took.toMillis() > 2000) {
        d.add(Symptom.QUIT_SLOW, "QUIT was answered after " + seconds(took));
      }
    } catch (FetchException e) {
      if (d != null) {
        d.add(Symptom.QUIT_NOT_ACKNOWLEDGED, "QUIT got no answer: " + e.detail());
      }
    }
  }
}
