package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.internal.tls.ChainRecorder;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Diagnosis.Step;
import dev.mailfetch.pop3.Pop3Doctor.ServerChoice;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What the stages of one examination share, and nothing else: the plan, the settings examined (the
 * server found replaces a domain given as host), a draft of every step, the server's address and
 * what its ports speak, and whether a stage found something that stops the rest. Each stage reads
 * and writes these through the methods here, never another stage's fields.
 */
final class ExamContext {
  private final Examination.Plan plan;
  private Pop3Settings settings;
  private final Map<Stage, StepDraft> steps = new EnumMap<>(Stage.class);

  /** The certificates the server showed, or null where the embedder gave its own SSLContext. */
  private final ChainRecorder recorder;

  private InetAddress address;
  private PortsHeard ports;
  private boolean blocked;

  ExamContext(Examination.Plan plan) {
    this.plan = plan;
    this.settings = plan.settings();
    // Only an extended trust manager checks the host name itself; the JDK's factories make no
    // other kind. Anything else keeps the source's own context: no chain to describe on failure,
    // but never a check lost.
    this.recorder =
        plan.trust() instanceof X509ExtendedTrustManager x ? new ChainRecorder(x) : null;
    for (Stage st : Stage.values()) {
      steps.put(st, new StepDraft(st));
    }
  }

  Examination.Plan plan() {
    return plan;
  }

  /** The settings examined. */
  Pop3Settings settings() {
    return settings;
  }

  /** Examines {@code found} from here on, with everything else as the settings say. */
  void examine(ServerChoice found) {
    settings =
        settings.toBuilder()
            .host(found.host())
            .port(found.port())
            .security(found.security())
            .build();
  }

  /** "host:port", as the findings name the server. */
  String server() {
    return settings.host() + ":" + settings.port();
  }

  /** The step of {@code stage}, its clock running again. */
  StepDraft begin(Stage stage) {
    StepDraft d = steps.get(stage);
    d.resume();
    return d;
  }

  /** The step of {@code stage}, as it is. */
  StepDraft step(Stage stage) {
    return steps.get(stage);
  }

  /** The stage under way: the last one begun. */
  StepDraft current() {
    StepDraft last = steps.get(Stage.DNS);
    for (StepDraft d : steps.values()) {
      if (d.begun()) {
        last = d;
      }
    }
    return last;
  }

  /** The steps as the report shows them, in the order of the stages. */
  List<Step> steps() {
    List<Step> out = new ArrayList<>();
    for (StepDraft d : steps.values()) {
      out.add(d.build());
    }
    return out;
  }

  /** Something was found that stops the stages after this one. */
  void block() {
    blocked = true;
  }

  boolean blocked() {
    return blocked;
  }

  InetAddress address() {
    return address;
  }

  void address(InetAddress address) {
    this.address = address;
  }

  /** What the chosen port and the others answered (after the connection stage). */
  PortsHeard ports() {
    return ports;
  }

  void ports(PortsHeard ports) {
    this.ports = ports;
  }

  /** The recorder of the certificates the server shows, forgetting the last; or null. */
  ChainRecorder freshRecorder() {
    if (recorder != null) {
      recorder.reset();
    }
    return recorder;
  }

  /** The shorter of the plan's timeout and {@code most}. */
  Duration within(Duration most) {
    return plan.timeout().compareTo(most) <= 0 ? plan.timeout() : most;
  }

  /** A new, unconnected connection to the address found, as a fetch with these settings opens. */
  Pop3Connection newSession() {
    Pop3Connection ses = new Pop3Connection(sessionSettings(), new ServerMemory());
    ses.connectTo(address);
    return ses;
  }

  /** Sessions after the first, with the same settings and this examination's address. */
  SecondSessions secondSessions() {
    return new SecondSessions(this::newSession, settings.security());
  }

  /**
   * The settings the session uses: the SSLContext of the recorder over the trust manager, or the
   * embedder's own; pipelining off, as the doctor sends one command at a time.
   */
  private Pop3Settings sessionSettings() {
    SSLContext ctx = settings.sslContext();
    if (recorder != null) {
      try {
        ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {recorder}, null);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK has no TLS", e);
      }
    }
    return settings.toBuilder().sslContext(ctx).pipelining(false).build();
  }
}
