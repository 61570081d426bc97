package dev.mailfetch.cli;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.SkipReason;
import dev.mailfetch.gmail.GmailImportSink;
import dev.mailfetch.poll.CheckRecord;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The text the command prints about a run, shared by {@code fetch}, {@code fetch --config} and
 * {@code poll}. Two parts:
 *
 * <ul>
 *   <li>the summary (stdout, not with --quiet): one line of counts, and the server's quirks; with
 *       --verbose every skipped message by name;
 *   <li>what needs a person (stderr, also with --quiet): every message held back on the server
 *       (over the size limit, quarantined), every failed message, the error that stopped the run,
 *       every warning. Each is said once, in two lines: what happened, then what it means and what
 *       to do, naming the option to type. Advice already said, word for word, for an earlier failed
 *       message is not said again; every warning has its own.
 * </ul>
 */
final class TextReport {
  private TextReport() {}

  /** One thing a person must know: what happened, and what it means and what to do (or null). */
  record Item(String headline, String advice) {}

  /**
   * Prints a problem as two lines, after {@code prefix} ("mailfetch: ", "mailfetch: account a: ").
   */
  static void problem(PrintWriter err, String prefix, Problem p) {
    err.println(prefix + p.headline());
    err.println("  " + p.advice());
    err.flush();
  }

  /**
   * Prints items as two lines each, after {@code prefix}, the advice indented under it by {@code
   * indent}.
   */
  static void items(PrintWriter err, String prefix, String indent, List<Item> items) {
    for (Item i : items) {
      err.println(prefix + i.headline());
      if (i.advice() != null) {
        err.println(indent + i.advice());
      }
    }
    err.flush();
  }

  /** The summary line of a run: " 40 listed: 37 stored (2.3 MB), 0 already there, …". */
  static String summary(FetchResult r) {
    List<String> notDone = new ArrayList<>();
    if (r.deletionsUnconfirmed() > 0) {
      notDone.add(r.deletionsUnconfirmed() + " not confirmed");
    }
    if (r.deletionsRefused() > 0) {
      notDone.add(r.deletionsRefused() + " refused");
    }
    String unconfirmed = notDone.isEmpty() ? "" : " (" + String.join(", ", notDone) + ")";
    int duplicates = r.count(MessageOutcome.Kind.DUPLICATE);
    int notTried = r.notTried();
    return "  "
        + r.listed()
        + " listed: "
        + r.count(MessageOutcome.Kind.DELIVERED)
        + " stored ("
        + Units.size(r.bytesDelivered())
        + "), "
        + r.count(MessageOutcome.Kind.ALREADY_SEEN)
        + " already there, "
        + Units.count(duplicates, "duplicate")
        + ", "
        + r.count(MessageOutcome.Kind.SKIPPED)
        + " skipped"
        + skippedWhy(r)
        + ", "
        + (r.count(MessageOutcome.Kind.FAILED) - notTried)
        + " failed, "
        + (notTried > 0 ? notTried + " not tried (the run had stopped), " : "")
        + r.deleted()
        + " deleted"
        + unconfirmed;
  }

  /**
   * Prints the summary: its line, the quirks noticed, and with {@code verbose} every skipped
   * message. A run stopped before it listed anything has no summary: its error says it all.
   */
  static void summary(PrintWriter out, FetchResult r, boolean verbose, Advice advice) {
    if (r.listed() == 0 && r.error().isPresent()) {
      return;
    }
    out.println(summary(r));
    if (!r.quirks().isEmpty()) {
      // Noticed, not always worked around: a quirk can be what made a message fail (said below).
      out.println(
          "  server quirks noticed: "
              + new TreeSet<>(r.quirks())
                  .stream().map(QuirkId::name).collect(Collectors.joining(", "))
              + " (docs/quirks.md)");
    }
    if (verbose && r.count(MessageOutcome.Kind.SKIPPED) > 0) {
      for (MessageOutcome m : r.outcomes()) {
        if (m.kind() == MessageOutcome.Kind.SKIPPED && !CheckRecord.isHeldBack(m)) {
          out.println(
              "  message "
                  + name(m)
                  + ": skipped, "
                  + REASONS.get(m.skipReason())
                  + ". "
                  + skipRemedy(m, advice));
        }
      }
    }
    out.flush();
  }

