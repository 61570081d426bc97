package dev.mailfetch.pop3.internal;

import static dev.mailfetch.pop3.internal.DoctorWords.seconds;

import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Diagnosis.Status;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Symptom;
import dev.mailfetch.pop3.internal.PortProbe.PortSpeaks;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The doctor's connection stage: what the chosen port speaks (a POP3 greeting, TLS, another
 * protocol, nothing), and the usual other ports, to suggest one that works.
 */
final class TcpStage {
  /** How long a port may stay silent before it is tried with a TLS handshake. */
  static final Duration PROBE_WAIT = Duration.ofSeconds(3);

  private final ExamContext ctx;

  TcpStage(ExamContext ctx) {
    this.ctx = ctx;
  }

  void run() {
    StepDraft d = ctx.begin(Stage.TCP);
    Pop3Settings s = ctx.settings();
    PortProbe probe =
        new PortProbe(
            ctx.address(),
            s.host(),
            s.port(),
            s.security() == Security.IMPLICIT_TLS,
            ctx.within(PROBE_WAIT));
    PortProbe.Probe p = probe.probe(s.port(), s.limits().connectTimeout());
    TreeMap<Integer, PortSpeaks> others = new TreeMap<>();
    for (int port : ctx.plan().otherPorts()) {
      if (port != s.port()) {
        others.put(port, probe.probe(port, PROBE_WAIT).speaks());
      }
    }
    PortsHeard ports = new PortsHeard(p.speaks(), others);
    ctx.ports(ports);
    d.summary(
        "port "
            + s.port()
            + ": "
            + p.speaks().words
            + (p.firstLine().isEmpty() ? "" : " (\"" + p.firstLine() + "\")"));
    String alternatives = ports.alternatives();
    if (!alternatives.isEmpty()) {
      d.note("other ports: " + alternatives);
    }
    String suggestion = ports.suggestion();
    switch (p.speaks()) {
      case REFUSED ->
          d.add(
              Symptom.CONNECTION_REFUSED,
              "connecting to " + ctx.server() + " was refused" + suggestion);
      case TIMED_OUT ->
          d.add(
              Symptom.CONNECTION_TIMED_OUT,
              (p.detail().isEmpty()
                      ? "no answer from "
                          + ctx.server()
                          + " within "
                          + seconds(s.limits().connectTimeout())
                      : p.detail())
                  + suggestion);
      case CLOSED ->
          d.add(
              Symptom.CONNECTION_RESET,
              ctx.server()
                  + " accepted the connection and closed it before"
                  + " saying anything"
                  + (p.detail().isEmpty() ? "" : " (" + p.detail() + ")")
                  + suggestion);
      case IMAP, SMTP, OTHER ->
          d.add(
              Symptom.NOT_POP3,
              "port "
                  + s.port()
                  + " greeted with \""
                  + p.firstLine()
                  + "\""
                  + " ("
                  + p.speaks().words
                  + ")"
                  + suggestion);
      case SILENT ->
          d.add(
              Symptom.SILENT_PORT,
              "port "
                  + s.port()
                  + " sent nothing for "
                  + PROBE_WAIT.toSeconds()
                  + " s and did not answer a TLS handshake"
                  + suggestion);
      default -> {}
    }
    for (Map.Entry<Integer, PortSpeaks> o : ports.others().entrySet()) {
      if (o.getValue().pop3() && d.hasFindings()) {
        d.add(
            Symptom.OTHER_PORT_WORKS,
            "port "
                + o.getKey()
                + " speaks "
                + o.getValue().words
                + (o.getValue() == PortSpeaks.TLS
                    ? ": choose implicit TLS (pop3s) on port " + o.getKey()
                    : ": choose STARTTLS on port " + o.getKey()));
      }
    }
    if (d.hasFindings() && d.worst() == Status.FAILED) {
      ctx.block();
    }
    d.end();
  }
}
