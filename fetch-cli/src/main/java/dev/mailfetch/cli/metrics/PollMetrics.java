package dev.mailfetch.cli.metrics;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollListener;
import dev.mailfetch.poll.PollStatus;
import dev.mailfetch.poll.Poller;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code /metrics} serves: a {@link Poller}'s checks as Prometheus text (exposition format
 * 0.0.4). Counters come from the poller's listener calls (the history keeps only the last checks,
 * so it cannot count since the start); the gauges are read from {@link Poller#status} at each
 * scrape. No series names an account: at 2,000 accounts that would be 2,000 times every series, and
 * the accounts page shows each account.
 *
 * <p>The poller takes one listener when it is built, so this is made first and {@link #attach
 * attached} after: {@code Poller.builder().listener(metrics.alongside(lines))…build()}, then {@code
 * metrics.attach(poller)}. Written by hand, not with Micrometer: docs/serve.md, "Metrics", says
 * why. Thread-safe: one lock makes each scrape see each check whole (its outcome, messages, bytes
 * and duration together, so the histogram's count equals the checks counted).
 */
public final class PollMetrics implements PollListener {
  /** The Content-Type of {@link #scrape()}'s text. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /**
   * The check-duration buckets' upper bounds, in seconds: a check of a loopback or nearby server
   * that finds nothing takes milliseconds, a slow server seconds, a first fetch of a full mailbox
   * minutes.
   */
  static final double[] BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

  private static final CheckRecord.Outcome[] OUTCOMES = CheckRecord.Outcome.values();
  private static final FetchError[] ERRORS = FetchError.values();

  private final Object lock = new Object();
  private final long[] checks = new long[OUTCOMES.length];
  private final long[] errors = new long[ERRORS.length];

  /** Per bucket, the checks that fell in it alone (made cumulative when written). */
  private final long[] inBucket = new long[BUCKETS.length + 1];

  private long messages;
  private long bytes;
  private long failedMessages;
  private double secondsSum;
  private long pushEnded;

  private volatile Poller poller;

  /** Counters at zero, no poller yet (the gauges are left out until {@link #attach}). */
  public PollMetrics() {}

  /**
   * The poller whose accounts the gauges count, read at each scrape.
   *
   * @return this
   */
  public PollMetrics attach(Poller poller) {
    this.poller = Objects.requireNonNull(poller, "poller");
    return this;
  }

  /**
   * One listener that tells {@code other} first and then these metrics: the one a {@link
   * Poller.Builder#listener} takes. An exception from {@code other} still lets the metrics count.
   */
  public PollListener alongside(PollListener other) {
    return new Both(Objects.requireNonNull(other, "other"), this);
  }

  @Override
  public void checkFinished(CheckRecord r) {
    double seconds = r.duration().toNanos() / 1e9;
    int bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) {
      bucket++;
    }
    synchronized (lock) {
      checks[r.outcome().ordinal()]++;
      messages += r.delivered();
      bytes += r.bytes();
      failedMessages += r.failedMessages();
      r.error().ifPresent(e -> errors[e.error().ordinal()]++);
      inBucket[bucket]++;
      secondsSum += seconds;
    }
  }

  @Override
  public void pushEnded(String account, String mailbox, FetchException why) {
    synchronized (lock) {
      pushEnded++;
    }
  }

  /** The whole exposition as text: what {@code GET /metrics} answers. */
  public String scrape() {
    StringBuilder sb = new StringBuilder(4096);
    try {
      render(sb);
    } catch (IOException e) {
      throw new AssertionError("a StringBuilder does not throw", e);
    }
    return sb.toString();
  }

  /** Writes {@link #scrape()}'s text to {@code out} as UTF-8, flushed, not closed. */
  public void writeTo(OutputStream out) throws IOException {
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    render(w);
    w.flush();
  }

  private void render(Appendable out) throws IOException {
    long[] checks;
    long[] errors;
    long[] inBucket;
    long messages;
    long bytes;
    long failedMessages;
    double secondsSum;
    long pushEnded;
    synchronized (lock) {
      checks = this.checks.clone();
      errors = this.errors.clone();
      inBucket = this.inBucket.clone();
      messages = this.messages;
      bytes = this.bytes;
      failedMessages = this.failedMessages;
      secondsSum = this.secondsSum;
      pushEnded = this.pushEnded;
    }
    Exposition e = new Exposition(out);
    Map<String, Long> byOutcome = new LinkedHashMap<>();
    for (CheckRecord.Outcome o : OUTCOMES) {
      byOutcome.put(o.name().toLowerCase(Locale.ROOT), checks[o.ordinal()]);
    }
    e.counter(
        "mailfetch_checks_total",
        "Checks of accounts that ended, by their outcome.",
        "outcome",
        byOutcome);
    e.counter(
        "mailfetch_messages_fetched_total", "Messages delivered to their destination.", messages);
    e.counter("mailfetch_fetched_bytes_total", "Bytes of the messages delivered, as sent.", bytes);
    e.counter(
        "mailfetch_messages_failed_total",
        "Messages whose fetch failed; they stay on the server and are tried again.",
        failedMessages);
    Map<String, Long> byCode = new LinkedHashMap<>();
    for (FetchError f : ERRORS) {
      if (errors[f.ordinal()] > 0) { // 29 codes, most never seen: only those that happened
        byCode.put(f.name(), errors[f.ordinal()]);
      }
    }
    e.counter(
        "mailfetch_check_errors_total",
        "Checks that ended with an error (or whose first message failed), by the error's code"
            + " (docs/errors.md).",
        "code",
        byCode);
    e.histogram(
        "mailfetch_check_duration_seconds",
        "How long checks took, in seconds.",
        BUCKETS,
        inBucket,
        secondsSum);
    e.counter(
        "mailfetch_push_ended_total",
        "Times a push watch (IMAP IDLE) ended and its account fell back to its schedule.",
        pushEnded);
    Poller p = poller;
    if (p != null) {
      gauges(p, e);
    }
  }

  private static void gauges(Poller p, Exposition e) throws IOException {
    int accounts = 0;
    int paused = 0;
    int failing = 0;
    int checking = 0;
    Set<String> hosts = new HashSet<>();
    for (String a : p.accounts()) {
      PollStatus s;
      try {
        s = p.status(a);
      } catch (IllegalArgumentException removed) {
        continue; // removed since the list was taken
      }
      accounts++;
      if (s.pausedBy().isPresent()) {
        paused++;
      } else if (s.failuresInARow() > 0) {
        failing++;
      }
      if (s.checking()) {
        checking++;
      }
      hosts.add(s.host());
    }
    int watches = 0;
    for (String h : hosts) {
      watches += p.watches(h);
    }
    e.gauge("mailfetch_accounts", "Accounts polled.", accounts);
    e.gauge(
        "mailfetch_accounts_paused",
        "Accounts paused by an error a person must fix; checked again after Resume or Check now.",
        paused);
    e.gauge(
        "mailfetch_accounts_failing",
        "Accounts not paused whose last check failed with a transient error (retried with"
            + " back-off).",
        failing);
    e.gauge("mailfetch_checks_running", "Checks running now.", checking);
    e.gauge(
        "mailfetch_idle_connections",
        "Push connections (IMAP IDLE) held to the servers now.",
        watches);
  }

  /** Tells two listeners, each guarded so that the second hears what the first did not take. */
  private static final class Both implements PollListener {
    private final PollListener first;
    private final PollListener second;

    Both(PollListener first, PollListener second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void checkStarted(String account) {
      try {
        first.checkStarted(account);
      } finally {
        second.checkStarted(account);
      }
    }

    @Override
    public void checkFinished(CheckRecord record) {
      try {
        first.checkFinished(record);
      } finally {
        second.checkFinished(record);
      }
    }

    @Override
    public void accountPaused(String account, FetchException why) {
      try {
        first.accountPaused(account, why);
      } finally {
        second.accountPaused(account, why);
      }
    }

    @Override
    public void accountResumed(String account) {
      try {
        first.accountResumed(account);
      } finally {
        second.accountResumed(account);
      }
    }

    @Override
    public void pushWatching(String account, String mailbox) {
      try {
        first.pushWatching(account, mailbox);
      } finally {
        second.pushWatching(account, mailbox);
      }
    }

    @Override
    public void pushEnded(String account, String mailbox, FetchException why) {
      try {
        first.pushEnded(account, mailbox, why);
      } finally {
        second.pushEnded(account, mailbox, why);
      }
    }
  }
}
