package dev.mailfetch.poll;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.internal.Require;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
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

  /** Default of {@link Builder#maxChecks}: {@value} checks at once. */
  public static final int DEFAULT_MAX_CHECKS = 16;

  /** Default of {@link Builder#maxChecksPerHost}: {@value} checks at once against one host. */
  public static final int DEFAULT_MAX_CHECKS_PER_HOST = 4;

  /**
   * Default of {@link Builder#maxWatchesPerHost}: {@value} push connections (IMAP {@code IDLE}) at
   * once to one server host, a small office's worth (why: docs/poll.md, "Push").
   */
  public static final int DEFAULT_MAX_WATCHES_PER_HOST = 50;

  /** Default of {@link Builder#historySize}: {@value} checks kept per account. */
  public static final int DEFAULT_HISTORY_SIZE = 50;

  /** The most any of the builder's counts may be. */
  private static final int MAX_BOUND = 100_000;

  private final Executor executor;
  private final ExecutorService ownExecutor;
  final Clock clock;
  private final PollSchedule schedule;
  private final int historySize;
  final PollListener listener;

  final ReentrantLock lock = new ReentrantLock();
  final Condition changed = lock.newCondition();
  private final Map<String, AccountState> accounts = new LinkedHashMap<>();
  final DueQueue due = new DueQueue();
  private final Slots slots;
  private final PushWatches pushes;
  private long added;

  private final PollTimer pollTimer = new PollTimer(this);
  volatile boolean closing;
  volatile Thread timer;

  private Poller(Builder b) {
    this.clock = b.clock;
    this.schedule = b.schedule;
    this.historySize = b.historySize;
    this.listener = new GuardedPollListener(b.listener);
    this.slots = new Slots(b.maxChecks, b.maxChecksPerHost);
    this.pushes = new PushWatches(b.push, b.maxWatchesPerHost, b.watchThreads, this);
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
   * spread over it). {@code host} is what the per-host bounds count: the server's host name. Where
   * its source can push ({@link Fetcher#push()}) and the host has room for its watches, they open
   * now; else it waits, polled, for room.
   *
   * @throws IllegalArgumentException if an account of that name is already there
   * @throws IllegalStateException once the poller is closing
   */
  public void add(Fetcher fetcher, String host) {
    Objects.requireNonNull(fetcher, "fetcher");
    Objects.requireNonNull(host, "host");
    AccountState a;
    lock.lock();
    try {
      if (closing) {
        throw new IllegalStateException("the poller is closing");
      }
      if (accounts.containsKey(fetcher.account())) {
        throw new IllegalArgumentException("account " + fetcher.account() + " is already polled");
      }
      a =
          new AccountState(
              host.toLowerCase(Locale.ROOT),
              fetcher,
              schedule,
              historySize,
              added++,
              pushes.enabled());
      a.next = a.cadence.first(clock.instant());
      accounts.put(a.name, a);
      due.file(a);
      changed();
      if (!pushes.reserve(a)) {
        return;
      }
    } finally {
      lock.unlock();
    }
    pushes.open(a);
  }

  /**
   * Removes an account. A check of it that is running stops after the message in progress (what it
   * delivered is kept); the returned future completes when it has, at once if none runs.
   *
   * @return empty if there is no such account
   */
  public Optional<CompletableFuture<CheckRecord>> remove(String account) {
    Runnable closeWatches;
    CompletableFuture<CheckRecord> f;
    lock.lock();
    try {
      AccountState a = accounts.remove(account);
      if (a == null) {
        return Optional.empty();
      }
      a.removed = true;
      if (a.wanted != null) {
        a.wanted.cancel(false);
        a.wanted = null;
      }
      due.drop(a);
      changed();
      closeWatches = pushes.removed(a);
      f = a.current != null ? a.current : CompletableFuture.completedFuture(null);
    } finally {
      lock.unlock();
    }
    closeWatches.run();
    return Optional.of(f);
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
      AccountState a = get(account);
      if (closing) {
        return CompletableFuture.failedFuture(new IllegalStateException("the poller is closing"));
      }
      if (a.current != null) {
        return a.current;
      }
      if (a.want(CheckRecord.Cause.ASKED)) {
        due.file(a);
      }
      f = a.wanted;
      changed();
    } finally {
      lock.unlock();
    }
    tick();
    return f;
  }

  /** Push connections held to {@code host} now (watching, or about to watch again). */
  public int watches(String host) {
    lock.lock();
    try {
      return pushes.watching(host.toLowerCase(Locale.ROOT));
    } finally {
      lock.unlock();
    }
  }

  /** Takes a paused account up again, due at once; false if it was not paused. */
  public boolean resume(String account) {
    lock.lock();
    try {
      AccountState a = get(account);
      if (a.pausedBy == null) {
        return false;
      }
      a.pausedBy = null;
      a.next = clock.instant();
      due.file(a);
      changed();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The account's last checks, oldest first (at most the builder's historySize). */
  public List<CheckRecord> history(String account) {
    lock.lock();
    try {
      return get(account).history();
    } finally {
      lock.unlock();
    }
  }

  public PollStatus status(String account) {
    lock.lock();
    try {
      return get(account).status();
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
      Thread t = new Thread(pollTimer::loop, "mailfetch-poller");
      t.setDaemon(true);
      timer = t;
      t.start();
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
    while (true) {
      List<AccountState> starting;
      lock.lock();
      try {
        if (closing) {
          return;
        }
        Instant now = clock.instant();
        starting = due.takeDue(now, slots);
        if (starting.isEmpty()) {
          pollTimer.settled(now);
          return;
        }
        for (AccountState a : starting) {
          var unused = a.start(); // its future completes when the check has run, below
        }
      } finally {
        lock.unlock();
      }
      for (AccountState a : starting) {
        AtomicBoolean handedOver = new AtomicBoolean();
        try {
          executor.execute(() -> check(a, handedOver));
        } catch (RejectedExecutionException e) {
          log.warn(
              "{} - the executor refused a check; it is tried again later: {}",
              a.name,
              e.toString());
          finished(a, null, e);
        }
        handedOver.set(true);
      }
    }
  }

  /**
   * Runs one check. When it ends, its slot is free for a check that waits for one: the timer, if it
   * runs, is signalled; else this thread runs the round, unless the check ran inside {@link
   * #tick()}'s own call to the executor ({@code handedOver} still unset), whose round looks again
   * once the call returns.
   */
  private void check(AccountState a, AtomicBoolean handedOver) {
    listener.checkStarted(a.name);
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
    if (timer == null && handedOver.get()) {
      tick(); // a slot is free: a check waiting for one starts now
    }
  }

  /**
   * Records a check's end, decides the next, frees its slot, and tells the listener and the waiter.
   */
  private void finished(AccountState a, FetchResult r, RuntimeException bug) {
    Instant ended = clock.instant();
    CheckRecord record;
    CheckClassifier.Verdict verdict;
    CompletableFuture<CheckRecord> future;
    boolean retryPush;
    lock.lock();
    try {
      future = a.current;
      if (future == null) {
        return; // already freed
      }
      a.current = null;
      slots.release(a.host);
      verdict = CheckClassifier.classify(r, bug, a.pausedBy);
      record = a.finish(r, verdict, ended, schedule.minInterval());
      retryPush = !closing && pushes.afterCheck(a, record, ended);
      due.file(a);
      changed();
    } finally {
      lock.unlock();
    }
    if (retryPush) {
      pushes.open(a);
    }
    if (verdict.paused()) {
      FetchException why = record.error().orElseThrow();
      log.warn("{} - paused until resumed: {}", a.name, why.getMessage());
      listener.accountPaused(a.name, why);
    }
    if (verdict.resumed()) {
      listener.accountResumed(a.name);
    }
    listener.checkFinished(record);
    future.complete(record);
  }

  /** Under the lock: a change that may let a check start, or end a wait in {@link #close}. */
  void changed() {
    pollTimer.changed();
    changed.signalAll();
  }

  private AccountState get(String account) {
    AccountState a = accounts.get(account);
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
    List<PushWatches.Entry> watches = List.of();
    lock.lock();
    try {
      closing = true;
      watches = PushWatches.entries(accounts.values());
      for (AccountState a : accounts.values()) {
        if (a.wanted != null) {
          a.wanted.cancel(false);
          a.wanted = null;
          due.file(a);
        }
      }
      changed();
      long left;
      while (slots.running() > 0 && (left = deadline - System.nanoTime()) > 0) {
        changed.awaitNanos(left);
      }
      done = slots.running() == 0;
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
    PushWatches.close(watches);
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

  /**
   * Builds a {@link Poller}. Each setter checks its value (an {@link IllegalArgumentException}
   * naming the setting) and may be called once (a second call is refused with an {@link
   * IllegalStateException} showing the value the first one set).
   */
  public static final class Builder {
    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private PollSchedule schedule = PollSchedule.defaults();
    private int maxChecks = DEFAULT_MAX_CHECKS;
    private int maxChecksPerHost = DEFAULT_MAX_CHECKS_PER_HOST;
    private int historySize = DEFAULT_HISTORY_SIZE;
    private PollListener listener = PollListener.NONE;
    private boolean push = true;
    private int maxWatchesPerHost = DEFAULT_MAX_WATCHES_PER_HOST;
    private ThreadFactory watchThreads;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /**
     * Where checks run; one check occupies a thread for its whole session. Default: a pool of
     * {@code maxChecks} daemon threads of the poller's own, shut down at close. Virtual threads
     * ({@code Executors.newVirtualThreadPerTaskExecutor()}, JDK 21+) suit it well.
     */
    public Builder executor(Executor executor) {
      once.set("executor", this.executor == null ? "the poller's own pool" : this.executor);
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Where time comes from. Default: the system clock in UTC. */
    public Builder clock(Clock clock) {
      once.set("clock", this.clock);
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How often each account is checked. Default: {@link PollSchedule#defaults()}. */
    public Builder schedule(PollSchedule schedule) {
      once.set("schedule", this.schedule);
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /** Checks running at once, overall: 1 to 100,000. Default {@value #DEFAULT_MAX_CHECKS}. */
    public Builder maxChecks(int n) {
      once.set("maxChecks", maxChecks);
      Require.requireArgument(n >= 1 && n <= MAX_BOUND, "maxChecks must be 1 to 100000: %d", n);
      maxChecks = n;
      return this;
    }

    /**
     * Checks running at once against one server host (servers rate-limit): 1 to 100,000. Default
     * {@value #DEFAULT_MAX_CHECKS_PER_HOST}.
     */
    public Builder maxChecksPerHost(int n) {
      once.set("maxChecksPerHost", maxChecksPerHost);
      Require.requireArgument(
          n >= 1 && n <= MAX_BOUND, "maxChecksPerHost must be 1 to 100000: %d", n);
      maxChecksPerHost = n;
      return this;
    }

    /**
     * Checks kept per account in {@link #history}: 0 to 100,000. Default {@value
     * #DEFAULT_HISTORY_SIZE}.
     */
    public Builder historySize(int n) {
      once.set("historySize", historySize);
      Require.requireArgument(n >= 0 && n <= MAX_BOUND, "historySize must be 0 to 100000: %d", n);
      historySize = n;
      return this;
    }

    /** Who hears what the poller does. Default: {@link PollListener#NONE}. */
    public Builder listener(PollListener listener) {
      once.set("listener", this.listener == PollListener.NONE ? "none" : this.listener);
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Whether an account whose source can push ({@link dev.mailfetch.api.MailPush}: IMAP {@code
     * IDLE}) is watched and checked as soon as mail arrives, its schedule kept as the fall-back.
     * Default true; false polls every account on its schedule alone.
     */
    public Builder push(boolean push) {
      once.set("push", this.push);
      this.push = push;
      return this;
    }

    /**
     * Push connections held at once to one server host (each watched mailbox holds one): 0 to
     * 100,000; the accounts beyond it are polled. Default {@value #DEFAULT_MAX_WATCHES_PER_HOST}.
     */
    public Builder maxWatchesPerHost(int n) {
      once.set("maxWatchesPerHost", maxWatchesPerHost);
      Require.requireArgument(
          n >= 0 && n <= MAX_BOUND, "maxWatchesPerHost must be 0 to 100000: %d", n);
      maxWatchesPerHost = n;
      return this;
    }

    /**
     * Where push watches run: each holds one thread for its life, blocked in a read nearly all the
     * time. Default: virtual threads where the Java runtime has them (21 and later), else daemon
     * threads with a small stack.
     */
    public Builder watchThreads(ThreadFactory threads) {
      once.set("watchThreads", watchThreads == null ? "the default" : watchThreads);
      this.watchThreads = Objects.requireNonNull(threads, "threads");
      return this;
    }

    public Poller build() {
      return new Poller(this);
    }
  }
}
