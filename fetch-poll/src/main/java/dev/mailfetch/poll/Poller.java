package dev.mailfetch.poll;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.MessageOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks many accounts, each on its own adaptive schedule ({@link PollSchedule}), on an executor,
 * with a bound on checks running at once overall and per server host. What Gmail's Mail Fetcher did
 * for its users' accounts, for any number of them in one JVM:
 *
 * <ul>
 *   <li>{@link #add} and {@link #remove} accounts at any time; {@link #checkNow} starts a check at
 *       once (or as soon as a slot is free), or returns the one running: never two sessions for one
 *       account;
 *   <li>the server has the last word: its LOGIN-DELAY, {@code [LOGIN-DELAY]} and {@code [IN-USE]}
 *       stretch the next check; transient errors back off exponentially; an error a person must fix
 *       (a wrong password, a policy, a bad certificate) pauses the account, said once to the {@link
 *       PollListener}, until {@link #resume} or {@link #checkNow};
 *   <li>{@link #history} keeps the last checks of each account as {@link CheckRecord}s;
 *   <li>{@link #close(Duration)} lets running checks finish the message in progress and make what
 *       they delivered durable, and returns within its bound.
 * </ul>
 *
 * <p>Time comes from the builder's {@link Clock}. {@link #start()} runs a timer thread that starts
 * due checks; without it, {@link #tick()} does one round (for tests under a fake clock, and for a
 * run from cron). Thread-safe.
 */
public final class Poller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Poller.class);

  /** The timer looks at least this often, so that a clock that jumps is noticed. */
  private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Executor executor;
  private final ExecutorService ownExecutor;
  private final Clock clock;
  private final PollSchedule schedule;
  private final int maxChecks;
  private final int maxChecksPerHost;
  private final int historySize;
  private final PollListener listener;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Account> accounts = new LinkedHashMap<>();
  private final Map<String, Integer> runningByHost = new HashMap<>();
  private int running;
  private volatile boolean closing;

  /**
   * Set while this thread runs {@link #tick()}: a check it runs itself must not start another
   * round.
   */
  private static final ThreadLocal<Boolean> IN_TICK = ThreadLocal.withInitial(() -> false);

  private Thread timer;

  /** One account and what the poller knows of it; guarded by {@link #lock}. */
  private static final class Account {
    final String name;
    final String host;
    final Fetcher fetcher;
    final Cadence cadence;
    final ArrayDeque<CheckRecord> history = new ArrayDeque<>();
    Instant next;
    FetchException pausedBy;
    CompletableFuture<CheckRecord> current;
    CompletableFuture<CheckRecord> wanted;
    volatile boolean removed;

    Account(String host, Fetcher fetcher, PollSchedule schedule) {
      this.name = fetcher.account();
      this.host = host;
      this.fetcher = fetcher;
      this.cadence = new Cadence(schedule, name);
    }
  }

  private Poller(Builder b) {
    this.clock = b.clock;
    this.schedule = b.schedule;
    this.maxChecks = b.maxChecks;
    this.maxChecksPerHost = b.maxChecksPerHost;
    this.historySize = b.historySize;
    this.listener = b.listener;
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownExecutor = null;
    } else {
      this.ownExecutor =
          Executors.newFixedThreadPool(
              b.maxChecks,
              r -> {
                Thread t = new Thread(r, "mailfetch-poll-check");
                t.setDaemon(true);
                return t;
              });
      this.executor = ownExecutor;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- accounts

  /**
   * Adds an account, checked first within the schedule's minimum interval (accounts added together
   * spread over it). {@code host} is what the per-host bound counts: the server's host name.
   *
   * @throws IllegalArgumentException if an account of that name is already there
   * @throws IllegalStateException once the poller is closing
   */
  public void add(Fetcher fetcher, String host) {
    Objects.requireNonNull(fetcher, "fetcher");
    Objects.requireNonNull(host, "host");
    lock.lock();
    try {
      if (closing) {
        throw new IllegalStateException("the poller is closing");
      }
      if (accounts.containsKey(fetcher.account())) {
        throw new IllegalArgumentException("account " + fetcher.account() + " is already polled");
      }
      Account a = new Account(host.toLowerCase(java.util.Locale.ROOT), fetcher, schedule);
      a.next = a.cadence.first(clock.instant());
      accounts.put(a.name, a);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes an account. A check of it that is running stops after the message in progress (what it
   * delivered is kept); the returned future completes when it has, at once if none runs.
   *
   * @return empty if there is no such account
   */
  public Optional<CompletableFuture<CheckRecord>> remove(String account) {
    lock.lock();
    try {
      Account a = accounts.remove(account);
      if (a == null) {
        return Optional.empty();
      }
      a.removed = true;
      if (a.wanted != null) {
        a.wanted.cancel(false);
        a.wanted = null;
      }
      changed.signalAll();
      return Optional.of(a.current != null ? a.current : CompletableFuture.completedFuture(null));
    } finally {
      lock.unlock();
    }
  }

  /** The accounts polled, in the order added. */
  public Set<String> accounts() {
    lock.lock();
    try {
      return new LinkedHashSet<>(accounts.keySet());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checks the account now: returns the running check if there is one, else starts one at once, or
   * as soon as the concurrency bounds allow (ahead of scheduled checks). A paused account is
   * checked too (the user fixed something and pressed the button); if it works, it is resumed.
   *
   * @throws IllegalArgumentException if there is no such account
   */
  public CompletableFuture<CheckRecord> checkNow(String account) {
    CompletableFuture<CheckRecord> f;
    lock.lock();
    try {
      Account a = get(account);
      if (closing) {
        return CompletableFuture.failedFuture(new IllegalStateException("the poller is closing"));
      }
      if (a.current != null) {
        return a.current;
      }
      if (a.wanted == null) {
        a.wanted = new CompletableFuture<>();
      }
      f = a.wanted;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    tick();
    return f;
  }

  /** Takes a paused account up again, due at once; false if it was not paused. */
  public boolean resume(String account) {
    lock.lock();
    try {
      Account a = get(account);
      if (a.pausedBy == null) {
        return false;
      }
      a.pausedBy = null;
      a.next = clock.instant();
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The account's last checks, oldest first (at most the builder's historySize). */
  public List<CheckRecord> history(String account) {
    lock.lock();
    try {
      return List.copyOf(get(account).history);
    } finally {
      lock.unlock();
    }
  }

  public PollStatus status(String account) {
    lock.lock();
    try {
      Account a = get(account);
      return new PollStatus(
          a.name,
          a.host,
          a.current != null,
          a.pausedBy == null ? Optional.of(a.next) : Optional.empty(),
          Optional.ofNullable(a.pausedBy),
          a.cadence.ratePerHour(),
          a.cadence.failuresInARow());
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- running checks

  /** Starts a thread that runs {@link #tick()} whenever a check falls due. */
  public void start() {
    lock.lock();
    try {
      if (closing) {
        throw new IllegalStateException("the poller is closing");
      }
      if (timer != null) {
        return;
      }
      timer = new Thread(this::timerLoop, "mailfetch-poller");
      timer.setDaemon(true);
      timer.start();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts every check that is due (or asked for by {@link #checkNow}), earliest first, as far as
   * the bounds allow; the others wait for a free slot. With an executor that runs tasks in the
   * calling thread, the checks run here, one after another.
   */
  public void tick() {
    boolean outer = !IN_TICK.get();
    IN_TICK.set(true);
    try {
      round();
    } finally {
      if (outer) {
        IN_TICK.set(false);
      }
    }
  }

  private void round() {
    while (true) {
      List<Account> starting = new ArrayList<>();
      lock.lock();
      try {
        if (closing) {
          return;
        }
        Instant now = clock.instant();
        List<Account> due = new ArrayList<>();
        for (Account a : accounts.values()) {
          if (a.current == null
              && (a.wanted != null || (a.pausedBy == null && !a.next.isAfter(now)))) {
            due.add(a);
          }
        }
        due.sort(
            Comparator.<Account>comparingInt(a -> a.wanted != null ? 0 : 1)
                .thenComparing(a -> a.next));
        for (Account a : due) {
          if (running >= maxChecks) {
            break;
          }
          if (runningByHost.getOrDefault(a.host, 0) >= maxChecksPerHost) {
            continue;
          }
          a.current = a.wanted != null ? a.wanted : new CompletableFuture<>();
          a.wanted = null;
          running++;
          runningByHost.merge(a.host, 1, Integer::sum);
          starting.add(a);
        }
      } finally {
        lock.unlock();
      }
      if (starting.isEmpty()) {
        return;
      }
      for (Account a : starting) {
        try {
          executor.execute(() -> check(a));
        } catch (RejectedExecutionException e) {
          log.warn(
              "{} - the executor refused a check; it is tried again later: {}",
              a.name,
              e.toString());
          finished(a, null, e);
        }
      }
    }
  }

  private void timerLoop() {
    while (!closing) {
      tick();
      lock.lock();
      try {
        if (closing) {
          return;
        }
        changed.awaitNanos(nanosUntilDue());
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Under the lock: how long the timer may sleep. */
  private long nanosUntilDue() {
    Instant now = clock.instant();
    long wait = MAX_WAIT_NANOS;
    boolean slotFree = running < maxChecks;
    for (Account a : accounts.values()) {
      if (a.current != null || (a.pausedBy != null && a.wanted == null)) {
        continue;
      }
      long until = a.wanted != null ? 0 : Duration.between(now, a.next).toNanos();
      if (until <= 0 && !slotFree) {
        continue; // due but waiting for a slot: a finished check signals
      }
      wait = Math.min(wait, Math.max(until, 1_000_000L));
    }
    return wait;
  }

  private void check(Account a) {
    safely(() -> listener.checkStarted(a.name));
    Instant started = clock.instant();
    FetchResult r = null;
    RuntimeException bug = null;
    try {
      r = a.fetcher.run(() -> closing || a.removed);
    } catch (RuntimeException e) {
      bug = e; // a Fetcher reports errors in its result; this is a bug somewhere below
    } finally {
      if (r == null && bug == null) {
        finished(a, null, null); // an Error is on its way up: free the slot
      }
    }
    finished(a, r, bug);
    if (!IN_TICK.get()) {
      tick(); // a slot is free: a check waiting for one starts now
    }
  }

  /**
   * Records a check's end, decides the next, frees its slot, and tells the listener and the waiter.
   */
  private void finished(Account a, FetchResult r, RuntimeException bug) {
    Instant ended = clock.instant();
    CheckRecord record;
    boolean paused = false;
    boolean resumed = false;
    CompletableFuture<CheckRecord> future;
    lock.lock();
    try {
      future = a.current;
      if (future == null) {
        return; // already freed
      }
      a.current = null;
      running--;
      runningByHost.merge(a.host, -1, (x, y) -> x + y == 0 ? null : x + y);
      FetchException error =
          r == null
              ? new FetchException(
                  FetchError.PROTOCOL, "the check failed unexpectedly: " + bug, bug)
              : r.error().orElse(null);
      Instant started = r != null ? r.started() : ended;
      Optional<Duration> loginDelay =
          r == null ? Optional.empty() : r.capabilities().flatMap(Capabilities::loginDelay);
      CheckRecord.Outcome outcome;
      Cadence.Decision d = null;
      if (error != null && error.error() == FetchError.STOPPED) {
        outcome = CheckRecord.Outcome.STOPPED;
      } else if (error != null && Cadence.putOff(error.error())) {
        outcome = CheckRecord.Outcome.PUT_OFF;
        d = a.cadence.afterPutOff(ended, loginDelay);
      } else if (error != null && (r == null || error.error().retryable())) {
        outcome = CheckRecord.Outcome.FAILED;
        d = a.cadence.afterTransient(ended);
      } else if (error != null) {
        outcome = CheckRecord.Outcome.PAUSED;
        paused = a.pausedBy == null || a.pausedBy.error() != error.error(); // said once
        a.pausedBy = error;
      } else {
        int delivered = r.count(MessageOutcome.Kind.DELIVERED);
        outcome = delivered > 0 ? CheckRecord.Outcome.NEW_MAIL : CheckRecord.Outcome.NOTHING_NEW;
        d = a.cadence.afterSuccess(started, ended, delivered, loginDelay);
        resumed = a.pausedBy != null;
        a.pausedBy = null;
      }
      if (d != null) {
        a.next = d.next();
      } else if (outcome == CheckRecord.Outcome.STOPPED) {
        a.next = ended.plus(schedule.minInterval());
      }
      boolean scheduled = !a.removed && a.pausedBy == null;
      record =
          new CheckRecord(
              a.name,
              started,
              Duration.between(started, ended),
              outcome,
              r == null ? 0 : r.listed(),
              r == null ? 0 : r.count(MessageOutcome.Kind.DELIVERED),
              r == null ? 0 : r.bytesDelivered(),
              r == null ? 0 : r.count(MessageOutcome.Kind.FAILED) - r.notTried(),
              error != null ? Optional.of(error) : r.firstError(),
              scheduled ? Optional.of(a.next) : Optional.empty(),
              scheduled ? Duration.between(ended, a.next) : Duration.ZERO,
              r == null ? FetchResult.Status.ERROR : r.status(),
              r == null ? List.of() : r.warnings(),
              r == null ? List.of() : CheckRecord.heldBack(r));
      a.history.addLast(record);
      while (a.history.size() > historySize) {
        a.history.removeFirst();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (paused) {
      FetchException why = record.error().orElseThrow();
      log.warn("{} - paused until resumed: {}", a.name, why.getMessage());
      safely(() -> listener.accountPaused(a.name, why));
    }
    if (resumed) {
      safely(() -> listener.accountResumed(a.name));
    }
    safely(() -> listener.checkFinished(record));
    future.complete(record);
  }

  private void safely(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("poll listener {} threw; ignored", listener.getClass().getName(), e);
    }
  }

  private Account get(String account) {
    Account a = accounts.get(account);
    if (a == null) {
      throw new IllegalArgumentException("no account " + account + " is polled");
    }
    return a;
  }

  // ---------------------------------------------------------------- closing

  /**
   * Stops: no check starts any more; running ones finish the message in progress, make what they
   * delivered durable and end (their records say {@link CheckRecord.Outcome#STOPPED}). Waits for
   * them at most {@code grace}.
   *
   * @return true if every check had ended when it returned
   */
  public boolean close(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    Thread t;
    boolean done;
    lock.lock();
    try {
      closing = true;
      for (Account a : accounts.values()) {
        if (a.wanted != null) {
          a.wanted.cancel(false);
          a.wanted = null;
        }
      }
      changed.signalAll();
      long left;
      while (running > 0 && (left = deadline - System.nanoTime()) > 0) {
        changed.awaitNanos(left);
      }
      done = running == 0;
      t = timer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
      t = timer;
    } finally {
      lock.unlock();
    }
    if (t != null) {
      t.interrupt();
    }
    if (ownExecutor != null) {
      ownExecutor.shutdown();
    }
    return done;
  }

  /** {@link #close(Duration)} with 30 seconds. */
  @Override
  public void close() {
    if (!close(Duration.ofSeconds(30))) {
      log.warn("checks still running 30 s after close; they end when their message does");
    }
  }

  /** Builds a {@link Poller}; each setter checks its value. */
  public static final class Builder {
    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private PollSchedule schedule = PollSchedule.defaults();
    private int maxChecks = 16;
    private int maxChecksPerHost = 4;
    private int historySize = 50;
    private PollListener listener = PollListener.NONE;

    private Builder() {}

    /**
     * Where checks run; one check occupies a thread for its whole session. Default: a pool of
     * {@code maxChecks} daemon threads of the poller's own, shut down at close. Virtual threads
     * ({@code Executors.newVirtualThreadPerTaskExecutor()}, JDK 21+) suit it well.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder schedule(PollSchedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /** Checks running at once, overall (default 16). */
    public Builder maxChecks(int n) {
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException("maxChecks must be 1 to 100000: " + n);
      }
      maxChecks = n;
      return this;
    }

    /** Checks running at once against one server host (default 4): servers rate-limit. */
    public Builder maxChecksPerHost(int n) {
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException("maxChecksPerHost must be 1 to 100000: " + n);
      }
      maxChecksPerHost = n;
      return this;
    }

    /** Checks kept per account in {@link #history} (default 50). */
    public Builder historySize(int n) {
      if (n < 0 || n > 100_000) {
        throw new IllegalArgumentException("historySize must be 0 to 100000: " + n);
      }
      historySize = n;
      return this;
    }

    public Builder listener(PollListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Poller build() {
      return new Poller(this);
    }
  }
}