  private static final Map<SkipReason, String> REASONS =
      new EnumMap<>(
          Map.of(
              SkipReason.MESSAGE_SIZE_LIMIT, "over the size limit",
              SkipReason.QUARANTINED, "quarantined",
              SkipReason.RUN_LIMIT, "left for the next run",
              SkipReason.ONLY_NEW, "there before the first run"));

  /** " (1 over the size limit, 2 quarantined)", or "" when nothing was skipped. */
  static String skippedWhy(FetchResult r) {
    if (r.count(MessageOutcome.Kind.SKIPPED) == 0) {
      return "";
    }
    Map<SkipReason, Integer> n = new EnumMap<>(SkipReason.class);
    for (MessageOutcome m : r.outcomes()) {
      if (m.kind() == MessageOutcome.Kind.SKIPPED) {
        n.merge(m.skipReason(), 1, Integer::sum);
      }
    }
    List<String> parts = new ArrayList<>();
    for (SkipReason reason :
        new SkipReason[] {
          SkipReason.MESSAGE_SIZE_LIMIT,
          SkipReason.QUARANTINED,
          SkipReason.RUN_LIMIT,
          SkipReason.ONLY_NEW
        }) {
      if (n.containsKey(reason)) {
        parts.add(n.get(reason) + " " + REASONS.get(reason));
      }
    }
    return " (" + String.join(", ", parts) + ")";
  }

  /** What to do about a skipped message, in the form {@code advice}'s reader types. */
  static String skipRemedy(MessageOutcome m, Advice advice) {
    switch (m.skipReason()) {
      case MESSAGE_SIZE_LIMIT:
        return advice.words(
            "To fetch it, run with --max-message-size "
                + Units.sizeOption(m.ref().size())
                + " (or more)"
                + (m.ref().size() > GmailImportSink.Builder.MAX_MESSAGE_BYTES
                    ? "; into Gmail it cannot go: Gmail takes no message above 150 MB (157.3 MB in this command's units)"
                    : "")
                + ".");
      case QUARANTINED:
        return advice.words(
            m.error() != null
                ? m.error().remedy().commandLine()
                : "Fix the cause, then run once with --retry-quarantined to try it again.");
      case RUN_LIMIT:
        return advice.words("A later run fetches it (--max-messages sets how many a run fetches).");
      default:
        return advice.words(
            "It was on the server before the first run with --only-new, which takes it as already"
                + " there.");
    }
  }

  /**
   * What happened to a skipped message, in words: over the size limit (with its size and the
   * limit), left for the next run, quarantined (its last error), there before the first run.
   */
  static String skipped(MessageOutcome m, long sizeLimit) {
    switch (m.skipReason()) {
      case MESSAGE_SIZE_LIMIT:
        return "message "
            + name(m)
            + " not fetched: "
            + Units.size(m.ref().size())
            + ", over the size limit of "
            + Units.size(sizeLimit)
            + "; it stays on the server";
      case QUARANTINED:
        return m.error() != null
            ? m.error().detail()
            : "message " + name(m) + " is quarantined; it stays on the server";
      case RUN_LIMIT:
        return "message "
            + name(m)
            + " left for the next run: this run fetched as many messages as it may";
      default:
        return "message "
            + name(m)
            + " set aside: it was on the server before the first run with --only-new";
    }
  }

  /**
   * Everything a person must know about a run, in the order to read it, advised as {@code advice}
   * says.
   */
  static List<Item> attention(FetchResult r, long sizeLimit, Advice advice) {
    return attention(
        CheckRecord.heldBack(r),
        failedMessages(r),
        r.error().orElse(null),
        r.warnings(),
        sizeLimit,
        advice);
  }

  /** The same, from a poll's check record, whose run error is said on the check's own line. */
  static List<Item> attention(CheckRecord c, long sizeLimit, Advice advice) {
    return attention(c.heldBack(), List.of(), null, c.warnings(), sizeLimit, advice);
  }

