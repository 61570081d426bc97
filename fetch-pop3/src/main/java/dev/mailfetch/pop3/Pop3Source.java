package dev.mailfetch.pop3;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.api.internal.tls.PemTrust;
import dev.mailfetch.pop3.internal.CertificateTrouble;
import dev.mailfetch.pop3.internal.PipeliningFallback;
import dev.mailfetch.pop3.internal.Pop3Settings;
import dev.mailfetch.pop3.internal.ServerMemory;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * A POP3 mailbox as a {@link FetchSource}: secure by default, streaming, pipelined.
 *
 * <pre>{@code
 * Pop3Source source = Pop3Source.builder()
 *     .host("pop.example.com")                        // implicit TLS on 995 by default
 *     .user("alice@example.com")
 *     .password(() -> System.getenv("MAIL_PASSWORD"))  // never a literal in code
 *     .build();
 * }</pre>
 *
 * <p>Certificates and host names are always verified (the JDK's trust store, a PEM file of your
 * own, or your own {@link SSLContext}); there is no switch to turn that off. Credentials are never
 * sent in plain text unless {@link Builder#allowPlaintextAuthentication} says so by name, and never
 * appear in a log line, exception or trace. Immutable and safe for concurrent use: each {@link
 * #open()} is its own connection.
 */
public final class Pop3Source implements FetchSource {
  final String host;
  final int port;
  final Security security;
  final String user;
  final Supplier<String> password;
  final TokenProvider tokens;
  final Set<AuthMechanism> mechanisms;
  final boolean allowPlaintextAuthentication;
  final SSLContext sslContext;

  /**
   * The trust manager behind {@link Builder#trustPem}, which the doctor wraps to describe a refused
   * chain.
   */
  final X509TrustManager pemTrust;

  final Pop3Limits limits;
  final Set<Tolerance> tolerances;
  final Boolean pipelining;
  final String account;

  /** What earlier sessions learnt about this server (quirks Q19, Q21), shared by later ones. */
  private final ServerMemory learnt = new ServerMemory();

  private Pop3Source(Builder b) {
    this.host = b.host;
    this.security = b.security;
    this.port = b.port > 0 ? b.port : (b.security == Security.IMPLICIT_TLS ? 995 : 110);
    this.user = b.user;
    this.password = b.password;
    this.tokens = b.tokens;
    this.mechanisms = Set.copyOf(b.mechanisms);
    this.allowPlaintextAuthentication = b.allowPlaintext;
    this.sslContext = b.sslContext;
    this.pemTrust = b.pemTrust;
    this.limits = b.limits;
    this.tolerances = b.tolerances.isEmpty() ? Set.of() : EnumSet.copyOf(b.tolerances);
    this.pipelining = b.pipelining;
    this.account = b.account != null ? b.account : AccountNames.of(b.user, b.host, port);
  }

  /** A builder; {@code host}, {@code user} and a password or token provider are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String account() {
    return account;
  }

  @Override
  public FetchSession open() throws FetchException {
    Pop3Settings settings =
        Pop3Settings.builder()
            .host(host)
            .port(port)
            .security(security)
            .user(user)
            .password(password)
            .tokens(tokens)
            .mechanisms(mechanisms)
            .allowPlaintext(allowPlaintextAuthentication)
            .sslContext(sslContext)
            .limits(limits)
            .tolerances(tolerances)
            .pipelining(pipelining)
            .account(account)
            .build();
    try {
      return PipeliningFallback.open(settings, learnt);
    } catch (FetchException e) {
      throw CertificateTrouble.explain(e, settings, pemTrust != null);
    }
  }

  /** The server as {@code host:port}. */
  public String server() {
    return host + ":" + port;
  }

  @Override
  public String toString() {
    return "Pop3Source[" + account + " at " + server() + ", " + security + "]";
  }

  /** Builds a {@link Pop3Source}. Each setting may be set once; mistakes fail at once, in words. */
  public static final class Builder {
    private String host;
    private int port;
    private Security security = Security.IMPLICIT_TLS;
    private String user;
    private Supplier<String> password;
    private TokenProvider tokens;
    private Set<AuthMechanism> mechanisms;
    private boolean allowPlaintext;
    private SSLContext sslContext;
    private X509TrustManager pemTrust;
    private Path pemFile;
    private Pop3Limits limits = Pop3Limits.defaults();
    private final Set<Tolerance> tolerances = EnumSet.noneOf(Tolerance.class);
    private Boolean pipelining;
    private String account;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /** The server's host name (verified against its certificate). Required. */
    public Builder host(String host) {
      once.set("host", this.host);
      this.host = clean("host", host);
      return this;
    }

    /** The port; default 995 for implicit TLS, 110 otherwise. */
    public Builder port(int port) {
      once.set("port", this.port);
      this.port = Require.range("port", port, 1, 65535);
      return this;
    }

    /** How the connection is protected; default {@link Security#IMPLICIT_TLS}. */
    public Builder security(Security security) {
      once.set("security", this.security);
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /** The login name (often the whole e-mail address). Required. */
    public Builder user(String user) {
      once.set("user", this.user);
      this.user = clean("user", user);
      return this;
    }

    /**
     * Where the password comes from, asked at each login (an environment variable, a file, a
     * vault). It may contain spaces and any UTF-8, but no CR, LF or NUL.
     */
    public Builder password(Supplier<String> password) {
      once.setSecret("password");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /** OAuth access tokens (XOAUTH2, OAUTHBEARER), asked at each login. */
    public Builder oauthTokens(TokenProvider tokens) {
      once.setSecret("oauthTokens");
      this.tokens = Objects.requireNonNull(tokens, "oauthTokens");
      return this;
    }

    /**
     * The login methods allowed, in any order (the source tries the strongest the server offers).
     * Default: XOAUTH2 and OAUTHBEARER with a token provider; PLAIN, LOGIN and USER with a
     * password. CRAM-MD5 and APOP only when listed here.
     */
    public Builder mechanisms(AuthMechanism... allowed) {
      once.set("mechanisms", this.mechanisms);
      Require.requireArgument(allowed.length > 0, "mechanisms needs at least one");
      this.mechanisms = EnumSet.copyOf(List.of(allowed));
      return this;
    }

    /**
     * Allow credentials over a connection without TLS. Needed with {@link Security#NONE}; the
     * password or token is then readable by anyone on the network path.
     */
    public Builder allowPlaintextAuthentication(boolean allow) {
      once.set("allowPlaintextAuthentication", this.allowPlaintext);
      this.allowPlaintext = allow;
      return this;
    }

    /** Your own TLS setup: another provider, a pinned trust store. Host names are still checked. */
    public Builder sslContext(SSLContext context) {
      Require.requireState(
          !once.isSet("trustPem"), "sslContext cannot be combined with trustPem (%s)", pemFile);
      once.set("sslContext", this.sslContext);
      this.sslContext = Objects.requireNonNull(context, "sslContext");
      return this;
    }

    /**
     * Trust exactly the CA certificates in this PEM file (for a private or self-signed server),
     * instead of the JDK's trust store. Host names are still checked.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read or holds no certificate
     */
    public Builder trustPem(Path pemFile) {
      Require.requireState(
          !once.isSet("sslContext"),
          "trustPem cannot be combined with sslContext (%s)",
          this.sslContext);
      once.set("trustPem", this.pemFile);
      this.pemFile = pemFile;
      PemTrust trust = PemTrust.load(pemFile);
      this.sslContext = trust.context();
      this.pemTrust = trust.trustManager();
      return this;
    }

    /** Caps and deadlines; default {@link Pop3Limits#defaults()}. */
    public Builder limits(Pop3Limits limits) {
      once.set("limits", this.limits);
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Server misbehaviours to accept; see {@link Tolerance}. None by default. */
    public Builder tolerate(Tolerance... tolerances) {
      for (Tolerance t : tolerances) {
        this.tolerances.add(Objects.requireNonNull(t, "tolerance"));
      }
      return this;
    }

    /**
     * Pipeline commands (RFC 2449 §6.6) even if the server does not say it can (true), or never
     * (false). By default, only when the server advertises PIPELINING.
     */
    public Builder pipelining(boolean pipeline) {
      once.set("pipelining", this.pipelining);
      this.pipelining = pipeline;
      return this;
    }

    /**
     * The stable account name the state is kept under, and which every delivery key holds (a sink
     * recognises a message it has by it). Default: {@link AccountNames#of} of the user, host and
     * port, as the {@code mailfetch} command names accounts: {@code user@host}, with {@code :port}
     * when the port is not 110 or 995. Give the name an earlier version used ({@code user@host}
     * without the port) to keep an account on another port under its old state.
     */
    public Builder account(String account) {
      once.set("account", this.account);
      this.account = clean("account", account);
      return this;
    }

    /**
     * Builds the source.
     *
     * @throws IllegalStateException if something required is missing or the settings contradict
     *     each other (plain text without the opt-in, APOP without TLS, no credentials)
     */
    public Pop3Source build() {
      if (host == null || user == null) {
        throw new IllegalStateException("host and user are required");
      }
      if (password == null && tokens == null) {
        throw new IllegalStateException("a password or an OAuth token provider is required");
      }
      if (security == Security.NONE && !allowPlaintext) {
        throw new IllegalStateException(
            "Security.NONE sends the password in plain text; call"
                + " allowPlaintextAuthentication(true) to accept that, or use IMPLICIT_TLS or STARTTLS");
      }
      if (mechanisms == null) {
        mechanisms =
            tokens != null
                ? EnumSet.of(AuthMechanism.XOAUTH2, AuthMechanism.OAUTHBEARER)
                : EnumSet.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN, AuthMechanism.USER);
      }
      boolean oauth =
          mechanisms.contains(AuthMechanism.XOAUTH2)
              || mechanisms.contains(AuthMechanism.OAUTHBEARER);
      boolean passwordBased =
          !EnumSet.complementOf(EnumSet.of(AuthMechanism.XOAUTH2, AuthMechanism.OAUTHBEARER))
              .stream()
              .filter(mechanisms::contains)
              .findAny()
              .isEmpty();
      if (oauth && tokens == null && !passwordBased) {
        throw new IllegalStateException("OAuth mechanisms need oauthTokens(...)");
      }
      if (passwordBased && password == null && !oauth) {
        throw new IllegalStateException("password mechanisms need password(...)");
      }
      if (mechanisms.contains(AuthMechanism.APOP) && security == Security.NONE) {
        throw new IllegalStateException("APOP is allowed only over TLS (CVE-2007-1558)");
      }
      return new Pop3Source(this);
    }

    private static String clean(String name, String value) {
      Require.notEmpty(name, value);
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\r' || c == '\n' || c == '\0') {
          throw new IllegalArgumentException(
              name
                  + " must not contain CR, LF or NUL (they would"
                  + " start a new POP3 command): "
                  + FetchException.escape(value));
        }
      }
      return name.equals("host") ? value.toLowerCase(Locale.ROOT) : value;
    }
  }
}
