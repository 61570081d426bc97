package dev.mailfetch.testkit.gmail;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A Gmail on loopback, in the test's JVM, that follows the Gmail API's and Google OAuth's published
 * reference and misbehaves on purpose. It serves Google's paths under one {@link #baseUri()}: the
 * token endpoint ({@link #tokenUri()}), the browser's authorization endpoint ({@link
 * #authorizationUri()}), {@code gmail/v1/users/{userId}/...} and {@code
 * upload/gmail/v1/users/{userId}/messages/import}, so a client configured with the base URI uses
 * the same paths as with {@code https://gmail.googleapis.com/}.
 *
 * <pre>{@code
 * try (FakeGmailServer gmail = FakeGmailServer.start()) {
 *   gmail.addAccount("me@gmail.com");
 *   String refreshToken = gmail.grant("me@gmail.com", FakeGmailServer.SCOPE_INSERT, FakeGmailServer.SCOPE_LABELS);
 *   gmail.inject(FaultRule.of(GmailFault.TOO_MANY_REQUESTS_429).times(2));
 *   // ... run the sink with gmail.baseUri(), gmail.tokenUri(), TEST_CLIENT_ID/SECRET, refreshToken
 *   assertEquals(1, gmail.messages("me@gmail.com").size());
 *   assertEquals(0, gmail.quotaBreaches());
 * }
 * }</pre>
 *
 * <p>Every method is thread-safe; configuration may change while requests run. docs/gmail-fake.md
 * lists each behaviour and whether it is the reference's or our reading of it.
 */
public final class FakeGmailServer implements AutoCloseable {
  /** The OAuth client every server knows from the start. */
  public static final String TEST_CLIENT_ID = "fake-client.apps.googleusercontent.com";

  /** {@link #TEST_CLIENT_ID}'s secret. */
  public static final String TEST_CLIENT_SECRET = "fake-client-secret";

  /** Full access: {@code https://mail.google.com/}. */
  public static final String SCOPE_MAIL = "https://mail.google.com/";

  /** {@code gmail.insert}: insert and import messages only. */
  public static final String SCOPE_INSERT = "https://www.googleapis.com/auth/gmail.insert";

  /** {@code gmail.labels}: see and edit labels. */
  public static final String SCOPE_LABELS = "https://www.googleapis.com/auth/gmail.labels";

  /** {@code gmail.modify}: everything but permanent deletion. */
  public static final String SCOPE_MODIFY = "https://www.googleapis.com/auth/gmail.modify";

  /** {@code gmail.readonly}: read messages and settings. */
  public static final String SCOPE_READONLY = "https://www.googleapis.com/auth/gmail.readonly";

  /**
   * {@code gmail.metadata}: labels and headers, no bodies; no {@code q} in {@code messages.list}.
   */
  public static final String SCOPE_METADATA = "https://www.googleapis.com/auth/gmail.metadata";

  /** {@code gmail.compose}: drafts and sending. */
  public static final String SCOPE_COMPOSE = "https://www.googleapis.com/auth/gmail.compose";

  /** Largest message {@code messages.import} takes by default: 150 MB, as the reference says. */
  public static final long MAX_MESSAGE_SIZE = 150L * 1024 * 1024;

  /**
   * Every chunk of a resumable upload but the last is a multiple of this: 256 KiB, as the reference
   * says.
   */
  public static final int UPLOAD_CHUNK_GRANULARITY = 256 * 1024;

  /** Bodies larger than this are kept in a temporary file, not in the heap. */
  public static final long SPILL_THRESHOLD = 1L << 20;

  final OAuthServer oauth = new OAuthServer(this);
  final Imports imports = new Imports(this);
  final GmailApi api = new GmailApi(this);
  final ApiAccess access = new ApiAccess(this);
  final MessagesResource messages = new MessagesResource(this);
  final HistoryResource history = new HistoryResource(this);
  final Faults faults = new Faults();
  final Quota quota = new Quota();
  private final Map<String, Mailbox> mailboxes = new ConcurrentHashMap<>();
  private final List<RecordedGmailRequest> requests = new ArrayList<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private final List<Throwable> internalErrors = new ArrayList<>();
  private final HttpServer http;
  private final ExecutorService executor;
  private final Path spillDirectory;
  private final URI baseUri;
  private volatile long maxMessageSize = MAX_MESSAGE_SIZE;
  volatile boolean bareUploadRange;
  volatile Duration searchLag = Duration.ZERO;
  volatile boolean stuckUploadRange;

  private FakeGmailServer() throws IOException {
    spillDirectory = Files.createTempDirectory("fake-gmail-");
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    AtomicInteger threads = new AtomicInteger();
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fake-gmail-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(executor);
    http.createContext("/", api);
    http.start();
    baseUri = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
    oauth.addClient(TEST_CLIENT_ID, TEST_CLIENT_SECRET);
  }

  /** Starts a server on 127.0.0.1, on a free port, with {@link #TEST_CLIENT_ID} and no account. */
  public static FakeGmailServer start() {
    try {
      return new FakeGmailServer();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the fake Gmail on loopback", e);
    }
  }

  // ---- where it listens ---------------------------------------------------------------------

  /** {@code http://127.0.0.1:<port>/}: stands for {@code https://gmail.googleapis.com/}. */
  public URI baseUri() {
    return baseUri;
  }

  /**
   * The token endpoint, {@code <base>token} (Google's is {@code
   * https://oauth2.googleapis.com/token}).
   */
  public URI tokenUri() {
    return baseUri.resolve("token");
  }

  /**
   * The browser's authorization endpoint, {@code <base>o/oauth2/v2/auth} (Google's is {@code
   * https://accounts.google.com/o/oauth2/v2/auth}).
   */
  public URI authorizationUri() {
    return baseUri.resolve("o/oauth2/v2/auth");
  }

  /** The port on 127.0.0.1. */
  public int port() {
    return baseUri.getPort();
  }

  // ---- accounts and OAuth -------------------------------------------------------------------

  /**
   * Adds a Gmail account (an empty mailbox with Gmail's system labels); the address is
   * case-insensitive.
   */
  public FakeGmailServer addAccount(String address) {
    String a = key(address);
    mailboxes.putIfAbsent(a, new Mailbox(a));
    return this;
  }

  /** Registers another OAuth client (a Google Cloud "Desktop app" client). */
  public FakeGmailServer addClient(String clientId, String clientSecret) {
    oauth.addClient(
        Objects.requireNonNull(clientId, "clientId"),
        Objects.requireNonNull(clientSecret, "clientSecret"));
    return this;
  }

  /**
   * Grants {@link #TEST_CLIENT_ID} access to the account with these scopes, as a user's consent
   * would, and returns the refresh token.
   */
  public String grant(String address, String... scopes) {
    return grantTo(TEST_CLIENT_ID, address, scopes);
  }

  /** As {@link #grant}, for another client. */
  public String grantTo(String clientId, String address, String... scopes) {
    return oauth.grant(clientId, existing(address).address, scopeSet(scopes));
  }

  /**
   * Issues an access token for the account with these scopes, valid for {@link
   * #accessTokenLifetime}.
   */
  public String accessToken(String address, String... scopes) {
    return oauth.issueAccess(existing(address).address, scopeSet(scopes));
  }

  /** Revokes a refresh or access token: it is refused from now on ({@code invalid_grant}, 401). */
  public boolean revoke(String token) {
    return oauth.revoke(token);
  }

  /** The lifetime of access tokens issued from now on (Google's: 3599 seconds, the default). */
  public FakeGmailServer accessTokenLifetime(Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException(
          "accessTokenLifetime: " + lifetime + " (expected: positive)");
    }
    oauth.accessTokenLifetime = lifetime;
    return this;
  }

  /** Makes every access token issued so far expired: the next API call with one answers 401. */
  public void expireAccessTokens() {
    oauth.expireAccessTokens();
  }

  /**
   * The account signed in to the browser: the authorization endpoint answers as this user
   * consenting, with a 302 to the loopback {@code redirect_uri} carrying {@code code} and {@code
   * state}.
   */
  public FakeGmailServer authorizeAs(String address) {
    oauth.consentingAccount = existing(address).address;
    oauth.consentDenied = false;
    return this;
  }

  /** The signed-in user refuses consent: the redirect carries {@code error=access_denied}. */
  public FakeGmailServer denyConsent() {
    oauth.consentDenied = true;
    return this;
  }

  /** How many refresh-token grant requests reached the token endpoint (refused ones included). */
  public int refreshGrants() {
    return oauth.refreshGrants.get();
  }

  /** How many authorization-code grant requests reached the token endpoint. */
  public int codeGrants() {
    return oauth.codeGrants.get();
  }

  // ---- limits -------------------------------------------------------------------------------

  /**
   * The per-user rate limit: at most {@code units} quota units in any moving {@code window}
   * (default 6,000 per minute, the current reference; older pages give 250 per second). A request
   * over it is refused with {@code 403 userRateLimitExceeded} and counted in {@link
   * #quotaBreaches()}.
   */
  public FakeGmailServer perUserQuota(long units, Duration window) {
    quota.perUser(units, window);
    return this;
  }

  /**
   * The project's daily limit in quota units (default none); over it, {@code 403
   * dailyLimitExceeded}.
   */
  public FakeGmailServer dailyLimit(long units) {
    quota.daily(units);
    return this;
  }

  /**
   * At most {@code max} Gmail API requests of one user at a time (default: no limit; the reference
   * names a per-user concurrent request limit without a number). One more is refused with {@code
   * 429} "Too many concurrent requests for user" and counted in {@link #concurrencyBreaches()}.
   * Resumable chunks are not counted; the session's first request is.
   */
  public FakeGmailServer perUserConcurrency(int max) {
    quota.concurrency(max);
    return this;
  }

  /** How many requests went over {@link #perUserConcurrency}. */
  public int concurrencyBreaches() {
    return quota.concurrencyBreaches();
  }

  /** How many requests went over the per-user rate limit. */
  public int quotaBreaches() {
    return quota.breaches();
  }

  /** How many requests went over the daily limit. */
  public int dailyLimitBreaches() {
    return quota.dailyBreaches();
  }

  /** Quota units the account has used (refused requests use none). */
  public long quotaUnitsUsed(String address) {
    return quota.used(key(address));
  }

  /** The largest message {@code messages.import} takes (default {@link #MAX_MESSAGE_SIZE}). */
  public FakeGmailServer maxMessageSize(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("maxMessageSize: " + bytes + " (expected: 1 or more)");
    }
    maxMessageSize = bytes;
    return this;
  }

  /**
   * A resumable upload's {@code 308} names what it holds as {@code Range: 0-N} instead of {@code
   * Range: bytes=0-N}: Google's pages show both forms.
   */
  public FakeGmailServer bareUploadRange(boolean bare) {
    bareUploadRange = bare;
    return this;
  }

  /**
   * A resumable upload session drops every chunk but the last: each {@code 308} names the same
   * {@code Range} as before (none at first), so an upload never moves forward. Not a documented
   * behaviour of Gmail: a broken session, for testing that a client gives up.
   */
  public FakeGmailServer stuckUploadRange(boolean stuck) {
    stuckUploadRange = stuck;
    return this;
  }

  /**
   * {@code messages.list} with {@code q=} finds a message only once it has been stored this long:
   * Gmail's search is an index that may lag the mailbox (our reading; the reference promises no
   * moment). {@code users.history.list} and {@code messages.get} see a message at once.
   */
  public FakeGmailServer searchLag(Duration lag) {
    if (lag.isNegative()) {
      throw new IllegalArgumentException("searchLag: " + lag + " (expected: zero or more)");
    }
    searchLag = lag;
    return this;
  }

  /**
   * Forgets the account's history up to now: {@code users.history.list} with an older {@code
   * startHistoryId} answers {@code 404}, as the reference says for a start id "outside the
   * available range" (history is kept for at least a week, sometimes only hours).
   */
  public FakeGmailServer expireHistory(String address) {
    existing(address).expireHistory();
    return this;
  }

  long maxMessageSize() {
    return maxMessageSize;
  }

  // ---- faults -------------------------------------------------------------------------------

  /**
   * Injects a fault as the rule says.
   *
   * @throws IllegalArgumentException where the rule could never hit (a message fault aimed at
   *     another request than {@link GmailEndpoint#IMPORT}, {@code INVALID_GRANT} off the token
   *     endpoint, a message condition on a request without a message)
   */
  public InjectedFault inject(FaultRule rule) {
    Objects.requireNonNull(rule, "rule").checkReachable();
    return faults.install(rule);
  }

  /** Injects a fault once, on its usual request ({@link GmailFault#defaultEndpoint()}). */
  public InjectedFault inject(GmailFault fault) {
    return inject(FaultRule.of(fault));
  }

  /** Removes every injected fault. */
  public void clearFaults() {
    faults.clear();
  }

  // ---- what happened ------------------------------------------------------------------------

  /** The messages the account holds, in the order they were imported. */
  public List<StoredMessage> messages(String address) {
    return existing(address).messages();
  }

  /** The account's message with this Gmail id. */
  public Optional<StoredMessage> message(String address, String id) {
    return messages(address).stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** The account's messages whose Message-ID is this one (angle brackets optional). */
  public List<StoredMessage> messagesWithMessageId(String address, String messageId) {
    String bare = Headers.bare(messageId);
    return messages(address).stream()
        .filter(m -> m.messageId() != null && Headers.bare(m.messageId()).equals(bare))
        .toList();
  }

  /** The account's current history id, as {@code users.getProfile} gives it. */
  public long historyId(String address) {
    return existing(address).historyId();
  }

  /** The account's labels, system and user. */
  public List<GmailLabel> labels(String address) {
    return existing(address).labels();
  }

  /** The account's label with exactly this name ({@code Clients/Acme} for a nested one). */
  public Optional<GmailLabel> label(String address, String name) {
    return existing(address).labelNamed(name);
  }

  /**
   * How many {@code labels.create} requests for the account got as far as the mailbox (409s
   * included).
   */
  public int labelCreates(String address) {
    return existing(address).labelCreates();
  }

  /** Every request so far, in the order they ended. */
  public List<RecordedGmailRequest> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** The requests of one kind so far. */
  public List<RecordedGmailRequest> requests(GmailEndpoint endpoint) {
    return requests().stream().filter(r -> r.endpoint() == endpoint).toList();
  }

  /**
   * The fake's own bugs: exceptions its handlers did not expect (the connection was cut instead of
   * answered). A test that sees a cut it did not inject can look here; empty when all is well.
   */
  public List<Throwable> internalErrors() {
    synchronized (internalErrors) {
      return List.copyOf(internalErrors);
    }
  }

  /** Stops the server and deletes its temporary files; safe to call more than once. */
  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    try (Stream<Path> files = Files.walk(spillDirectory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // already gone
    }
  }

  @Override
  public String toString() {
    return "FakeGmailServer[" + baseUri + ", accounts " + mailboxes.keySet() + "]";
  }

  // ---- for the handlers ---------------------------------------------------------------------

  Mailbox mailbox(String address) {
    return existing(address);
  }

  ReceivedBody newBody() {
    return new ReceivedBody(spillDirectory, SPILL_THRESHOLD);
  }

  void internalError(Call call, RuntimeException e) {
    synchronized (internalErrors) {
      internalErrors.add(new IllegalStateException(call.method + " " + call.path + ": " + e, e));
    }
  }

  void record(Call call) {
    synchronized (requests) {
      requests.add(call.record(sequence.incrementAndGet()));
    }
  }

  private Mailbox existing(String address) {
    Mailbox box = mailboxes.get(key(address));
    if (box == null) {
      throw new IllegalArgumentException(
          "no account "
              + address
              + " on this fake Gmail: call addAccount(\""
              + address
              + "\") first");
    }
    return box;
  }

  private static String key(String address) {
    return Objects.requireNonNull(address, "address").trim().toLowerCase(Locale.ROOT);
  }

  private static Set<String> scopeSet(String... scopes) {
    if (scopes.length == 0) {
      throw new IllegalArgumentException(
          "name at least one scope, for example FakeGmailServer.SCOPE_INSERT");
    }
    return new LinkedHashSet<>(Arrays.asList(scopes));
  }
}
