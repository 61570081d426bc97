package dev.mailfetch.cli.serve;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.Sizes;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollStatus;
import dev.mailfetch.poll.Poller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The accounts as the pages show them, read from the poller at each request: its status and history
 * are the only truth (no copy to go stale). Accounts are named as the config file names them, never
 * by user@host.
 */
final class Mailboxes {
  /** What an account is doing, in the words of the page. */
  enum State {
    CHECKING,
    IDLE,
    PAUSED,
    FAILING;

    String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One account's row.
   *
   * @param fetched messages delivered over the checks kept ({@code kept} of them)
   */
  record Row(
      String name,
      String account,
      State state,
      Optional<CheckRecord> last,
      int fetched,
      long fetchedBytes,
      int kept,
      Optional<Instant> next,
      Duration interval,
      String why,
      Optional<FetchException> error,
      boolean paused) {}

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

  final Poller poller;
  final ServeSite.Desk desk;
  final Clock clock;

  Mailboxes(Poller poller, ServeSite.Desk desk, Clock clock) {
    this.poller = poller;
    this.desk = desk;
    this.clock = clock;
  }

  /**
   * Every account's status alone, without its history or words: what the probes need, a fraction of
   * a row's cost with thousands of accounts.
   */
  List<PollStatus> statuses() {
    List<PollStatus> all = new ArrayList<>();
    for (String account : poller.accounts()) {
      try {
        all.add(poller.status(account));
      } catch (IllegalArgumentException gone) {
        // a shared poll gave it up meanwhile
      }
    }
    return all;
  }

  /** The poller's account that the config file names {@code name}, if it is polled. */
  Optional<String> account(String name) {
    for (String account : poller.accounts()) {
      if (desk.name(account).equals(name)) {
        return Optional.of(account);
      }
    }
    return Optional.empty();
  }

  /** The row of the poller's account; empty if it went meanwhile (a shared poll gave it up). */
  Optional<Row> row(String account) {
    PollStatus s;
    List<CheckRecord> history;
    try {
      s = poller.status(account);
      history = poller.history(account);
    } catch (IllegalArgumentException gone) {
      return Optional.empty();
    }
    Optional<CheckRecord> last =
        history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
    int fetched = 0;
    long bytes = 0;
    for (CheckRecord r : history) {
      fetched += r.delivered();
      bytes += r.bytes();
    }
    boolean paused = s.pausedBy().isPresent();
    State state = state(s);
    Optional<FetchException> error =
        s.pausedBy().isPresent() ? s.pausedBy() : last.flatMap(CheckRecord::error);
    return Optional.of(
        new Row(
            desk.name(account),
            account,
            state,
            last,
            fetched,
            bytes,
            history.size(),
            s.next(),
            last.map(CheckRecord::interval).orElse(Duration.ZERO),
            why(s, last),
            error,
            paused));
  }

  /** The state of an account of this status, in the page's words. */
  static State state(PollStatus s) {
    if (s.checking()) {
      return State.CHECKING;
    }
    if (s.pausedBy().isPresent()) {
      return State.PAUSED;
    }
    return s.failuresInARow() > 0 ? State.FAILING : State.IDLE;
  }

  /** Why the schedule chose the next check's time, in a few words. */
  private static String why(PollStatus s, Optional<CheckRecord> last) {
    if (s.pausedBy().isPresent()) {
      return "paused until a person acts: Resume, or Check now once it is fixed";
    }
    if (last.isEmpty()) {
      return "first check: the accounts are spread over the shortest interval";
    }
    CheckRecord r = last.get();
    switch (r.outcome()) {
      case FAILED:
        return "backing off after "
            + Sizes.count(s.failuresInARow(), "failed check")
            + " in a row (the wait doubles each time)";
      case PUT_OFF:
        return "the server asked for time: waiting longer";
      case STOPPED:
        return "the last check was stopped";
      default:
        if (s.ratePerHour() < 0.05) {
          return "no mail lately: checked less often, up to the longest interval";
        }
        return String.format(
            Locale.ROOT,
            "mail arrives at about %s an hour: checked %s",
            s.ratePerHour() >= 10
                ? String.valueOf(Math.round(s.ratePerHour()))
                : String.format(Locale.ROOT, "%.1f", s.ratePerHour()),
            s.ratePerHour() >= 1 ? "often while it flows" : "less often while it does not");
    }
  }

