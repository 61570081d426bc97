package dev.mailfetch.cli;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.SkipReason;
import dev.mailfetch.api.poll.CheckRecord;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The text the command prints about a run, shared by {@code fetch}, {@code fetch --config} and
 * {@code poll}. Two parts:
 *
 * <ul>
 *   <li>the summary (stdout, not with --quiet): one line of counts, and the server's quirks;
 *       with --verbose every skipped message by name;
 *   <li>what needs a person (stderr, also with --quiet): every message held back on the server
 *       (over the size limit, quarantined), every failed message, the error that stopped the run,
 *       every warning. Each is said once, in two lines: what happened, then what it means and what
 *       to do, naming the option to type. A meaning already said for an earlier message of the
 *       same code is not said again.
 * </ul>
 */
final class TextReport {
  private TextReport() {}

  /** One thing a person must know: what happened, and what it means and what to do (or null). */
  record Item(String headline, String advice) {}

  /** Prints a problem as two lines, after {@code prefix} ("mailfetch: ", "mailfetch: account a: "). */
  static void problem(PrintWriter err, String prefix, Problem p) {
    err.println(prefix + p.headline());
    err.println("  " + p.advice());
    err.flush();
  }

  /** Prints items as two lines each, after {@code prefix}, the advice indented under it by {@code indent}. */
  static void items(PrintWriter err, String prefix, String indent, List<Item> items) {
    for (Item i : items) {
      err.println(prefix + i.headline());
      if (i.advice() != null) {
        err.println(indent + i.advice());
      }
    }
    err.flush();
  }

  /** The summary line of a run: "  40 listed: 37 stored (2.3 MB), 0 already there, …". */
  static String summary(FetchResult r) {
    String unconfirmed = r.deletionsUnconfirmed() > 0 ? " (" + r.deletionsUnconfirmed() + " not confirmed)" : "";
    int duplicates = r.count(MessageOutcome.Kind.DUPLICATE);
    return "  " + r.listed() + " listed: " + r.count(MessageOutcome.Kind.DELIVERED) + " stored ("
        + Units.size(r.bytesDelivered()) + "), " + r.count(MessageOutcome.Kind.ALREADY_SEEN) + " already there, "
        + duplicates + (duplicates == 1 ? " duplicate, " : " duplicates, ") + r.count(MessageOutcome.Kind.SKIPPED)
        + " skipped" + skippedWhy(r) + ", " + r.count(MessageOutcome.Kind.FAILED) + " failed, " + r.deleted()
        + " deleted" + unconfirmed;
  }

  /**
   * Prints the summary: its line, the quirks noticed, and with {@code verbose} every skipped
   * message. A run stopped before it listed anything has no summary: its error says it all.
   */
  static void summary(PrintWriter out, FetchResult r, boolean verbose) {
    if (r.listed() == 0 && r.error().isPresent()) {
      return;
    }
    out.println(summary(r));
    if (!r.quirks().isEmpty()) {
      out.println("  server quirks worked around: " + String.join(", ", new TreeSet<>(r.quirks()))
          + " (docs/quirks.md)");
    }
    if (verbose && r.count(MessageOutcome.Kind.SKIPPED) > 0) {
      for (MessageOutcome m : r.outcomes()) {
        if (m.kind() == MessageOutcome.Kind.SKIPPED && !CheckRecord.isHeldBack(m)) {
          out.println("  message " + name(m) + ": skipped, " + REASONS.get(m.skipReason()) + ". " + skipRemedy(m));
        }
      }
    }
    out.flush();
  }

  private static final Map<SkipReason, String> REASONS = new EnumMap<>(Map.of(
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
    for (SkipReason reason : new SkipReason[] {SkipReason.MESSAGE_SIZE_LIMIT, SkipReason.QUARANTINED,
        SkipReason.RUN_LIMIT, SkipReason.ONLY_NEW}) {
      if (n.containsKey(reason)) {
        parts.add(n.get(reason) + " " + REASONS.get(reason));
      }
    }
    return " (" + String.join(", ", parts) + ")";
  }

  /** What to do about a skipped message, in the command's options. */
  static String skipRemedy(MessageOutcome m) {
    switch (m.skipReason()) {
      case MESSAGE_SIZE_LIMIT:
        return "To fetch it, run with --max-message-size " + Units.sizeOption(m.ref().size()) + " (or more).";
      case QUARANTINED:
        return m.error() != null ? m.error().remedy().commandLine()
            : "Fix the cause, then run once with --retry-quarantined to try it again.";
      case RUN_LIMIT:
        return "A later run fetches it (--max-messages sets how many a run fetches).";
      default:
        return "It was on the server before the first run with --only-new, which takes it as already there.";
    }
  }

  /** Everything a person must know about a run, in the order to read it. */
  static List<Item> attention(FetchResult r, long sizeLimit) {
    return attention(CheckRecord.heldBack(r), failedMessages(r), r.error().orElse(null), r.warnings(), sizeLimit);
  }

  /** The same, from a poll's check record, whose run error is said on the check's own line. */
  static List<Item> attention(CheckRecord c, long sizeLimit) {
    return attention(c.heldBack(), List.of(), null, c.warnings(), sizeLimit);
  }

  private static List<Item> attention(List<MessageOutcome> held, List<MessageOutcome> failed, FetchException stopped,
      List<FetchException> warnings, long sizeLimit) {
    List<Item> items = new ArrayList<>();
    Set<FetchError> said = EnumSet.noneOf(FetchError.class);
    for (MessageOutcome m : held) {
      if (m.skipReason() == SkipReason.MESSAGE_SIZE_LIMIT) {
        items.add(new Item("message " + name(m) + " not fetched: " + Units.size(m.ref().size())
            + ", over the size limit of " + Units.size(sizeLimit) + "; it stays on the server", skipRemedy(m)));
      } else if (m.error() != null) {
        FetchError last = m.error().error();
        items.add(new Item(m.error().detail(), "Its last error was " + last + ": " + last.summary() + " "
            + skipRemedy(m)));
      } else {
        items.add(new Item("message " + name(m) + " is quarantined; it stays on the server", skipRemedy(m)));
      }
    }
    for (MessageOutcome m : failed) {
      FetchException e = m.error();
      items.add(new Item("message " + name(m) + " failed: " + e.error() + ": " + e.detail(),
          said.add(e.error()) ? Problem.of(e).advice() : null));
    }
    if (stopped != null) {
      items.add(new Item(stopped.error() + ": " + stopped.detail(), Problem.of(stopped).advice()));
    }
    for (FetchException w : warnings) {
      items.add(new Item("warning: " + w.error() + ": " + w.detail(), said.add(w.error()) ? Problem.of(w).advice()
          : null));
    }
    return items;
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
