package dev.mailfetch.gmail;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.gmail.internal.oauth.SecretFile;
import dev.mailfetch.gmail.internal.oauth.TokenEndpoint;
import dev.mailfetch.gmail.internal.oauth.TokenResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth 2.0 access tokens from a refresh token (RFC 6749 §6), for anything that logs in with one:
 * the Gmail import sink, and POP3's XOAUTH2 and OAUTHBEARER ({@code
 * Pop3Source.Builder.oauthTokens}) at Gmail, Outlook.com and Microsoft 365.
 *
 * <pre>{@code
 * TokenProvider tokens = OAuthTokenProvider.fromFile(Path.of("/home/me/.config/mailfetch/gmail.json"));
 * }</pre>
 *
 * <p><b>Caching.</b> An access token is kept until shortly before it expires (its {@code
 * expires_in} less {@link Builder#refreshMargin}, by default 5 minutes, and at most half its
 * lifetime), and handed to every caller until then; an answer without {@code expires_in} is taken
 * to last 5 minutes. The access token lives in memory only: a new process refreshes once.
 *
 * <p><b>Threads.</b> Safe for concurrent use; one refresh is in flight at a time, and callers that
 * waited for it share its outcome: many threads that find the token stale cause one request to the
 * token endpoint, and one failure, not many.
 *
 * <p><b>After a refusal.</b> A user of the token that is refused it as expired or revoked (an HTTP
 * {@code 401}, a SASL error naming it) calls {@link #invalidate(String)} with it and asks again:
 * the next call refreshes. An invalidate for an older token than the current one changes nothing,
 * so a slow thread cannot throw away the token another has just fetched.
 *
 * <p><b>Refusals of the grant.</b> {@code invalid_grant} (the refresh token was revoked or expired;
 * a Google Cloud app left in "Testing" loses its refresh tokens after 7 days) is {@link
 * FetchError#AUTH_FAILED}, with the remedy in words; a client the provider does not accept is
 * {@link FetchError#CONFIGURATION}; a token endpoint that cannot be reached is the network's codes
 * ({@link FetchError#CONNECTION_REFUSED}, {@link FetchError#HOST_NOT_FOUND}, {@link
 * FetchError#CONNECTION_TIMED_OUT}); HTTP 429 and 5xx are {@link FetchError#SERVER_TEMPORARY}. A
 * refusal that only a person can mend (AUTH_FAILED, CONFIGURATION) is remembered and given again
 * without asking the endpoint, until the token file changes (someone authorized again).
 *
 * <p><b>Rotation.</b> Where the provider sends a new refresh token with the access token (Microsoft
 * does), the new one is used from then on, written back to the token file it came from (whole or
 * not at all, mode 0600), and handed to {@link Builder#onNewGrant}.
 *
 * <p>No secret appears in a log, an exception or {@link #toString()}.
 */
public final class OAuthTokenProvider implements TokenProvider {
  /** Default of {@link Builder#refreshMargin}: 5 minutes. */
  public static final Duration DEFAULT_REFRESH_MARGIN = Duration.ofMinutes(5);

  /** Default of {@link Builder#requestTimeout}: 30 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(OAuthTokenProvider.class);

  /** The lifetime assumed of a token whose answer gave none. */
  static final Duration UNSTATED_LIFETIME = Duration.ofMinutes(5);

  /** A token and when to stop handing it out. */
  private static final class Cached {
    final String token;
    final Instant refreshAt;

    Cached(String token, Instant refreshAt) {
      this.token = token;
      this.refreshAt = refreshAt;
    }
  }

  private final Path file;
  private final HttpClient http;
  private final Clock clock;
  private final Duration margin;
  private final Duration timeout;
  private final Consumer<OAuthTokenFile> onNewGrant;
  private final AtomicReference<Cached> current = new AtomicReference<>();
  private final ReentrantLock refreshing = new ReentrantLock();

  // Guarded by refreshing; volatile where read outside it.
  private volatile OAuthTokenFile grant;
  private TokenEndpoint endpoint;
  private SecretFile.Stamp stamp;
  private volatile long attempts;
  private FetchException failure;
  private long failedAttempt = -1;
  private boolean failureLasts;
  private volatile Set<String> grantedScopes = Set.of();

  private OAuthTokenProvider(Builder b, OAuthTokenFile grant, SecretFile.Stamp stamp) {
    this.file = b.file;
    this.http =
        b.http != null
            ? b.http
            : HttpClient.newBuilder()
                .connectTimeout(b.timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    this.clock = b.clock;
    this.margin = b.margin;
    this.timeout = b.timeout;
    this.onNewGrant = b.onNewGrant;
    this.stamp = stamp;
    use(grant);
  }

  /**
   * A provider for the grant in a token file (written by {@link OAuthAuthorization} or {@code
   * mailfetch oauth}); a refresh token the provider replaces is written back to it.
   *
   * @throws FetchException {@link FetchError#CONFIGURATION} when the file is missing, readable or
   *     writable by others (it is not read then), or not a token file; see {@link
   *     OAuthTokenFile#read(Path)}
   */
  public static OAuthTokenProvider fromFile(Path file) throws FetchException {
    return builder().tokenFile(file).build();
  }

  /**
   * A builder: give a {@link Builder#tokenFile token file}, a {@link Builder#grant grant}, or its
   * parts.
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String accessToken() throws IOException {
    Cached c = current.get();
    if (c != null && clock.instant().isBefore(c.refreshAt)) {
      return c.token;
    }
    long seen = attempts;
    try {
      refreshing.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FetchException(
          FetchError.STOPPED, "waiting for an OAuth access token was interrupted", e);
    }
    try {
      c = current.get();
      if (c != null && clock.instant().isBefore(c.refreshAt)) {
        return c.token; // another thread refreshed while this one waited
      }
      reloadIfReplaced();
      if (failure != null && (failureLasts || failedAttempt > seen)) {
        // A person must act first, or the refresh this thread waited for failed just now.
        throw failure;
      }
      return refresh();
    } finally {
      refreshing.unlock();
    }
  }

  /**
   * {@code token} was refused as expired or revoked: the next {@link #accessToken()} refreshes,
   * unless a newer token than {@code token} is current already.
   */
  @Override
  public void invalidate(String token) {
    Cached c = current.get();
    if (c != null && c.token.equals(token) && current.compareAndSet(c, null)) {
      log.debug("the access token for {} was refused; the next request refreshes it", label());
    }
  }

  /** The grant in use now: the refresh token and what goes with it (a secret; do not log it). */
  public OAuthTokenFile grant() {
    return grant;
  }

  /** The account the grant was made for, where known. */
  public Optional<String> account() {
    return grant.account();
  }

  /**
   * The scopes the provider said it granted with the last access token (its {@code scope}), or
   * empty before the first refresh or where it did not say.
   */
  public Set<String> grantedScopes() {
    return grantedScopes;
  }

  /** The provider, client id, account and token file; never a secret. */
  @Override
  public String toString() {
    return "OAuthTokenProvider[" + label() + (file == null ? "" : ", file " + file) + "]";
  }

  private String label() {
    OAuthTokenFile g = grant;
    return g.endpoints().provider().id()
        + " client "
        + g.clientId()
        + g.account().map(a -> " for " + a).orElse("");
  }

  private void use(OAuthTokenFile g) {
    this.grant = g;
    this.endpoint =
        new TokenEndpoint(
            g.endpoints(), g.clientId(), g.clientSecret().orElse(null), http, timeout);
  }

  /** Someone authorized again and replaced the file: its grant, and a fresh start, are used. */
  private void reloadIfReplaced() throws FetchException {
    if (file == null) {
      return;
    }
    SecretFile.Stamp now = SecretFile.stamp(file);
    if (now != null && now.equals(stamp)) {
      return;
    }
    OAuthTokenFile g = OAuthTokenFile.read(file);
    stamp = SecretFile.stamp(file);
    if (!g.refreshToken().equals(grant.refreshToken())
        || !g.endpoints().equals(grant.endpoints())
        || !g.clientId().equals(grant.clientId())) {
      log.info("{} was replaced: using the grant it holds now", file);
      failure = null;
      failedAttempt = -1;
    }
    use(g);
  }

  // Called holding `refreshing`, the only writer of `attempts`; readers outside it only compare.
  @SuppressWarnings("NonAtomicVolatileUpdate")
  private String refresh() throws FetchException {
    attempts++;
    Instant asked = clock.instant();
    TokenResponse r;
    try {
      r = endpoint.refresh(grant.refreshToken());
    } catch (FetchException e) {
      failure = e;
      failedAttempt = attempts;
      failureLasts = e.error() == FetchError.AUTH_FAILED || e.error() == FetchError.CONFIGURATION;
      log.warn("refreshing the OAuth access token for {} failed: {}", label(), e.getMessage());
      throw e;
    }
    failure = null;
    failedAttempt = -1;
    if (r.scope != null) {
      grantedScopes = Set.copyOf(new LinkedHashSet<>(Arrays.asList(r.scope.trim().split("\\s+"))));
    }
    if (r.refreshToken != null && !r.refreshToken.equals(grant.refreshToken())) {
      keep(grant.withRefreshToken(r.refreshToken));
    }
    Duration lifetime =
        r.expiresInSeconds < 0 ? UNSTATED_LIFETIME : Duration.ofSeconds(r.expiresInSeconds);
    Duration early = margin.compareTo(lifetime.dividedBy(2)) > 0 ? lifetime.dividedBy(2) : margin;
    current.set(new Cached(r.accessToken, asked.plus(lifetime).minus(early)));
    log.debug(
        "refreshed the OAuth access token for {}; it lasts {} s", label(), lifetime.toSeconds());
    return r.accessToken;
  }

  /** A replaced refresh token: used from now on, written back where it came from. */
  private void keep(OAuthTokenFile rotated) {
    use(rotated);
    if (file != null) {
      try {
        rotated.write(file);
        stamp = SecretFile.stamp(file);
        log.debug("the provider replaced the refresh token for {}; saved to {}", label(), file);
      } catch (IOException e) {
        log.warn(
            "the provider replaced the refresh token for {}, and it could not be saved to {} ({}): it is used"
                + " until this program ends, and the file keeps the old one",
            label(),
            file,
            e.getClass().getSimpleName());
      }
    }
    if (onNewGrant != null) {
      try {
        onNewGrant.accept(rotated);
      } catch (RuntimeException e) {
        log.warn("the listener for a replaced refresh token of {} failed", label(), e);
      }
    }
  }

  /**
   * Builds an {@link OAuthTokenProvider}: from a {@link #tokenFile token file}, a {@link #grant
   * grant} in memory, or its parts ({@link #endpoints}, {@link #clientId}, {@link #refreshToken},
   * optionally {@link #clientSecret}). Values are checked as they are given, and each is taken once
   * (a second call is refused showing the value it has, never a secret's).
   */
  public static final class Builder {
    private final Require.Once once = new Require.Once();
    private Path file;
    private OAuthTokenFile grant;
    private final OAuthTokenFile.Builder parts = OAuthTokenFile.builder();
    private boolean partsGiven;
    private HttpClient http;
    private Clock clock = Clock.systemUTC();
    private Duration margin = DEFAULT_REFRESH_MARGIN;
    private Duration timeout = DEFAULT_REQUEST_TIMEOUT;
    private Consumer<OAuthTokenFile> onNewGrant;

    private Builder() {}

    /** The token file to read the grant from, and to write a replaced refresh token back to. */
    public Builder tokenFile(Path file) {
      once.set("tokenFile", this.file);
      this.file = Objects.requireNonNull(file, "tokenFile");
      return this;
    }

    /** The grant, held in memory; a replaced refresh token goes to {@link #onNewGrant} only. */
    public Builder grant(OAuthTokenFile grant) {
      once.set("grant", this.grant);
      this.grant = Objects.requireNonNull(grant, "grant");
      return this;
    }

    /**
     * The provider's endpoints ({@link OAuthEndpoints#google()}, {@link OAuthEndpoints#microsoft}).
     */
    public Builder endpoints(OAuthEndpoints endpoints) {
      parts.endpoints(endpoints);
      partsGiven = true;
      return this;
    }

    /** The OAuth client id. */
    public Builder clientId(String clientId) {
      parts.clientId(clientId);
      partsGiven = true;
      return this;
    }

    /** The client secret; none for a public client (Microsoft's desktop apps). */
    public Builder clientSecret(String clientSecret) {
      parts.clientSecret(clientSecret);
      partsGiven = true;
      return this;
    }

    /** The refresh token. */
    public Builder refreshToken(String refreshToken) {
      parts.refreshToken(refreshToken);
      partsGiven = true;
      return this;
    }

    /** The scopes the grant holds (for {@link OAuthTokenProvider#grant()}; not sent). */
    public Builder scopes(List<String> scopes) {
      parts.scopes(scopes);
      partsGiven = true;
      return this;
    }

    /** The account the grant is for, where known. */
    public Builder account(String account) {
      parts.account(account);
      partsGiven = true;
      return this;
    }

    /** The HTTP client; by default one of its own, following no redirects. */
    public Builder httpClient(HttpClient http) {
      once.set("httpClient", this.http);
      this.http = Objects.requireNonNull(http, "httpClient");
      return this;
    }

    /** The clock that says when a token expires; for tests. */
    public Builder clock(Clock clock) {
      once.set("clock", this.clock);
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long before its expiry a token is refreshed; 5 minutes by default, at most half its
     * lifetime.
     */
    public Builder refreshMargin(Duration margin) {
      once.set("refreshMargin", this.margin);
      if (margin.isNegative()) {
        throw new IllegalArgumentException("refreshMargin must not be negative: " + margin);
      }
      this.margin = margin;
      return this;
    }

    /** How long to wait for the token endpoint; 30 seconds by default. */
    public Builder requestTimeout(Duration timeout) {
      once.set("requestTimeout", this.timeout);
      this.timeout = Require.positive("requestTimeout", timeout);
      return this;
    }

    /**
     * Told of each grant with a replaced refresh token, after it is written back to a token file.
     */
    public Builder onNewGrant(Consumer<OAuthTokenFile> listener) {
      once.set("onNewGrant", this.onNewGrant);
      this.onNewGrant = Objects.requireNonNull(listener, "onNewGrant");
      return this;
    }

    /**
     * The provider. Reads the token file now, where one was given.
     *
     * @throws FetchException CONFIGURATION for a token file that cannot be used (see {@link
     *     OAuthTokenFile#read(Path)})
     * @throws IllegalStateException when not exactly one of a token file, a grant or its parts was
     *     given, or the parts lack endpoints, client id or refresh token
     */
    public OAuthTokenProvider build() throws FetchException {
      int given = (file != null ? 1 : 0) + (grant != null ? 1 : 0) + (partsGiven ? 1 : 0);
      if (given != 1) {
        throw new IllegalStateException(
            "give one of tokenFile(Path), grant(OAuthTokenFile), or endpoints,"
                + " clientId and refreshToken");
      }
      if (file != null) {
        OAuthTokenFile g = OAuthTokenFile.read(file);
        return new OAuthTokenProvider(this, g, SecretFile.stamp(file));
      }
      OAuthTokenFile g = grant;
      if (g == null) {
        try {
          g = parts.build();
        } catch (NullPointerException e) {
          throw new IllegalStateException(
              "endpoints, clientId and refreshToken are required: " + e.getMessage());
        }
      }
      return new OAuthTokenProvider(this, g, null);
    }
  }
}
