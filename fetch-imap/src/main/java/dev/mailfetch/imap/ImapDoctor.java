package dev.mailfetch.imap;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.api.internal.tls.PemTrust;
import dev.mailfetch.imap.internal.DoctorExamination;
import dev.mailfetch.imap.internal.DoctorPlan;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Tells why mail will not download from an IMAP account: it walks the stages a fetch goes through
 * with the same settings (DNS with RFC 6186 SRV records, TCP, TLS, capabilities, login, the folders
 * to read, the IMAP extensions mailfetch uses), measures each, and reports an {@link
 * ImapDiagnosis}.
 *
 * <pre>{@code
 * ImapDiagnosis d = ImapDoctor.builder()
 *     .host("imap.example.org")
 *     .user("alice")
 *     .password(() -> System.getenv("IMAP_PASSWORD"))
 *     .folders(ImapFolders.named("INBOX", "Lists/java"))
 *     .build()
 *     .examine();
 * System.out.print(d.report());
 * System.exit(d.exitCode());       // 0 healthy, else the code of what stops the fetch
 * }</pre>
 *
 * <p><b>Read-only by construction:</b> it sends CAPABILITY, STARTTLS, the login, LIST, STATUS and
 * LOGOUT; never SELECT, STORE, EXPUNGE or MOVE, so nothing on the server changes (not even a {@code
 * \Recent} flag). A certificate that fails verification is described, never trusted: no credential
 * is sent over a connection that failed any check a fetch would make.
 */
public final class ImapDoctor {
  /** Default of {@link Builder#timeout}: 20 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

  private final DoctorPlan plan;

  private ImapDoctor(DoctorPlan plan) {
    this.plan = plan;
  }

  /** A builder; {@link Builder#host} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Examines the server; problems are findings, never exceptions. */
  public ImapDiagnosis examine() {
    return DoctorExamination.run(plan);
  }

  /**
   * Where a mail domain's IMAP server is, when only an address is known: the domain's RFC 6186 SRV
   * records ({@code _imaps._tcp}, then {@code _imap._tcp}), else the usual names that resolve
   * ({@code imap.}, {@code mail.} with implicit TLS on 993).
   *
   * @param domain the part of the address after '@'
   * @param dnsServer the DNS server to ask, or null for this machine's
   * @return the candidates, best first; empty when nothing was found
   */
  public static List<ServerChoice> discover(String domain, InetSocketAddress dnsServer) {
    return DoctorExamination.discover(domain, dnsServer, Duration.ofSeconds(6));
  }

  /**
   * An IMAP server found by {@link #discover}: where, how secured, and how it was found.
   *
   * @param host the server's host name
   * @param port its port
   * @param security how the connection is secured there
   * @param foundBy how it was found, in words (the SRV record, or the usual name that resolved)
   */
  public record ServerChoice(String host, int port, ImapSecurity security, String foundBy) {}

  /**
   * Builds an {@link ImapDoctor} with the settings a fetch uses. Each setting is checked when
   * given, and may be given once: a second call is refused showing the value it has.
   */
  public static final class Builder {
    private final Require.Once once = new Require.Once();
    private String host;
    private int port;
    private ImapSecurity security = ImapSecurity.IMPLICIT_TLS;
    private String user;
    private Supplier<String> password;
    private TokenProvider tokens;
    private boolean allowPlaintext;
    private SSLContext sslContext;
    private Path pemFile;
    private ImapLimits limits = ImapLimits.defaults();
    private ImapFolders folders = ImapFolders.inbox();
    private boolean login = true;
    private InetSocketAddress dnsServer;
    private String srvDomain;
    private boolean discover;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The server's host name or address (with {@link #discoverServer}: the mail domain). */
    public Builder host(String host) {
      once.set("host", this.host);
      this.host = Require.notEmpty("host", host);
      return this;
    }

    /** The port (default 993 with implicit TLS, else 143). */
    public Builder port(int port) {
      once.set("port", this.port);
      this.port = Require.range("port", port, 1, 65535);
      return this;
    }

