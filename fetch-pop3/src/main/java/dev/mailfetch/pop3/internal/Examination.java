package dev.mailfetch.pop3.internal;

import dev.mailfetch.pop3.Diagnosis;
import dev.mailfetch.pop3.Diagnosis.Finding;
import dev.mailfetch.pop3.Pop3Doctor.ServerChoice;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.X509TrustManager;

/**
 * One run of the doctor: walks the stages of a fetch (DNS, TCP, TLS, greeting and capabilities,
 * login, mailbox, compliance), measures each, and turns what it saw into {@link Finding}s. Each
 * stage is a class of its own over an {@link ExamContext} ({@link DnsStage}, {@link TcpStage}, then
 * over one session {@link SessionWalk}: {@link TlsStage}, {@link CapabilitiesStage}, {@link
 * LoginStage}, {@link MailboxStage}, {@link ComplianceChecks}); they drive a {@link Pop3Connection}
 * with the client's own steps ({@link Greeting}, {@link Login}), so what they report is what a
 * fetch would meet. A stage that finds what stops a fetch blocks the rest.
 *
 * <p>Read-only by construction: the commands it sends are CAPA, STLS, UTF8, the login, STAT, UIDL,
 * LIST, TOP, NOOP, RSET and QUIT; RETR only in deep mode. No DELE exists here.
 */
public final class Examination {
  /** What to examine and how. {@code trust} is null when the embedder gave its own SSLContext. */
  public record Plan(
      Pop3Settings settings,
      X509TrustManager trust,
      boolean login,
      boolean deep,
      int samples,
      List<Integer> otherPorts,
      InetSocketAddress dnsServer,
      String srvDomain,
      boolean discover,
      Duration timeout,
      Clock clock) {}

  private Examination() {}

  /** Runs the whole examination. Never throws for anything the server or network does. */
  public static Diagnosis run(Plan plan) {
    Instant started = plan.clock().instant();
    long t0 = System.nanoTime();
    ExamContext ctx = new ExamContext(plan);
    new DnsStage(ctx).run();
    if (!ctx.blocked()) {
      new TcpStage(ctx).run();
    }
    if (!ctx.blocked()) {
      new SessionWalk(ctx).run();
    }
    return new Diagnosis(
        ctx.server(), started, Duration.ofNanos(System.nanoTime() - t0), ctx.steps());
  }

  /** RFC 6186 discovery for a mail domain: SRV records, then the usual names; best first. */
  public static List<ServerChoice> discover(
      String domain, InetSocketAddress dnsServer, Duration timeout) {
    return DnsStage.discover(domain, dnsServer, timeout);
  }
}
