package dev.mailfetch.imap.internal;

import dev.mailfetch.api.internal.tls.ChainRecorder;
import dev.mailfetch.imap.ImapDiagnosis;
import dev.mailfetch.imap.ImapDiagnosis.Stage;
import dev.mailfetch.imap.ImapDiagnosis.Step;
import dev.mailfetch.imap.ImapDoctor.ServerChoice;
import dev.mailfetch.imap.ImapSecurity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * One run of the IMAP doctor: the stages in a fetch's order (DNS, TCP, TLS and capabilities, login,
 * folders, IMAP extensions), each a {@link DoctorDraft}; a stage that fails stops the ones after
 * it, which are then skipped. Read-only: it sends CAPABILITY, STARTTLS, the login, LIST, STATUS and
 * LOGOUT, never a command that changes a flag or a folder, and never a credential over a connection
 * that failed a check a fetch would make.
 */
public final class DoctorExamination {
  private final DoctorPlan plan;
  private final Map<Stage, DoctorDraft> drafts = new EnumMap<>(Stage.class);
  private final ChainRecorder recorder;
  private String host;
  private int port;
  private ImapSecurity security;
  private InetAddress address;
  private boolean blocked;

  private DoctorExamination(DoctorPlan plan) {
    this.plan = plan;
    this.host = plan.host();
    this.port = plan.port();
    this.security = plan.security();
    this.recorder = plan.trust() == null ? null : new ChainRecorder(plan.trust());
    for (Stage s : Stage.values()) {
      drafts.put(s, new DoctorDraft(s));
    }
  }

  /** Examines what {@code plan} says; problems are findings, never exceptions. */
  public static ImapDiagnosis run(DoctorPlan plan) {
    Instant started = plan.clock().instant();
    long began = System.nanoTime();
    DoctorExamination exam = new DoctorExamination(plan);
    new DoctorDnsStage(exam).run();
    if (!exam.blocked) {
      new DoctorConnectStage(exam).run();
    }
    List<Step> steps = new ArrayList<>();
    for (DoctorDraft d : exam.drafts.values()) {
      steps.add(d.step());
    }
    return new ImapDiagnosis(
        exam.host + ":" + exam.port, started, Duration.ofNanos(System.nanoTime() - began), steps);
  }

  /** RFC 6186 discovery of a mail domain's IMAP server: SRV records, then the usual names. */
  public static List<ServerChoice> discover(
      String domain, InetSocketAddress dnsServer, Duration timeout) {
    return DoctorDnsStage.discover(domain, dnsServer, timeout);
  }

  DoctorPlan plan() {
    return plan;
  }

  DoctorDraft begin(Stage stage) {
    return drafts.get(stage).begin();
  }

  void block() {
    blocked = true;
  }

  boolean blocked() {
    return blocked;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  ImapSecurity security() {
    return security;
  }

  /** The server discovery found: examined from here on. */
  void examine(ServerChoice choice) {
    host = choice.host();
    port = choice.port();
    security = choice.security();
  }

  void address(InetAddress address) {
    this.address = address;
  }

  InetAddress address() {
    return address;
  }

  /** The recorder of the certificates the server shows, forgetting the last; or null. */
  ChainRecorder freshRecorder() {
    if (recorder != null) {
      recorder.reset();
    }
    return recorder;
  }

  /**
   * The settings a fetch would open its session with, to the server examined, with the recorder
   * over the trust manager so that a refused certificate can be described.
   */
  ImapSettings settings() {
    SSLContext ctx = plan.sslContext();
    if (recorder != null) {
      try {
        ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {recorder}, null);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK has no TLS", e);
      }
    }
    return new ImapSettings(
        host,
        port,
        security,
        ctx,
        plan.limits(),
        plan.user(),
        plan.password(),
        plan.tokens(),
        plan.allowPlaintext(),
        null,
        ImapFailures.Role.SOURCE);
  }
}
