package dev.mailfetch.gmail;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.gmail.internal.oauth.CodeGrant;
import dev.mailfetch.gmail.internal.oauth.LoopbackListener;
import dev.mailfetch.gmail.internal.oauth.Pkce;
import dev.mailfetch.gmail.internal.oauth.SignInFailures;
import dev.mailfetch.gmail.internal.oauth.SignInRequest;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The installed-app sign-in that obtains a refresh token (RFC 8252): the authorization-code grant
 * with PKCE (S256) and a redirect to a listener on {@code 127.0.0.1}.
 *
 * <pre>{@code
 * OAuthTokenFile grant = OAuthAuthorization.builder()
 *     .endpoints(OAuthEndpoints.google()).clientId(id).clientSecret(secret)
 *     .scopes(OAuthScopes.GMAIL_IMPORT).account("me@gmail.com")
 *     .tokenFile(Path.of("gmail-token.json"))
 *     .build()
 *     .authorize(url -> System.out.println("Open this address in a browser: " + url));
 * }</pre>
 *
 * <p>{@link #start()} listens on {@code 127.0.0.1} (a free port, or {@link Builder#port(int)}) and
 * builds the address to open: client id, redirect {@code http://127.0.0.1:PORT/}, scopes, an
 * unguessable {@code state}, the PKCE challenge, and for Google {@code access_type=offline} and
 * {@code prompt=consent}, so that Google returns a refresh token every time. The caller shows the
 * address (this class prints nothing). The person opens it in any browser on this machine and signs
 * in; the provider sends the browser to the listener, which checks {@code state}, trades the code
 * (with the PKCE verifier) for tokens, writes the {@link Builder#tokenFile token file} and shows
 * "you can close this window".
 *
 * <p><b>A machine without a browser</b> (a server reached by SSH) has two ways, documented in
 * docs/oauth.md: forward the port ({@code ssh -L PORT:127.0.0.1:PORT server}, with a fixed {@link
 * Builder#port(int)}) so the browser on the person's own machine reaches the listener; or open the
 * address anywhere, let the browser fail to reach {@code 127.0.0.1}, and paste the address it ended
 * at into the program, which hands it to {@link Pending#complete(String)}.
 *
 * <p>Refusals are typed and said in words: access denied in the browser and a sign-in not finished
 * in time are {@link FetchError#AUTH_FAILED}; a client the provider does not know is {@link
 * FetchError#CONFIGURATION}; the token endpoint's refusals as {@link OAuthTokenProvider} says. An
 * answer whose {@code state} is not this sign-in's is ignored (and counted in the timeout's words).
 * Nothing secret reaches a log, an exception or a page.
 */
public final class OAuthAuthorization {
  /** Default of {@link Builder#timeout}: 5 minutes for the person to sign in. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  /** How long the code's exchange at the token endpoint may take. */
  private static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(30);

  private final OAuthEndpoints endpoints;
  private final String clientId;
  private final List<String> scopes;
  private final String account;
  private final int port;
  private final Duration timeout;
  private final Path tokenFile;

  /** What an answer with this sign-in's state becomes. */
  private final CodeGrant grants;

  private OAuthAuthorization(Builder b) {
    if (b.endpoints == null || b.clientId == null || b.scopes.isEmpty()) {
      throw new IllegalStateException("endpoints, clientId and at least one scope are required");
    }
    this.endpoints = b.endpoints;
    this.clientId = b.clientId;
    this.scopes = b.scopes;
    this.account = b.account;
    this.port = b.port;
    this.timeout = b.timeout;
    this.tokenFile = b.tokenFile;
    HttpClient http =
        b.http != null
            ? b.http
            : HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    this.grants =
        new CodeGrant(
            endpoints,
            clientId,
            b.clientSecret,
            scopes,
            account,
            tokenFile,
            b.gmailApi,
            http,
            b.clock,
            EXCHANGE_TIMEOUT);
  }

  /** A builder; endpoints, client id and scopes are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The whole sign-in: {@link #start()}, {@code showUrl} with the address to open, then {@link
   * Pending#await()}.
   *
   * @param showUrl shows the address to the person (prints it, opens a browser); called once
   * @return the grant, written to the token file where one was given
   */
  public OAuthTokenFile authorize(Consumer<URI> showUrl) throws FetchException {
    try (Pending p = start()) {
      showUrl.accept(p.authorizationUri());
      return p.await();
    }
  }

  /**
   * Listens on {@code 127.0.0.1} and returns the sign-in under way; close it when done.
   *
   * @throws FetchException CONFIGURATION when the port is in use (another port, or 0 for any free
   *     one, helps)
   */
  public Pending start() throws FetchException {
    LoopbackListener listener;
    try {
      listener = LoopbackListener.bind(port);
    } catch (BindException e) {
      throw SignInFailures.portInUse(port, e);
    } catch (IOException e) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          "cannot listen on 127.0.0.1 for the sign-in's answer: " + e.getMessage(),
          e);
    }
    Pending p = new Pending(listener);
    listener.start(p::answer);
    return p;
  }

  /**
   * A sign-in under way: the address to open, and the grant once the browser (or a pasted address)
   * brings the answer. Safe to close more than once.
   */
  public final class Pending implements AutoCloseable {
    private final LoopbackListener listener;
    private final Pkce pkce = Pkce.create();
    private final String state = Pkce.state();
    private final URI redirect;
    private final URI authorization;
    private final long deadline;
    private final CompletableFuture<OAuthTokenFile> result = new CompletableFuture<>();
    private final AtomicInteger stray = new AtomicInteger();

    /** An answer with this sign-in's state is being (or was) traded: later ones are not. */
    private boolean finishing;

    private Pending(LoopbackListener listener) {
      this.listener = listener;
      this.redirect = URI.create("http://127.0.0.1:" + listener.port() + "/");
      this.authorization =
          SignInRequest.address(
              endpoints, clientId, scopes, account, redirect, state, pkce.challenge);
      this.deadline = System.nanoTime() + timeout.toNanos();
    }

    /** The address the person opens in a browser. */
    public URI authorizationUri() {
      return authorization;
    }

    /** Where the provider sends the browser back: {@code http://127.0.0.1:PORT/}. */
    public URI redirectUri() {
      return redirect;
    }

    /**
     * Waits for the answer, until the timeout given to the builder (5 minutes by default) has
     * passed since {@link #start()}; an answer that arrived in time and is being traded for tokens
     * is waited for (at most 40 seconds more), so a grant written is never reported as unsaved.
     *
     * @return the grant, written to the token file where one was given
     * @throws FetchException AUTH_FAILED when access was denied or no answer came in time;
     *     CONFIGURATION for a client or scopes the provider refuses; the token endpoint's refusals;
     *     STOPPED when interrupted
     */
    public OAuthTokenFile await() throws FetchException {
      try {
        long left = deadline - System.nanoTime();
        try {
          return result.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          if (!finishing()) {
            throw e;
          }
          // The answer came in time and is being traded: its outcome, not "nothing was saved".
          return result.get(EXCHANGE_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
        }
      } catch (TimeoutException e) {
        throw SignInFailures.noAnswer(timeout, redirect, stray.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FetchException(
            FetchError.STOPPED, "the sign-in was interrupted; nothing was saved", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof FetchException) {
          throw (FetchException) e.getCause(); // raised on the listener's thread, said in full
        }
        throw new IllegalStateException(e.getCause());
      } finally {
        close();
      }
    }

    /**
     * The address the browser ended at, pasted by the person where the browser could not reach this
     * machine's listener. Trades its code for tokens, as the listener would have; {@link #await()}
     * then returns the grant.
     *
     * @throws FetchException AUTH_FAILED when the address is not this sign-in's answer (another
     *     {@code state}, or neither code nor error in it: the sign-in goes on, and another address
     *     may be given), or says access was denied; the exchange's errors as {@link #await()}
     */
    public void complete(String redirectedAddress) throws FetchException {
      String a = redirectedAddress.strip();
      int q = a.indexOf('?');
      Map<String, String> params =
          q < 0 ? Map.of() : LoopbackListener.query(a.substring(q + 1).split("#", 2)[0]);
      if (!state.equals(params.get("state"))
          || !(params.containsKey("code") || params.containsKey("error"))) {
        throw new FetchException(
            FetchError.AUTH_FAILED,
            "the address given is not this sign-in's answer: it should"
                + " start with "
                + redirect
                + "?, and carry this sign-in's state and a code",
            null,
            null,
            Remedy.of(
                "Copy the whole address from the browser's address bar after signing in, where the page"
                    + " says it cannot be reached; or sign in again with the address shown now."));
      }
      answer(params).done();
      try {
        result.get(0, TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof FetchException) {
          throw (FetchException) e.getCause();
        }
      } catch (InterruptedException | TimeoutException e) {
        // not possible: the answer has completed the result
      }
    }

    private synchronized boolean finishing() {
      return finishing;
    }

    /** One answer, from the browser or pasted: the page to show, or null for "not ours". */
    private synchronized LoopbackListener.Page answer(Map<String, String> params) {
      if (!params.containsKey("code") && !params.containsKey("error")) {
        return null;
      }
      if (!state.equals(params.get("state"))) {
        stray.incrementAndGet();
        return new LoopbackListener.Page(
            400,
            "Not this sign-in",
            "This answer does not belong to the sign-in"
                + " mailfetch is waiting for, and was ignored. Use the address mailfetch showed last.");
      }
      if (result.isDone() || finishing) {
        return new LoopbackListener.Page(
            200, "Already done", "This sign-in is finished. You can close this window.");
      }
      finishing = true;
      // The result is given once the browser has its page: a program that ends when await()
      // returns must not cut the page off.
      try {
        OAuthTokenFile grant = grants.finish(params, pkce.verifier, redirect);
        return new LoopbackListener.Page(
            200,
            "Signed in",
            "mailfetch has its access now"
                + (tokenFile == null ? "" : " and saved it")
                + ". You can close this window.",
            () -> result.complete(grant));
      } catch (FetchException e) {
        return new LoopbackListener.Page(
            400,
            "Not signed in",
            e.getMessage()
                + " Nothing was saved. You can close"
                + " this window and follow the advice mailfetch shows.",
            () -> result.completeExceptionally(e));
      }
    }

    /** Stops listening; the sign-in can no longer be finished. */
    @Override
    public void close() {
      listener.close();
    }

    @Override
    public String toString() {
      return "OAuthAuthorization.Pending[" + redirect + "]";
    }
  }

  @Override
  public String toString() {
    return "OAuthAuthorization["
        + endpoints.provider().id()
        + ", client "
        + clientId
        + ", scopes "
        + String.join(" ", scopes)
        + "]";
  }

  /**
   * Builds an {@link OAuthAuthorization}; values are checked as they are given, and each is taken
   * once (a second call is refused showing the value it has, never the client secret).
   */
  public static final class Builder {
    private final Require.Once once = new Require.Once();
    private OAuthEndpoints endpoints;
    private String clientId;
    private String clientSecret;
    private List<String> scopes = List.of();
    private String account;
    private int port;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Path tokenFile;
    private URI gmailApi = GmailImportSink.DEFAULT_API_BASE;
    private HttpClient http;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The provider. Required. */
    public Builder endpoints(OAuthEndpoints endpoints) {
      once.set("endpoints", this.endpoints);
      this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
      return this;
    }

    /**
     * The OAuth client id (of a Desktop app client at Google; a public client at Microsoft).
     * Required.
     */
    public Builder clientId(String clientId) {
      once.set("clientId", this.clientId);
      this.clientId = OAuthTokenFile.text(clientId, "clientId");
      return this;
    }

    /**
     * The client secret, where the provider gives one to installed apps (Google); null for none.
     */
    public Builder clientSecret(String clientSecret) {
      once.setSecret("clientSecret");
      this.clientSecret =
          clientSecret == null ? null : OAuthTokenFile.text(clientSecret, "clientSecret");
      return this;
    }

    /** The scopes to ask for ({@link OAuthScopes}). Required. */
    public Builder scopes(List<String> scopes) {
      once.set("scopes", this.scopes);
      for (String s : scopes) {
        if (OAuthTokenFile.text(s, "scope").indexOf(' ') >= 0) {
          throw new IllegalArgumentException(
              "each scope on its own, without spaces: \"" + s + "\"");
        }
      }
      this.scopes = List.copyOf(scopes);
      return this;
    }

    /**
     * The account to sign in as: suggested to the provider ({@code login_hint}) and kept in the
     * token file.
     */
    public Builder account(String account) {
      once.set("account", this.account);
      this.account = account == null ? null : OAuthTokenFile.text(account, "account");
      return this;
    }

    /** The port to listen on, on 127.0.0.1; 0 (the default) for a free one. */
    public Builder port(int port) {
      once.set("port", this.port);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 (any free port) to 65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** How long to wait for the sign-in; 5 minutes by default. */
    public Builder timeout(Duration timeout) {
      once.set("timeout", this.timeout);
      this.timeout = Require.positive("timeout", timeout);
      return this;
    }

    /** Where to write the grant (whole or not at all, mode 0600); none to only return it. */
    public Builder tokenFile(Path file) {
      once.set("tokenFile", this.tokenFile);
      this.tokenFile = Objects.requireNonNull(file, "tokenFile");
      return this;
    }

    /**
     * Where Gmail's API is ({@code https://gmail.googleapis.com/} by default; a fake's address in
     * tests): for Google, the mailbox the grant opens is read there ({@code users.getProfile})
     * before the grant is written, and a sign-in as another account than {@link #account} is
     * refused.
     */
    public Builder gmailApi(URI api) {
      once.set("gmailApi", this.gmailApi);
      String s = Objects.requireNonNull(api, "gmailApi").toString();
      this.gmailApi = URI.create(s.endsWith("/") ? s : s + "/");
      return this;
    }

    /**
     * The HTTP client for the token endpoint; by default one of its own, following no redirects.
     */
    public Builder httpClient(HttpClient http) {
      once.set("httpClient", this.http);
      this.http = Objects.requireNonNull(http, "httpClient");
      return this;
    }

    /** The clock that dates the grant; for tests. */
    public Builder clock(Clock clock) {
      once.set("clock", this.clock);
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The sign-in, ready to {@link OAuthAuthorization#start()}.
     *
     * @throws IllegalStateException when endpoints, client id or scopes are missing
     */
    public OAuthAuthorization build() {
      return new OAuthAuthorization(this);
    }
  }
}