  /** What came of a check, in the words of the page. */
  static String outcome(CheckRecord r) {
    switch (r.outcome()) {
      case NEW_MAIL:
        return Sizes.count(r.delivered(), "new message") + " (" + Sizes.size(r.bytes()) + ")";
      case NOTHING_NEW:
        return "nothing new";
      case PUT_OFF:
        return "put off by the server";
      case FAILED:
        return "failed" + r.error().map(e -> ": " + e.error().name()).orElse("");
      case PAUSED:
        return "paused" + r.error().map(e -> ": " + e.error().name()).orElse("");
      default:
        return "stopped";
    }
  }

  String time(Instant t) {
    ZoneId zone = clock.getZone();
    return TIME.format(t.atZone(zone));
  }

  /** "3 min ago", "in 2 min", "now". */
  String relative(Instant t) {
    long s = Duration.between(clock.instant(), t).toSeconds();
    if (Math.abs(s) < 2) {
      return "now";
    }
    return s > 0 ? "in " + span(s) : span(-s) + " ago";
  }

  /** A span of time a person reads at a glance: "4 s", "2 min 5 s", "1 h 2 min" (the CLI's). */
  static String span(long seconds) {
    if (seconds < 60) {
      return Math.max(0, seconds) + " s";
    }
    if (seconds < 3600) {
      return (seconds / 60) + " min" + (seconds % 60 == 0 ? "" : " " + (seconds % 60) + " s");
    }
    long minutes = (seconds % 3600) / 60;
    return (seconds / 3600) + " h" + (minutes == 0 ? "" : " " + minutes + " min");
  }

  /** The rows as a JSON array, for the page's live updates and for scripts (AccountsView). */
  void json(List<Row> rows, StringBuilder sb) {
    sb.append('[');
    boolean first = true;
    for (Row r : rows) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append("{\"name\":")
          .append(HtmlText.json(r.name()))
          .append(",\"state\":")
          .append(HtmlText.json(r.state().word()))
          .append(",\"lastCheck\":")
          .append(HtmlText.json(r.last().map(l -> time(l.started())).orElse(null)))
          .append(",\"lastCheckAgo\":")
          .append(HtmlText.json(r.last().map(l -> relative(l.started())).orElse("not yet")))
          .append(",\"outcome\":")
          .append(HtmlText.json(r.last().map(Mailboxes::outcome).orElse("")))
          .append(",\"messages\":")
          .append(r.fetched())
          .append(",\"bytes\":")
          .append(r.fetchedBytes())
          .append(",\"fetched\":")
          .append(HtmlText.json(fetchedWords(r)))
          .append(",\"nextCheck\":")
          .append(HtmlText.json(r.next().map(this::time).orElse(null)))
          .append(",\"nextCheckIn\":")
          .append(HtmlText.json(r.next().map(this::relative).orElse("paused")))
          .append(",\"intervalSeconds\":")
          .append(r.interval().toSeconds())
          .append(",\"interval\":")
          .append(HtmlText.json(intervalWords(r)))
          .append(",\"why\":")
          .append(HtmlText.json(r.why()))
          .append(",\"error\":")
          .append(HtmlText.json(r.error().map(e -> e.error().name()).orElse(null)))
          .append(",\"paused\":")
          .append(r.paused())
          .append('}');
    }
    sb.append(']');
  }

  static String fetchedWords(Row r) {
    return Sizes.count(r.fetched(), "message")
        + ", "
        + Sizes.size(r.fetchedBytes())
        + " (last "
        + Sizes.count(r.kept(), "check")
        + ")";
  }

  static String intervalWords(Row r) {
    return r.interval().isZero() ? "—" : "every " + span(r.interval().toSeconds());
  }
}
