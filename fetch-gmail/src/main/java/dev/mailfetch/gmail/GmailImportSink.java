package dev.mailfetch.gmail;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.gmail.internal.Config;
import dev.mailfetch.gmail.internal.ImportCore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Delivers fetched mail into one Gmail mailbox through the Gmail API's {@code
 * users.messages.import}, exactly once across crashes, within Gmail's quota. See docs/gmail.md.
 *
 * <pre>{@code
 * GmailImportSink gmail = GmailImportSink.builder()
 *     .mailbox("me@gmail.com")                      // checked against the token's account
 *     .tokens(tokenProvider)                        // an OAuth 2.0 refresh-token provider
 *     .journalDirectory(Path.of("state/gmail"))     // its journal and spool
 *     .build();
 * Fetcher.builder().source(pop3).sink(gmail).uidStore(store).build().run();
 * }</pre>
 *
 * <p><b>What Gmail gets.</b> Each message is imported as Gmail's Mail Fetcher did: scanned and
 * classified like ordinary incoming mail (spam included: {@code neverMarkSpam} false), dated by its
 * own {@code Date:} header ({@link InternalDateSource#DATE_HEADER}), filed in the inbox and unread,
 * or only unread when its {@link Envelope#archived()} says archive, and under each of its {@link
 * Envelope#labels()}, which are created in Gmail where missing ({@code Lists/Work} nests {@code
 * Work} under {@code Lists}, as Gmail nests by the {@code /}). Labels are listed once per sink and
 * created once, whatever the number of imports on their way.
 *
 * <p><b>A destination that answers later.</b> {@link Delivery#complete} spools the message (in
 * memory up to {@link Builder#memorySpoolBytes}, else in a file in the journal directory, so a 100
 * MB message passes in a small heap), writes a durable intent record to the journal and hands the
 * import to a bounded pool of {@link Builder#parallelism} requests; it blocks while that many more
 * wait. {@link #contains} is true while a message is on its way and once Gmail answered {@code 200}
 * for it. {@link #sync()} waits for every import completed before it, and throws {@link
 * DeliveriesFailed} naming each message Gmail did not take: {@link FetchError#SINK_REJECTED} with
 * Gmail's reason for a message it refused ({@code 400}); {@link FetchError#AUTH_FAILED}, {@link
 * FetchError#AUTH_TOKEN_EXPIRED}, {@link FetchError#QUOTA_EXCEEDED}, {@link FetchError#SINK_FAILED}
 * or {@link FetchError#CONFIGURATION} where the destination as a whole failed. Once the destination
 * is known to fail, {@link #begin} and {@link Delivery#complete} throw that error at once, so a run
 * stops fast.
 *
 * <p><b>Exactly once.</b> Nothing is reported durable before Gmail answered {@code 200} for it and
 * the journal holds the answer on disk. The intent record written before each import keeps the
 * message's {@code Message-ID}, size and SHA-256 and the mailbox's history id. An import in doubt
 * (the process died, or the answer was lost, stalled or a {@code 5xx}) is settled before anything
 * is imported again: through the mailbox's history since that id ({@code users.history.list}, the
 * mailbox's own change log rather than its search index), matching the {@code Message-ID}, or the
 * bytes' SHA-256 where there is none, and never taking a Gmail message the journal holds for
 * another delivery; where the history has expired, through the search, after a settle time. What
 * remains of the window is in docs/gmail.md, "Exactly once, and its window": it can duplicate,
 * never lose.
 *
 * <p><b>Right account, or nothing.</b> Before its first import the sink asks Gmail whose mailbox
 * the token opens ({@code users.getProfile}) and refuses, with {@link FetchError#CONFIGURATION}, to
 * import anything into another one than {@link Builder#mailbox}.
 *
 * <p><b>Several fetchers.</b> The sink is safe for concurrent use. A {@code sync} reports every
 * message refused since the calling thread's previous {@code sync} (the engine runs each fetch on
 * one thread); keys the calling engine did not complete are ignored by it.
 *
 * <p>No access token appears in a log, an exception or {@link #toString()}.
 */
public final class GmailImportSink implements MessageSink {
  /** Default of {@link Builder#apiBase}: {@code https://gmail.googleapis.com/}. */
  public static final URI DEFAULT_API_BASE = URI.create("https://gmail.googleapis.com/");

  /** Default of {@link Builder#parallelism}: {@value} imports on their way at once. */
  public static final int DEFAULT_PARALLELISM = 4;

  /** Default of {@link Builder#quota}'s units: {@value} in each {@link #DEFAULT_QUOTA_WINDOW}. */
  public static final long DEFAULT_QUOTA_UNITS = 6_000;

  /** Default of {@link Builder#quota}'s window: a minute. */
  public static final Duration DEFAULT_QUOTA_WINDOW = Duration.ofMinutes(1);

  /** Default of {@link Builder#retryBudget}: 5 minutes. */
  public static final Duration DEFAULT_RETRY_BUDGET = Duration.ofMinutes(5);

  /** Default of {@link Builder#connectTimeout}: 20 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(20);

  /** Default of {@link Builder#requestTimeout}: 2 minutes. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(2);

  /** Default of {@link Builder#memorySpoolBytes}: {@value} bytes (1 MiB). */
  public static final int DEFAULT_MEMORY_SPOOL_BYTES = 1024 * 1024;

  /** Default of {@link Builder#resumableAbove}: {@value} bytes (5 MiB). */
  public static final long DEFAULT_RESUMABLE_ABOVE = 5L * 1024 * 1024;

  /** Default of {@link Builder#uploadChunkBytes}: {@value} bytes (8 MiB). */
  public static final int DEFAULT_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

  /** Default of {@link Builder#journalKeeps}: {@value} deliveries. */
  public static final int DEFAULT_JOURNAL_KEEPS = 20_000;

  /** Default of {@link Builder#searchSettleTime}: 10 minutes. */
  public static final Duration DEFAULT_SEARCH_SETTLE_TIME = Duration.ofMinutes(10);

  private final Config config;
  private final ImportCore core;

  private GmailImportSink(Config config, ImportCore core) {
    this.config = config;
    this.core = core;
  }

  /**
   * A builder; {@link Builder#mailbox}, {@link Builder#tokens} and {@link Builder#journalDirectory}
   * are required.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The Gmail address mail goes to. */
  public String mailbox() {
    return config.mailbox();
  }

  /**
   * Starts a delivery. The first call checks the token's account and resolves imports left in doubt
   * by an earlier crash (so it may take a few requests to Gmail).
   *
   * @throws FetchException of the destination's code once the destination is known to fail
   */
  @Override
  public Delivery begin(Envelope envelope) throws IOException {
    return core.begin(envelope);
  }

  /**
   * True while the message is on its way into Gmail, and once Gmail answered {@code 200} for it.
   */
  @Override
  public boolean contains(DeliveryKey key) throws IOException {
    return core.contains(key);
  }

  /**
   * Waits until Gmail answered for every delivery completed before this call, and makes the journal
   * durable.
   *
   * @throws DeliveriesFailed naming each message Gmail did not take since this thread's previous
   *     {@code sync}, each with its error
   * @throws IOException when the journal cannot be written
   */
  @Override
  public void sync() throws IOException {
    core.sync();
  }

  /**
   * Files the message held under {@code key} under {@code labels} as well ({@code messages.modify};
   * needs the {@code gmail.modify} scope). Labels are created where missing.
   *
   * @return false if the sink does not know Gmail's id for {@code key} (not delivered through it,
   *     or forgotten: the journal remembers the newest {@link Builder#journalKeeps} deliveries), if
   *     Gmail no longer has the message, or if the token does not grant {@code gmail.modify} (the
   *     narrow scopes import but cannot modify; said once in the log, and the run goes on)
   */
  @Override
  public boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
    return core.addLabels(key, labels);
  }

  /**
   * Waits for the imports on their way (within the retry budget), then releases the pool and the
   * journal.
   */
  @Override
  public void close() throws IOException {
    core.close();
  }

  /**
   * Gmail's id of the message delivered under {@code key}, where the journal remembers it (for
   * tests).
   */
  Optional<String> gmailId(DeliveryKey key) {
    return core.gmailId(key);
  }

  /** The address, never a token. */
  @Override
  public String toString() {
    return "GmailImportSink[" + config.mailbox() + "]";
  }

  /**
   * Settings for a {@link GmailImportSink} (and the same for its {@link GmailCheckup}); each
   * checked when set, and given once: a second call is refused showing the value it has ({@link
   * #quota} and {@link #quotaUnitsPerSecond} are one setting; the tokens are never shown).
   */
  public static final class Builder {
    private final Require.Once once = new Require.Once();
    private String mailbox;
    private TokenProvider tokens;
    private Path journalDirectory;
    private URI apiBase = DEFAULT_API_BASE;
    private int parallelism = DEFAULT_PARALLELISM;
    private long quotaUnits = DEFAULT_QUOTA_UNITS;
    private Duration quotaWindow = DEFAULT_QUOTA_WINDOW;
    private Duration retryBudget = DEFAULT_RETRY_BUDGET;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private boolean neverMarkSpam;
    private InternalDateSource internalDateSource = InternalDateSource.DATE_HEADER;
    private boolean processForCalendar;
    private int memorySpoolBytes = DEFAULT_MEMORY_SPOOL_BYTES;
    private long resumableAbove = DEFAULT_RESUMABLE_ABOVE;
    private int uploadChunkBytes = DEFAULT_UPLOAD_CHUNK_BYTES;
    private int journalKeeps = DEFAULT_JOURNAL_KEEPS;
    private Duration searchSettleTime = DEFAULT_SEARCH_SETTLE_TIME;
    private long maxMessageBytes = MAX_MESSAGE_BYTES;

    /**
     * Gmail takes messages up to 150 MB through {@code messages.import} (its reference says so).
     */
    public static final long MAX_MESSAGE_BYTES = 150L * 1024 * 1024;

    private Builder() {}

    /**
     * The Gmail (or Google Workspace) address mail goes to. Required. The sink refuses to import
     * into any other mailbox than this one (compared without regard to case).
     *
     * @throws IllegalArgumentException if it is not an address
     */
    public Builder mailbox(String address) {
      once.set("mailbox", this.mailbox);
      Objects.requireNonNull(address, "mailbox");
      String a = address.trim();
      int at = a.lastIndexOf('@');
      if (a.isEmpty()
          || a.length() > 254
          || at <= 0
          || at == a.length() - 1
          || a.chars()
              .anyMatch(
                  c ->
                      c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ','
                          || c == '/')) {
        throw new IllegalArgumentException(
            "mailbox must be the Gmail address mail goes to, such as"
                + " you@gmail.com: \""
                + FetchException.escape(address)
                + "\"");
      }
      this.mailbox = a;
      return this;
    }

    /**
     * Where access tokens come from (fetch-gmail's refresh-token provider, or any other). Required.
     * Needs a token granting {@code gmail.modify}, or {@code gmail.insert}, {@code gmail.labels}
     * and {@code gmail.readonly} together (docs/gmail.md, "Scopes").
     */
    public Builder tokens(TokenProvider tokens) {
      once.setSecret("tokens");
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /**
     * The directory of the sink's journal (which deliveries Gmail has) and of its spool (large
     * messages on their way). Required; created if missing. One directory per Gmail mailbox; two
     * sinks must not share one at the same time.
     */
    public Builder journalDirectory(Path directory) {
      once.set("journalDirectory", this.journalDirectory);
      this.journalDirectory = Objects.requireNonNull(directory, "journalDirectory");
      return this;
    }

    /**
     * The Gmail API's address; {@code https://gmail.googleapis.com/} by default. Tests point it at
     * the testkit's {@code FakeGmailServer}.
     *
     * @throws IllegalArgumentException if it is not an http or https address without a query
     */
    public Builder apiBase(URI base) {
      once.set("apiBase", this.apiBase);
      Objects.requireNonNull(base, "apiBase");
      String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http"))
          || base.getHost() == null
          || base.getRawQuery() != null
          || base.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "apiBase must be an http or https address without a query, such as"
                + " https://gmail.googleapis.com/: "
                + base);
      }
      String s = base.toString();
      this.apiBase = s.endsWith("/") ? base : URI.create(s + "/");
      return this;
    }

    /**
     * How many imports may be on their way at once, 1 to 32; 4 by default. At the default quota
     * Gmail takes 4 imports a second, and an import takes a fraction of a second to a second, so 4
     * requests keep the quota busy; more would only wait for it.
     */
    public Builder parallelism(int requests) {
      once.set("parallelism", this.parallelism);
      this.parallelism = Require.range("parallelism", requests, 1, 32);
      return this;
    }

    /**
     * The per-user quota the sink keeps under: at most {@code units} of Gmail's quota units in any
     * window of {@code window} (an import costs 25, a search 5, a label creation 5, a label listing
     * or a profile read 1). 6,000 a minute by default: Gmail's reference gives 6,000 units a minute
     * per user for Cloud projects made since May 2026 (15,000 for older ones). The sink charges
     * each request's units from when it is sent until a full window after its answer came back, and
     * sends none that would make the charges held exceed {@code units}; Gmail counts a request
     * somewhere between those two moments, so no window of Gmail's ever holds more than {@code
     * units}, wherever it starts and however late requests arrive.
     *
     * @throws IllegalArgumentException unless {@code units} is from 50 to 100,000,000 and {@code
     *     window} from 1 second to 1 day
     */
    public Builder quota(long units, Duration window) {
      once.set("quota", quotaUnits + " units in " + quotaWindow);
      Objects.requireNonNull(window, "window");
      if (units < 50 || units > 100_000_000) {
        throw new IllegalArgumentException(
            "quota units must be from 50 (two imports) to 100000000: " + units);
      }
      if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "the quota's window must be from 1 second to 1 day: " + window);
      }
      this.quotaUnits = units;
      this.quotaWindow = window;
      return this;
    }

    /**
     * The per-user quota in units a second, kept in every window of one second (and so of any
     * longer window too): {@code quota(Math.round(units), Duration.ofSeconds(1))}. For a quota
     * counted over a second, as a test's fake may count it; Gmail counts over a minute, for which
     * {@link #quota} with a minute wastes less (each window is longer by a round trip, a smaller
     * part of a minute than of a second).
     *
     * @throws IllegalArgumentException unless {@code units} is from 50 to 100,000,000
     */
    public Builder quotaUnitsPerSecond(double units) {
      if (!(units >= 50 && units <= 100_000_000)) {
        throw new IllegalArgumentException(
            "quotaUnitsPerSecond must be from 50 (two imports) to 100000000: " + units);
      }
      return quota(Math.round(units), Duration.ofSeconds(1));
    }

    /**
     * How long one request may be retried in all, after Gmail asked to slow down ({@code 429},
     * {@code 403 rateLimitExceeded}) or failed ({@code 5xx}, a connection lost); 5 minutes by
     * default. Past it the message fails with {@code QUOTA_EXCEEDED} or {@code SINK_FAILED} and the
     * run stops; the message stays on the server.
     */
    public Builder retryBudget(Duration budget) {
      once.set("retryBudget", this.retryBudget);
      Objects.requireNonNull(budget, "retryBudget");
      if (budget.isNegative()) {
        throw new IllegalArgumentException("retryBudget must not be negative: " + budget);
      }
      this.retryBudget = budget;
      return this;
    }

    /** How long a connection to Gmail may take; 20 seconds by default. */
    public Builder connectTimeout(Duration timeout) {
      once.set("connectTimeout", this.connectTimeout);
      this.connectTimeout = Require.positive("connectTimeout", timeout);
      return this;
    }

    /**
     * How long one request may take, from sending to the whole answer (for a resumable upload, one
     * chunk); 2 minutes by default. A request that takes longer is retried within the budget.
     */
    public Builder requestTimeout(Duration timeout) {
      once.set("requestTimeout", this.requestTimeout);
      this.requestTimeout = Require.positive("requestTimeout", timeout);
      return this;
    }

    /**
     * Whether Gmail's spam classifier is overruled ({@code neverMarkSpam}); false by default, so
     * fetched mail is classified like any incoming mail, as Gmail's fetcher did.
     */
    public Builder neverMarkSpam(boolean never) {
      once.set("neverMarkSpam", this.neverMarkSpam);
      this.neverMarkSpam = never;
      return this;
    }

    /**
     * Where Gmail takes a message's date from; {@link InternalDateSource#DATE_HEADER} by default.
     */
    public Builder internalDateSource(InternalDateSource source) {
      once.set("internalDateSource", this.internalDateSource);
      this.internalDateSource = Objects.requireNonNull(source, "internalDateSource");
      return this;
    }

    /**
     * Whether Gmail adds calendar invitations in the mail to the user's calendar; false by default.
     */
    public Builder processForCalendar(boolean process) {
      once.set("processForCalendar", this.processForCalendar);
      this.processForCalendar = process;
      return this;
    }

    /**
     * Messages up to this size are spooled in memory on their way, larger ones to a file in the
     * journal directory; 1 MiB by default, 0 to 16 MiB. At most twice {@link #parallelism} messages
     * are spooled at once.
     */
    public Builder memorySpoolBytes(int bytes) {
      once.set("memorySpoolBytes", this.memorySpoolBytes);
      if (bytes < 0 || bytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException("memorySpoolBytes must be from 0 to 16 MiB: " + bytes);
      }
      this.memorySpoolBytes = bytes;
      return this;
    }

    /**
     * Messages larger than this go up in a resumable upload, in chunks (smaller ones in one
     * multipart request, as Google advises for up to 5 MB); 5 MiB by default, at least 0.
     */
    public Builder resumableAbove(long bytes) {
      once.set("resumableAbove", this.resumableAbove);
      if (bytes < 0) {
        throw new IllegalArgumentException("resumableAbove must not be negative: " + bytes);
      }
      this.resumableAbove = bytes;
      return this;
    }

    /**
     * The size of a resumable upload's chunks: a multiple of 256 KiB (Google's rule), up to 64 MiB;
     * 8 MiB by default. A chunk is read from the spool file as it is sent, never held in memory.
     */
    public Builder uploadChunkBytes(int bytes) {
      once.set("uploadChunkBytes", this.uploadChunkBytes);
      if (bytes < 256 * 1024 || bytes > 64 * 1024 * 1024 || bytes % (256 * 1024) != 0) {
        throw new IllegalArgumentException(
            "uploadChunkBytes must be a multiple of 256 KiB (262144) from 256 KiB to 64 MiB: "
                + bytes);
      }
      this.uploadChunkBytes = bytes;
      return this;
    }

    /**
     * How many answered deliveries the journal remembers (the newest), so that a message delivered
     * again after a crash is recognised; 20,000 by default, at least 100. Older ones are the state
     * store's to remember (the engine does not fetch a message it recorded as delivered); the
     * journal stays small and bounded.
     */
    public Builder journalKeeps(int deliveries) {
      once.set("journalKeeps", this.journalKeeps);
      if (deliveries < 100) {
        throw new IllegalArgumentException("journalKeeps must be at least 100: " + deliveries);
      }
      this.journalKeeps = deliveries;
      return this;
    }

    /**
     * How long after an import Gmail's search may still not find it (10 minutes by default). An
     * import in doubt is settled through the mailbox's history; only where Gmail no longer keeps
     * history back to the import is it looked up by the search ({@code rfc822msgid:}), an index
     * that may lag, and "not found" counts only once the import is older than this (asked again
     * with back-off meanwhile). See docs/gmail.md, "Exactly once, and its window".
     */
    public Builder searchSettleTime(Duration settle) {
      once.set("searchSettleTime", this.searchSettleTime);
      Objects.requireNonNull(settle, "searchSettleTime");
      if (settle.isNegative()) {
        throw new IllegalArgumentException("searchSettleTime must not be negative: " + settle);
      }
      this.searchSettleTime = settle;
      return this;
    }

    /**
     * The largest message offered to Gmail; a larger one fails alone with {@code SINK_REJECTED}
     * without an upload. {@link #MAX_MESSAGE_BYTES} (Gmail's limit) by default and at most.
     */
    public Builder maxMessageBytes(long bytes) {
      once.set("maxMessageBytes", this.maxMessageBytes);
      if (bytes < 1 || bytes > MAX_MESSAGE_BYTES) {
        throw new IllegalArgumentException(
            "maxMessageBytes must be from 1 to " + MAX_MESSAGE_BYTES + ": " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    Config config(boolean needJournal) {
      if (mailbox == null) {
        throw new IllegalStateException(
            "the Gmail address is not set: call mailbox(\"you@gmail.com\")");
      }
      if (tokens == null) {
        throw new IllegalStateException(
            "no way to get access tokens is set: call tokens(TokenProvider)");
      }
      if (needJournal && journalDirectory == null) {
        throw new IllegalStateException(
            "the journal directory is not set: call journalDirectory(Path)");
      }
      return new Config(
          mailbox,
          tokens,
          journalDirectory,
          apiBase,
          parallelism,
          quotaUnits,
          quotaWindow,
          retryBudget,
          connectTimeout,
          requestTimeout,
          neverMarkSpam,
          internalDateSource.apiValue(),
          processForCalendar,
          memorySpoolBytes,
          resumableAbove,
          uploadChunkBytes,
          journalKeeps,
          maxMessageBytes,
          searchSettleTime);
    }

    /**
     * Opens the journal (creating the directory) and returns the sink. Gmail is first asked at the
     * first {@link GmailImportSink#begin} or {@link GmailImportSink#contains}.
     *
     * @throws IllegalStateException if the mailbox, the tokens or the journal directory is not set
     * @throws FetchException of {@link FetchError#STATE_DAMAGED} if the journal is damaged (not
     *     merely cut short by a crash, which is repaired)
     * @throws IOException if the journal directory cannot be created or read
     */
    public GmailImportSink build() throws IOException {
      Config c = config(true);
      return new GmailImportSink(c, ImportCore.open(c));
    }

    /**
     * A checkup of the Gmail side with these settings (the journal directory is not needed): what
     * {@code mailfetch doctor} runs for a {@code gmail:} destination.
     *
     * @throws IllegalStateException if the mailbox or the tokens are not set
     */
    public GmailCheckup checkup() {
      return new GmailCheckup(config(false), Set.of(), false);
    }
  }
}