  private static List<Item> attention(
      List<MessageOutcome> held,
      List<MessageOutcome> failed,
      FetchException stopped,
      List<FetchException> warnings,
      long sizeLimit,
      Advice advice) {
    List<Item> items = new ArrayList<>();
    Set<String> said = new HashSet<>(); // advice already given to an earlier failed message
    for (MessageOutcome m : held) {
      if (m.skipReason() == SkipReason.QUARANTINED && m.error() != null) {
        FetchError last = m.error().error();
        items.add(
            new Item(
                skipped(m, sizeLimit),
                "It is not tried again until you ask (its last error: "
                    + last
                    + ", docs/errors.md). "
                    + skipRemedy(m, advice)));
      } else {
        items.add(new Item(skipped(m, sizeLimit), skipRemedy(m, advice)));
      }
    }
    // A destination that fails as a whole (Gmail's daily limit, a revoked grant) fails every
    // message
    // on its way at once, with the error that stopped the run: said once, with the others named.
    FetchError wholeRun =
        stopped == null || stopped.error() == FetchError.SINK_REJECTED ? null : stopped.error();
    List<MessageOutcome> alike = new ArrayList<>();
    for (MessageOutcome m : failed) {
      FetchException e = m.error();
      // A failure inside a message that also stopped the run is one event: said once, as both.
      boolean stoppedHere = stopped != null && isTheSame(e, stopped);
      if (stoppedHere) {
        stopped = null;
      } else if (e.error() == wholeRun) {
        alike.add(m);
        continue;
      }
      String what = Problem.of(e, advice).advice();
      items.add(
          new Item(
              "message "
                  + name(m)
                  + (stoppedHere ? " failed, and the run stopped there: " : " failed: ")
                  + e.error()
                  + ": "
                  + e.detail(),
              said.add(what) ? what : null));
    }
    if (stopped != null) {
      items.add(
          new Item(
              stopped.error() + ": " + stopped.detail(), Problem.of(stopped, advice).advice()));
    }
    if (!alike.isEmpty()) {
      StringBuilder names = new StringBuilder();
      for (MessageOutcome m : alike) {
        names.append(names.length() == 0 ? "" : ", ").append(name(m));
      }
      items.add(
          new Item(
              (alike.size() == 1 ? "message " : "messages ")
                  + names
                  + " failed alike ("
                  + wholeRun
                  + "); "
                  + (alike.size() == 1 ? "it stays" : "they stay")
                  + " on the server for the next run",
              null));
    }
    for (FetchException w : warnings) { // each its own two lines: a warning is about one thing
      items.add(
          new Item("warning: " + w.error() + ": " + w.detail(), Problem.of(w, advice).advice()));
    }
    return items;
  }

  /**
   * Whether two failures are one event: the same exception; one the other with what became of the
   * message added (its cause, as {@code withConsequence} keeps it: the run's error and the error of
   * the message it quarantined); or the same code and words.
   */
  static boolean isTheSame(FetchException a, FetchException b) {
    return a == b
        || causedBy(a, b)
        || causedBy(b, a)
        // two failures that would be printed alike are printed once: a comparison of what is
        // shown, not a reading of what failed
        || (a.error() == b.error() && a.detail().equals(b.detail()));
  }

  private static boolean causedBy(Throwable a, Throwable b) {
    int depth = 0; // a chain is short; the bound keeps a cycle from hanging the report
    for (Throwable c = a.getCause(); c != null && depth < 16; c = c.getCause(), depth++) {
      if (c == b) {
        return true;
      }
    }
    return false;
  }

  /**
   * The error of the message whose failure also stopped the run (the one that says what became of
   * the message: quarantined), or {@code stopped} itself when no message failed with it: the run's
   * failure told once, with one advice, in the text and in the JSON.
   */
  static FetchException asOneEvent(FetchResult r, FetchException stopped) {
    for (MessageOutcome m : failedMessages(r)) {
      if (isTheSame(m.error(), stopped)) {
        return m.error();
      }
    }
    return stopped;
  }

  private static List<MessageOutcome> failedMessages(FetchResult r) {
    if (r.count(MessageOutcome.Kind.FAILED) == 0) {
      return List.of();
    }
    List<MessageOutcome> failed = new ArrayList<>();
    for (MessageOutcome m : r.outcomes()) {
      // One not attempted carries the error that stopped the run, which is said once, on its own.
      if (m.kind() == MessageOutcome.Kind.FAILED && m.attempted()) {
        failed.add(m);
      }
    }
    return failed;
  }

  /** "3 (uid abc)": how a message is named, as the library names it. */
  static String name(MessageOutcome m) {
    return m.ref().number() + (m.ref().hasUid() ? " (uid " + m.ref().uid() + ")" : "");
  }
}
