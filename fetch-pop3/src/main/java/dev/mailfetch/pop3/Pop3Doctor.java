package dev.mailfetch.pop3;

import dev.mailfetch.api.internal.Require;
import dev.mailfetch.api.internal.doctor.JdkTrust;
import dev.mailfetch.pop3.internal.Examination;
import dev.mailfetch.pop3.internal.Pop3Settings;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.X509TrustManager;

/**
 * Tells why mail will not download from a POP3 account, and what a server breaks: it walks the
 * stages a fetch goes through with the same settings, measures each, and reports a {@link
 * Diagnosis}.
 *
 * <pre>{@code
 * Diagnosis d = Pop3Doctor.builder()
 *     .source(source)              // the settings the fetch uses
 *     .build()
 *     .examine();
 * System.out.print(d.report());
 * System.exit(d.exitCode());       // 0 healthy, else the code of what stops the fetch
 * }</pre>
 *
 * <p><b>Read-only by construction:</b> it sends CAPA, STLS, UTF8, the login, STAT, UIDL, LIST, TOP
 * (to sample messages), NOOP and QUIT; never DELE. RETR only with {@link Builder#deep}: some
 * servers mark or delete a message once it is retrieved (Gmail's POP does), and a deep examination
 * then sends RSET before QUIT. A certificate that fails verification is described, never trusted:
 * no credential is sent over a connection that failed any check a fetch would make.
 */
public final class Pop3Doctor {
  /** Default of {@link Builder#samples}: {@value} messages. */
  public static final int DEFAULT_SAMPLES = 3;

  /** Default of {@link Builder#timeout}: 20 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

  private final Examination.Plan plan;

  private Pop3Doctor(Examination.Plan plan) {
    this.plan = plan;
  }

  /** A builder; {@link Builder#source} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Examines the server; problems are findings, never exceptions. */
  public Diagnosis examine() {
    return Examination.run(plan);
  }

  /**
   * Where a mail domain's POP3 server is, when only an address is known: the domain's RFC 6186 SRV
   * records ({@code _pop3s._tcp}, then {@code _pop3._tcp}), else the usual names that resolve
   * ({@code pop.}, {@code pop3.}, {@code mail.} with implicit TLS on 995).
   *
   * @param domain the part of the address after '@'
   * @param dnsServer the DNS server to ask, or null for this machine's
   * @return the candidates, best first; empty when nothing was found
   */
  public static List<ServerChoice> discover(String domain, InetSocketAddress dnsServer) {
    return Examination.discover(domain, dnsServer, Duration.ofSeconds(6));
  }

  /**
   * A server found by {@link #discover}: where, how secured, and how it was found.
   *
   * @param host the server's host name
   * @param port its port
   * @param security how the connection is secured there
   * @param foundBy how it was found, in words (the SRV record, or the usual name that resolved)
   */
  public record ServerChoice(String host, int port, Security security, String foundBy) {}

  /**
   * Builds a {@link Pop3Doctor}. Each setting is checked when given, and may be given once: a
   * second call is refused showing the value it has.
   */
  public static final class Builder {
    private final Require.Once once = new Require.Once();
    private Pop3Source source;
    private boolean login = true;
    private boolean deep;
    private int samples = DEFAULT_SAMPLES;
    private List<Integer> otherPorts = List.of(995, 110);
    private InetSocketAddress dnsServer;
    private String srvDomain;
    private boolean discover;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The settings to examine, as a fetch would use them. Required. */
    public Builder source(Pop3Source source) {
      once.set("source", this.source);
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Whether to log in (default true). Without a login the doctor stops after the capabilities:
     * for a user who has no password at hand, or an administrator checking a server.
     */
    public Builder login(boolean login) {
      once.set("login", this.login);
      this.login = login;
      return this;
    }

    /**
     * Also retrieve the sampled messages with RETR (default false), to compare their sizes with
     * LIST exactly, and open a second session to see whether unique ids stay and retrieved mail
     * stays. RETR can make some servers delete or hide a message (Gmail's POP does): use it on a
     * test account, or on mail that is fetched already.
     */
    public Builder deep(boolean deep) {
      once.set("deep", this.deep);
      this.deep = deep;
      return this;
    }

    /**
     * How many messages to sample with TOP (default {@value #DEFAULT_SAMPLES}; 0 for none). Small
     * ones are read whole.
     */
    public Builder samples(int samples) {
      once.set("samples", this.samples);
      this.samples = Require.range("samples", samples, 0, 100);
      return this;
    }

    /** The other ports to try, to suggest the right one (default 995 and 110). */
    public Builder otherPorts(int... ports) {
      once.set("otherPorts", this.otherPorts);
      List<Integer> out = new ArrayList<>();
      for (int p : ports) {
        out.add(Require.range("port", p, 1, 65535));
      }
      this.otherPorts = List.copyOf(out);
      return this;
    }

    /**
     * Ask this DNS server (UDP) every DNS question, instead of this machine's resolvers; the
     * connection then goes to the address it gives.
     */
    public Builder dnsServer(InetSocketAddress server) {
      once.set("dnsServer", this.dnsServer);
      this.dnsServer = Objects.requireNonNull(server, "dnsServer");
      return this;
    }

    /**
     * Also look up the RFC 6186 SRV records of this mail domain and compare them with the settings.
     */
    public Builder srvDomain(String domain) {
      once.set("srvDomain", this.srvDomain);
      this.srvDomain = Objects.requireNonNull(domain, "srvDomain");
      return this;
    }

    /**
     * Treat the source's host as a mail domain (the part of an address after '@') and find its POP3
     * server first, as {@link #discover} does; the examination then goes to the server found, with
     * the source's credentials. For a user who knows only their address.
     */
    public Builder discoverServer(boolean discover) {
      once.set("discoverServer", this.discover);
      this.discover = discover;
      return this;
    }

    /**
     * The longest the doctor waits for any one thing (default {@link #DEFAULT_TIMEOUT}, 20 s); the
     * source's own deadlines apply when shorter.
     */
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

    public Pop3Doctor build() {
      Require.requireState(source != null, "source is required");
      Pop3Limits l = source.limits;
      Pop3Limits limits =
          l.toBuilder()
              .connectTimeout(min(l.connectTimeout(), timeout))
              .handshakeTimeout(min(l.handshakeTimeout(), timeout))
              .readTimeout(min(l.readTimeout(), timeout))
              .commandTimeout(min(l.commandTimeout(), timeout))
              // as the doctor always had it: its sessions keep NOOPs at the default pace
              .keepAliveInterval(Pop3Limits.DEFAULT_KEEP_ALIVE_INTERVAL)
              .build();
      Pop3Settings settings =
          Pop3Settings.builder()
              .host(source.host)
              .port(source.port)
              .security(source.security)
              .user(source.user)
              .password(source.password)
              .tokens(source.tokens)
              .mechanisms(source.mechanisms)
              .allowPlaintext(source.allowPlaintextAuthentication)
              .sslContext(source.sslContext)
              .limits(limits)
              .tolerances(source.tolerances)
              .pipelining(false)
              .account(source.account)
              .build();
      X509TrustManager trust = source.pemTrust;
      if (trust == null && source.sslContext == null) {
        trust = JdkTrust.get();
      }
      return new Pop3Doctor(
          new Examination.Plan(
              settings,
              trust,
              login,
              deep,
              samples,
              otherPorts,
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
