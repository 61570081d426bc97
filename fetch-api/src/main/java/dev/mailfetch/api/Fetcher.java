package dev.mailfetch.api;

import dev.mailfetch.api.internal.Require;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Fetches mail from one {@link FetchSource} into one {@link MessageSink}, exactly once.
 *
 * <pre>{@code
 * Fetcher fetcher = Fetcher.builder()
 *     .source(source)                       // e.g. a Pop3Source
 *     .sink(sink)                           // e.g. a Maildir, or InMemorySink.create()
 *     .uidStore(store)                      // what was fetched before
 *     .retention(Retention.DELETE_AFTER_DELIVERY)
 *     .build();
 * FetchResult result = fetcher.run();       // one session: list, fetch what is new, delete
 * }</pre>
 *
 * <p>A fetcher is immutable configuration plus a guard: {@link #run()} may be called again and
 * again (each call is one session), from any thread, but never twice at once; a second concurrent
 * call returns at once with {@link FetchError#LOCKED}.
 *
 * <p><b>What a run promises.</b>
 *
 * <ul>
 *   <li>No message is deleted from the server before the sink's {@link MessageSink#sync()} returned
 *       and the {@link UidStore} recorded its delivery.
 *   <li>A message whose retrieval or storage fails is aborted in the sink, not recorded, not
 *       deleted, and tried again next run; after {@linkplain Builder#quarantineAfter failing in
 *       several runs} it is quarantined and reported. The messages after it still flow.
 *   <li>Every delivery carries a {@link DeliveryKey}, so that a message delivered again after a
 *       crash is a no-op in the sink, never a duplicate.
 *   <li>Every listed message gets exactly one outcome in the {@link FetchResult}.
 *   <li>Leaving mail on the server is refused up front ({@link FetchError#POLICY}) where the server
 *       has no stable unique ids or announces {@code EXPIRE 0}.
 * </ul>
 *
 * <p>{@code run()} does not throw for anything a server, network, sink or store can do: those end
 * up in the result. It lets {@link Error}s through untouched.
 */
public final class Fetcher {
  /** Default of {@link Builder#batchSize}: {@value} messages between durability barriers. */
  public static final int DEFAULT_BATCH_SIZE = 50;

  /** Default of {@link Builder#quarantineAfter}: {@value} runs. */
  public static final int DEFAULT_QUARANTINE_AFTER = 5;

  final FetchSource source;
  final MessageSink sink;
  final UidStore uidStore;
  final DedupPolicy dedupPolicy;
  final LabelPolicy labelPolicy;
  final Retention retention;
  final boolean onlyNew;
  final FetchLimits limits;
  final int batchSize;
  final int quarantineAfter;
  final boolean retryQuarantined;
  final FetchListener listener;
  final Clock clock;
  final boolean provenanceHeader;
  final String account;
  private final AtomicBoolean running = new AtomicBoolean();

  private Fetcher(Builder b) {
    this.source = b.source;
    this.sink = b.sink;
    this.uidStore = b.uidStore;
    this.dedupPolicy = b.dedupPolicy;
    this.labelPolicy = b.labelPolicy;
    this.retention = b.retention;
    this.onlyNew = b.onlyNew;
    this.limits = b.limits;
    this.batchSize = b.batchSize;
    this.quarantineAfter = b.quarantineAfter;
    this.retryQuarantined = b.retryQuarantined;
    this.listener = new GuardedListener(b.listener);
    this.clock = b.clock;
    this.provenanceHeader = b.provenanceHeader;
    this.account = b.account;
  }

  /** A builder; {@code source}, {@code sink} and {@code uidStore} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs one session: open, list, fetch what is new in batches (each ending in a durability
   * barrier), delete what the retention says, and quit.
   *
   * @return the report; see {@link FetchResult#ok()}
   */
  public FetchResult run() {
    return run(() -> false);
  }

  /**
   * As {@link #run()}, ending early once {@code stopRequested} says so: checked before each batch
   * and before each message. Inside a batch the message in progress is finished, the session is
   * dropped and what was delivered is made durable; between batches the run ends after the barrier.
   * Deletions are committed only if the source had not already requested the next batch (a
   * pipelining POP3 source has, and then drops the session: nothing is deleted this time, and the
   * delivered messages are deleted by the next run). The messages not fetched fail with {@link
   * FetchError#STOPPED}, not counted against them.
   */
  public FetchResult run(BooleanSupplier stopRequested) {
    Objects.requireNonNull(stopRequested, "stopRequested");
    if (!running.compareAndSet(false, true)) {
      return FetchRun.refused(
          RunConfig.of(this),
          new FetchException(
              FetchError.LOCKED,
              "a run of account " + account + " is already in progress in this" + " fetcher",
              null,
              null,
              Remedy.of(
                  "Wait for the run in progress to end: this account is being fetched" + " now.",
                  "Wait for the run in progress to end, or give each thread a Fetcher of its own account;"
                      + " one Fetcher runs one session at a time.")));
    }
    try {
      return new FetchRun(RunConfig.of(this), stopRequested).run();
    } finally {
      running.set(false);
    }
  }

  /** The account this fetcher serves, as its source names it. */
  public String account() {
    return account;
  }

  /**
   * How this fetcher's source can say that new mail may have arrived ({@link FetchSource#push()});
   * empty when it cannot.
   */
  public Optional<MailPush> push() {
    return source.push();
  }

  @Override
  public String toString() {
    return "Fetcher[" + account + ", retention=" + retention + ", onlyNew=" + onlyNew + "]";
  }

  /**
   * Builds a {@link Fetcher}. Each setting may be set once (a second call is refused, showing the
   * value it has); arguments are checked at once and {@link #build()} checks that the required ones
   * are there, so a mistake shows where it is made.
   */
  public static final class Builder {
    private FetchSource source;
    private MessageSink sink;
    private UidStore uidStore;
    private DedupPolicy dedupPolicy = DedupPolicy.none();
    private LabelPolicy labelPolicy = LabelPolicy.none();
    private Retention retention = Retention.KEEP;
    private boolean onlyNew;
    private FetchLimits limits = FetchLimits.defaults();
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int quarantineAfter = DEFAULT_QUARANTINE_AFTER;
    private boolean retryQuarantined;
    private FetchListener listener = FetchListener.NONE;
    private Clock clock = Clock.systemUTC();
    private boolean provenanceHeader;
    private String account;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /** Where mail comes from. Required. */
    public Builder source(FetchSource source) {
      once.set("source", this.source);
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /** Where mail goes. Required. */
    public Builder sink(MessageSink sink) {
      once.set("sink", this.sink);
      this.sink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** What was fetched before, for this account. Required. */
    public Builder uidStore(UidStore uidStore) {
      once.set("uidStore", this.uidStore);
      this.uidStore = Objects.requireNonNull(uidStore, "uidStore");
      return this;
    }

    /** How duplicates are found; default {@link DedupPolicy#none()}. */
    public Builder dedupPolicy(DedupPolicy policy) {
      once.set("dedupPolicy", this.dedupPolicy);
      this.dedupPolicy = Objects.requireNonNull(policy, "dedupPolicy");
      return this;
    }

    /** How messages are labelled; default {@link LabelPolicy#none()}. */
    public Builder labelPolicy(LabelPolicy policy) {
      once.set("labelPolicy", this.labelPolicy);
      this.labelPolicy = Objects.requireNonNull(policy, "labelPolicy");
      return this;
    }

    /** What happens on the server after delivery; default {@link Retention#KEEP}. */
    public Builder retention(Retention retention) {
      once.set("retention", this.retention);
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * Fetch only mail that arrives from now on: the first run records what is on the server as
     * seen, without downloading it (Gmail's "only mail that arrives from now on"). Default false.
     * It needs stable unique ids, as leaving mail on the server does.
     */
    public Builder onlyNew(boolean onlyNew) {
      once.set("onlyNew", this.onlyNew);
      this.onlyNew = onlyNew;
      return this;
    }

    /** The caps of a run; default {@link FetchLimits#defaults()}. */
    public Builder limits(FetchLimits limits) {
      once.set("limits", this.limits);
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * How many messages are retrieved between durability barriers, 1 to 10,000; default {@value
     * #DEFAULT_BATCH_SIZE}. A larger batch pipelines further and syncs less often; a crash
     * re-downloads at most one batch (and delivers none of it twice).
     */
    public Builder batchSize(int messages) {
      once.set("batchSize", this.batchSize);
      this.batchSize = Require.range("batchSize", messages, 1, 10_000);
      return this;
    }

    /**
     * After how many runs in which a message failed it is quarantined (no longer tried, reported as
     * skipped); 1 to 1,000, default {@value #DEFAULT_QUARANTINE_AFTER}.
     */
    public Builder quarantineAfter(int runs) {
      once.set("quarantineAfter", this.quarantineAfter);
      this.quarantineAfter = Require.range("quarantineAfter", runs, 1, 1000);
      return this;
    }

    /**
     * Try quarantined messages again in this fetcher's runs, as if they had not failed before (once
     * the cause is fixed: more space, a raised limit, a repaired message on the server). A message
     * that fails again counts one more failure and stays quarantined for the runs after. Default
     * false. The command's option is {@code --retry-quarantined}.
     */
    public Builder retryQuarantined(boolean retry) {
      once.set("retryQuarantined", this.retryQuarantined);
      this.retryQuarantined = retry;
      return this;
    }

    /**
     * Hears progress; default {@link FetchListener#NONE}. Its exceptions are logged, not thrown.
     */
    public Builder listener(FetchListener listener) {
      once.set("listener", this.listener);
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The clock for first-seen times and deletion ages; default the system clock in UTC. */
    public Builder clock(Clock clock) {
      once.set("clock", this.clock);
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Prepend an {@value ProvenanceHeader#NAME} header to each delivered message, recording the
     * account, server, unique id and time (see {@link ProvenanceHeader}). Default false, so that a
     * message is stored exactly as the server sent it.
     */
    public Builder provenanceHeader(boolean prepend) {
      once.set("provenanceHeader", this.provenanceHeader);
      this.provenanceHeader = prepend;
      return this;
    }

    /**
     * Builds the fetcher.
     *
     * @throws IllegalStateException if source, sink or uidStore is missing, or the source's account
     *     name is empty or contains control characters
     */
    public Fetcher build() {
      if (source == null || sink == null || uidStore == null) {
        throw new IllegalStateException(
            "source, sink and uidStore are required; missing: "
                + (source == null ? "source " : "")
                + (sink == null ? "sink " : "")
                + (uidStore == null ? "uidStore" : ""));
      }
      String name = source.account();
      if (name == null || name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalStateException(
            "the source's account name must be non-empty text without control characters: "
                + (name == null ? "null" : FetchException.escape(name)));
      }
      this.account = name;
      return new Fetcher(this);
    }
  }
}
