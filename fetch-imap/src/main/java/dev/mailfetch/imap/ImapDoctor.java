package dev.mailfetch.imap;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.api.internal.doctor.JdkTrust;
import dev.mailfetch.imap.internal.ConnectionDraft;
import dev.mailfetch.imap.internal.DoctorExamination;
import dev.mailfetch.imap.internal.DoctorPlan;
import dev.mailfetch.imap.internal.ImapFailures;
import dev.mailfetch.imap.internal.ImapSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
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
 * <p>Or the doctor of exactly the connection and folders a fetch uses: {@code
 * ImapDoctor.builder().source(imapSource).build().examine()} ({@link Builder#source}).
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

  /** A builder; {@link Builder#source} or {@link Builder#host} is required. */
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
    private final ConnectionDraft connection = new ConnectionDraft();
    private ImapSource source;
    private ImapFolders folders = ImapFolders.inbox();
    private boolean login = true;
    private InetSocketAddress dnsServer;
    private String srvDomain;
    private boolean discover;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Examine exactly the connection {@code source} opens: its server, security, credentials,
     * trust, limits and folders. Instead of the settings below from {@link #host} to {@link
     * #folders}: combined with any of them it is refused.
     */
    public Builder source(ImapSource source) {
      once.set("source", this.source);
      Objects.requireNonNull(source, "source");
      Require.requireState(
          !once.isSet("folders"), "source cannot be combined with folders (%s)", folders);
      connection.takeFrom("source");
      this.source = source;
      return this;
    }

    /** The server's host name or address (with {@link #discoverServer}: the mail domain). */
    public Builder host(String host) {
      connection.host(host);
      return this;
    }

    /** The port (default 993 with implicit TLS, else 143). */
    public Builder port(int port) {
      connection.port(port);
      return this;
    }

    /** How the connection is protected (default {@link ImapSecurity#IMPLICIT_TLS}). */
    public Builder security(ImapSecurity security) {
      connection.security(security);
      return this;
    }

    /** The login name. */
    public Builder user(String user) {
      connection.user(user);
      return this;
    }

    /** Where the password comes from, asked at the login; without one, no login is tried. */
    public Builder password(Supplier<String> password) {
      connection.password(password);
      return this;
    }

    /** OAuth access tokens (XOAUTH2 or OAUTHBEARER), instead of a password. */
    public Builder oauthTokens(TokenProvider tokens) {
      connection.oauthTokens(tokens);
      return this;
    }

    /** Whether credentials may cross a connection without TLS (default false). */
    public Builder allowPlaintextAuthentication(boolean allow) {
      connection.allowPlaintextAuthentication(allow);
      return this;
    }

    /** The trust to use instead of the JDK's (then a refused certificate is not described). */
    public Builder sslContext(SSLContext context) {
      connection.sslContext(context);
      return this;
    }

    /**
     * Trust the certificates of this PEM file (a private CA, a self-signed server).
     *
     * @throws IllegalArgumentException naming the file if it cannot be read
     */
    public Builder trustPem(Path pemFile) {
      connection.trustPem(pemFile);
      return this;
    }

    /** The limits a fetch uses (their deadlines no longer than {@link #timeout} here). */
    public Builder limits(ImapLimits limits) {
      connection.limits(limits);
      return this;
    }

    /**
     * The folders a fetch reads (default {@link ImapFolders#inbox()}): each is checked to exist, as
     * the source plans them, and counted with STATUS.
     */
    public Builder folders(ImapFolders folders) {
      Require.requireState(
          source == null, "folders cannot be combined with source: its folders are examined");
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

    /**
     * Builds the doctor; nothing is sent over the network until it examines.
     *
     * @throws IllegalStateException if there is neither a host nor a source, or a secret would
     *     cross an unencrypted connection without the opt-in
     */
    public ImapDoctor build() {
      ImapSettings settings;
      X509ExtendedTrustManager pemTrust;
      ImapFolders examined;
      if (source != null) {
        settings = source.settings;
        pemTrust = source.pemTrust;
        examined = source.options.folders();
      } else {
        connection.requireHost();
        settings = connection.settings(null, ImapFailures.Role.SOURCE);
        pemTrust = connection.pemTrust();
        examined = folders;
      }
      ImapLimits l = settings.limits();
      ImapLimits bounded =
          l.toBuilder()
              .connectTimeout(min(l.connectTimeout(), timeout))
              .handshakeTimeout(min(l.handshakeTimeout(), timeout))
              .readTimeout(min(l.readTimeout(), timeout))
              .commandTimeout(min(l.commandTimeout(), timeout))
              .build();
      // the certificates are judged by the PEM's trust or the JDK's, recorded to describe them;
      // an embedder's own SSLContext is used as it is
      X509ExtendedTrustManager trust = pemTrust;
      if (trust == null && settings.sslContext() == null) {
        trust = JdkTrust.get();
      }
      return new ImapDoctor(
          new DoctorPlan(
              settings.host(),
              settings.port(),
              settings.security(),
              settings.user(),
              settings.password(),
              settings.tokens(),
              settings.allowPlaintextAuthentication(),
              settings.sslContext(),
              trust,
              bounded,
              examined,
              login,
              dnsServer,
              srvDomain,
              discover,
              timeout,
              clock));
    }

    private static Duration min(Duration a, Duration b) {
      return a.compareTo(b) <= 0 ? a : b;
    }
  }
}