    /** How the connection is protected (default {@link ImapSecurity#IMPLICIT_TLS}). */
    public Builder security(ImapSecurity security) {
      once.set("security", this.security);
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /** The login name. */
    public Builder user(String user) {
      once.set("user", this.user);
      this.user = Require.notEmpty("user", user);
      return this;
    }

    /** Where the password comes from, asked at the login; without one, no login is tried. */
    public Builder password(Supplier<String> password) {
      once.setSecret("password");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /** OAuth access tokens (XOAUTH2 or OAUTHBEARER), instead of a password. */
    public Builder oauthTokens(TokenProvider tokens) {
      once.setSecret("oauthTokens");
      this.tokens = Objects.requireNonNull(tokens, "oauthTokens");
      return this;
    }

    /** Whether credentials may cross a connection without TLS (default false). */
    public Builder allowPlaintextAuthentication(boolean allow) {
      once.set("allowPlaintextAuthentication", this.allowPlaintext);
      this.allowPlaintext = allow;
      return this;
    }

    /** The trust to use instead of the JDK's (then a refused certificate is not described). */
    public Builder sslContext(SSLContext context) {
      Require.requireState(
          !once.isSet("trustPem"), "sslContext cannot be combined with trustPem (%s)", pemFile);
      once.set("sslContext", this.sslContext);
      this.sslContext = Objects.requireNonNull(context, "sslContext");
      return this;
    }

    /** Trust the certificates of this PEM file (a private CA, a self-signed server). */
    public Builder trustPem(Path pemFile) {
      Require.requireState(
          !once.isSet("sslContext"),
          "trustPem cannot be combined with sslContext (%s)",
          sslContext);
      once.set("trustPem", this.pemFile);
      this.pemFile = Objects.requireNonNull(pemFile, "trustPem");
      return this;
    }

    /** The limits a fetch uses (their deadlines no longer than {@link #timeout} here). */
    public Builder limits(ImapLimits limits) {
      once.set("limits", this.limits);
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * The folders a fetch reads (default {@link ImapFolders#inbox()}): each is checked to exist, as
     * the source plans them, and counted with STATUS.
     */
    public Builder folders(ImapFolders folders) {
      once.set("folders", this.folders);
      this.folders = Objects.requireNonNull(folders, "folders");
      return this;
    }

    /** Whether to log in (default true, where a password or token is given). */
    public Builder login(boolean login) {
      once.set("login", this.login);
      this.login = login;
      return this;
    }

    /** Ask this DNS server (UDP) every DNS question, instead of this machine's resolvers. */
    public Builder dnsServer(InetSocketAddress server) {
      once.set("dnsServer", this.dnsServer);
      this.dnsServer = Objects.requireNonNull(server, "dnsServer");
      return this;
    }

    /** Also look up this mail domain's RFC 6186 SRV records and compare them with the settings. */
    public Builder srvDomain(String domain) {
      once.set("srvDomain", this.srvDomain);
      this.srvDomain = Require.notEmpty("srvDomain", domain);
      return this;
    }

    /**
     * Treat the host as a mail domain (the part of an address after '@') and find its IMAP server
     * first, as {@link #discover} does; the examination then goes to the server found.
     */
    public Builder discoverServer(boolean discover) {
      once.set("discoverServer", this.discover);
      this.discover = discover;
      return this;
    }

    /** The longest the doctor waits for any one thing (default 20 s). */
    public Builder timeout(Duration timeout) {
      once.set("timeout", this.timeout);
      this.timeout = Require.positive("timeout", timeout);
      return this;
    }

    /** The clock certificate dates are judged by (tests). */
    public Builder clock(Clock clock) {
      once.set("clock", this.clock);
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public ImapDoctor build() {
      Require.requireState(host != null, "host is required");
      Require.requireState(
          security != ImapSecurity.NONE || allowPlaintext || (password == null && tokens == null),
          "security NONE sends the password unencrypted: allowPlaintextAuthentication(true) too");
      ImapLimits l = limits;
      ImapLimits bounded =
          l.toBuilder()
              .connectTimeout(min(l.connectTimeout(), timeout))
              .handshakeTimeout(min(l.handshakeTimeout(), timeout))
              .readTimeout(min(l.readTimeout(), timeout))
              .commandTimeout(min(l.commandTimeout(), timeout))
              .build();
      X509ExtendedTrustManager trust = null;
      SSLContext ssl = sslContext;
      if (pemFile != null) {
        PemTrust pem = PemTrust.load(pemFile);
        ssl = pem.context();
        trust = pem.trustManager() instanceof X509ExtendedTrustManager x ? x : null;
      } else if (sslContext == null) {
        trust = jdkTrust();
      }
      Supplier<String> pw = password;
      return new ImapDoctor(
          new DoctorPlan(
              host,
              port,
              security,
              user,
              pw == null ? null : pw::get,
              tokens,
              allowPlaintext,
              ssl,
              trust,
              bounded,
              folders,
              login,
              dnsServer,
              srvDomain,
              discover,
              timeout,
              clock));
    }

    private static X509ExtendedTrustManager jdkTrust() {
      try {
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (TrustManager tm : tmf.getTrustManagers()) {
          if (tm instanceof X509ExtendedTrustManager x) {
            return x;
          }
        }
        throw new IllegalStateException("this JDK has no X.509 trust manager");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK's trust store cannot be read", e);
      }
    }

    private static Duration min(Duration a, Duration b) {
      return a.compareTo(b) <= 0 ? a : b;
    }
  }
}
