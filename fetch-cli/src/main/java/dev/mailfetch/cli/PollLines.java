package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.SkipReason;
import dev.mailfetch.api.poll.CheckRecord;
import dev.mailfetch.api.poll.PollListener;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code mailfetch poll} prints as it goes: one line per check worth telling (stdout; stderr
 * when it needs a person), with what needs a person under it in two lines each, and a paused
 * account once. Sizes in the command's units; with --once no next check, since there is none.
 * Nothing under --json: the object at the end says it all. Called from the checking threads.
 */
final class PollLines implements PollListener {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean quiet;
  private final boolean verbose;
  private final boolean json;
  private final boolean once;
  /** Each account's size limit (by the poller's account name), for the words about a message over it. */
  final Map<String, Long> sizeLimits = new ConcurrentHashMap<>();

  PollLines(PrintWriter out, PrintWriter err, boolean quiet, boolean verbose, boolean json, boolean once) {
    this.out = out;
    this.err = err;
    this.quiet = quiet;
    this.verbose = verbose;
    this.json = json;
    this.once = once;
  }

  @Override
  public void checkFinished(CheckRecord r) {
    if (json) {
      return;
    }
    boolean attention = r.status() != FetchResult.Status.OK || r.outcome() == CheckRecord.Outcome.PUT_OFF;
    boolean tell = verbose || attention || (!quiet && r.outcome() == CheckRecord.Outcome.NEW_MAIL);
    if (!tell || r.outcome() == CheckRecord.Outcome.PAUSED) {
      return; // a pause is told once, below
    }
    PrintWriter to = attention ? err : out;
    synchronized (this) {
      to.println(TIME.format(Instant.now()) + " " + line(r));
      r.error().ifPresent(e -> to.println("  " + Problem.of(e).advice()));
      TextReport.items(to, "  ", "    ", TextReport.attention(r, sizeLimits.getOrDefault(r.account(), 0L)));
      to.flush();
    }
  }

  /** "alice@host: 3 new messages (51 kB), 1 quarantined; 1 warning; next check in 2 min". */
  String line(CheckRecord r) {
    StringBuilder sb = new StringBuilder(r.account()).append(": ");
    switch (r.outcome()) {
      case NEW_MAIL:
        sb.append(r.delivered()).append(r.delivered() == 1 ? " new message" : " new messages").append(" (")
            .append(Units.size(r.bytes())).append(')');
        break;
      case NOTHING_NEW:
        sb.append("nothing new");
        break;
      default:
        sb.append(r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
    if (r.failedMessages() > 0) {
      sb.append(", ").append(r.failedMessages()).append(" failed");
    }
    int quarantined = r.heldBack(SkipReason.QUARANTINED);
    if (quarantined > 0) {
      sb.append(", ").append(quarantined).append(" quarantined");
    }
    int tooLarge = r.heldBack(SkipReason.MESSAGE_SIZE_LIMIT);
    if (tooLarge > 0) {
      sb.append(", ").append(tooLarge).append(" over the size limit");
    }
    r.error().ifPresent(e -> sb.append(": ").append(e.error()).append(": ").append(e.detail()));
    if (!r.warnings().isEmpty()) {
      sb.append("; ").append(r.warnings().size()).append(r.warnings().size() == 1 ? " warning" : " warnings");
    }
    if (!once) {
      r.next().ifPresent(n -> sb.append("; next check in ").append(Units.duration(r.interval().toSeconds())));
    }
    return sb.toString();
  }

  @Override
  public void accountPaused(String account, FetchException why) {
    if (json) {
      return;
    }
    synchronized (this) {
      err.println(TIME.format(Instant.now()) + " " + account + ": " + (once ? "" : "paused, not checked again until"
          + " restarted: ") + why.error() + ": " + why.detail());
      err.println("  " + Problem.of(why).advice());
      err.flush();
    }
  }
}
