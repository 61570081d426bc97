package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.internal.Sizes;
import dev.mailfetch.pop3.Diagnosis;
import dev.mailfetch.pop3.Diagnosis.Finding;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Diagnosis.Status;
import dev.mailfetch.pop3.Diagnosis.Step;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Symptom;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One run of the doctor: walks the stages of a fetch (DNS, TCP, TLS, greeting and capabilities,
 * login, mailbox, compliance), measures each, and turns what it saw into {@link Finding}s. It
 * reuses {@link Pop3Session}'s own steps, so what it reports is what a fetch would meet.
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

  private static final Pattern QUIRK = Pattern.compile("\\bQ(\\d\\d)\\b");
  private static final Duration PROBE_WAIT = Duration.ofSeconds(3);
  private static final long WHOLE_TOP_MAX = 1 << 20;
  private static final int WARN_DAYS = 21;

  private final Plan plan;

  /** The settings examined; with discovery, the server found replaces the domain given as host. */
  private Pop3Settings s;

  private final Map<Stage, StepDraft> steps = new EnumMap<>(Stage.class);
  private final Dns dns;
  private InetAddress address;
  private PortProbe.PortSpeaks chosenSpeaks;
  private final Map<Integer, PortProbe.PortSpeaks> others = new HashMap<>();
  private final ChainRecorder recorder;
  private boolean blocked;

  /**
   * Sampled messages that came as something else than the message: the server's notice (quirk Q52)
   * or nothing of it (quirk Q53). No size of theirs is LIST's or TOP's.
   */
  private final Set<Integer> notices = new HashSet<>();

  /** A sampled message whose header holds UTF-8, to ask for again without UTF-8 mode; or null. */
  private Integer eightBitSample;

  private Examination(Plan plan) {
    this.plan = plan;
    this.s = plan.settings();
    this.dns = new Dns(plan.dnsServer(), plan.timeout());
    // Only an extended trust manager checks the host name itself; the JDK's factories make no
    // other kind. Anything else keeps the source's own context: no chain to describe on failure,
    // but never a check lost.
    this.recorder =
        plan.trust() instanceof X509ExtendedTrustManager x ? new ChainRecorder(x) : null;
    for (Stage st : Stage.values()) {
      steps.put(st, new StepDraft(st));
    }
  }

  /** Runs the whole examination. Never throws for anything the server or network does. */
  public static Diagnosis run(Plan plan) {
    Instant started = plan.clock().instant();
    long t0 = System.nanoTime();
    Examination e = new Examination(plan);
    e.examine();
    List<Step> out = new ArrayList<>();
    for (StepDraft d : e.steps.values()) {
      out.add(d.build());
    }
    return new Diagnosis(
        e.s.host() + ":" + e.s.port(), started, Duration.ofNanos(System.nanoTime() - t0), out);
  }

  /**
   * The SSLContext the session uses: the recorder over the trust manager, or the embedder's own.
   */
  private Pop3Settings sessionSettings() {
    SSLContext ctx = s.sslContext();
    if (recorder != null) {
      try {
        ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {recorder}, null);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK has no TLS", e);
      }
    }
    return s.toBuilder().sslContext(ctx).pipelining(false).build();
  }

  private void examine() {
    dnsStage();
    if (blocked) {
      return;
    }
    tcpStage();
    if (blocked) {
      return;
    }
    sessionStages(false);
  }

  // ------------------------------------------------------------------ DNS

  private void dnsStage() {
    StepDraft d = begin(Stage.DNS);
    if (plan.discover()) {
      String domain = s.host();
      List<String[]> found = discover(domain, plan.dnsServer(), plan.timeout());
      if (found.isEmpty()) {
        d.add(
            Symptom.SRV_NONE,
            "no _pop3s._tcp or _pop3._tcp SRV record for "
                + domain
                + ", and none of pop., pop3.,"
                + " mail."
                + domain
                + " resolves");
        d.summary = "no POP3 server found for " + domain;
        d.end();
        blocked = true;
        return;
      }
      String[] best = found.get(0);
      s =
          s.toBuilder()
              .host(best[0])
              .port(Integer.parseInt(best[1]))
              .security(Security.valueOf(best[2]))
              .build();
      d.notes.add(
          "found "
              + best[0]
              + ":"
              + best[1]
              + " ("
              + Advice.words(Security.valueOf(best[2]))
              + ") by "
              + best[3]);
      srv(d, domain);
    } else if (plan.srvDomain() != null) {
      srv(d, plan.srvDomain());
    }
    String host = s.host();
    if (HostLookup.literal(host)) {
      try {
        address = InetAddress.getByName(host);
        d.summary = host + " is an address; no DNS needed";
      } catch (UnknownHostException e) {
        d.add(
            Symptom.ADDRESS_INVALID,
            "\"" + FetchException.escape(host) + "\" is not a valid IP address");
        blocked = true;
      }
      d.end();
      return;
    }
    try {
      List<InetAddress> all = dns.resolve(host);
      address = all.get(0);
      List<String> shown = new ArrayList<>();
      for (InetAddress a : all) {
        shown.add(a.getHostAddress());
      }
      d.summary = host + " → " + String.join(", ", shown);
    } catch (UnknownHostException e) {
      Dns.Answer a = dns.addresses(host);
      switch (a.outcome()) {
        case NO_SUCH_NAME -> d.add(Symptom.NO_SUCH_HOST, a.detail());
        case NO_ANSWER -> d.add(Symptom.DNS_NO_ANSWER, a.detail());
        case NO_RECORDS ->
            d.add(
                Symptom.NO_ADDRESS, "the DNS knows " + host + " but gives it no A or AAAA record");
        case FOUND ->
            d.add(
                Symptom.NO_ADDRESS,
                "the DNS gives "
                    + a.records()
                    + " for "
                    + host
                    + " but this machine's resolver did not (check /etc/hosts and the resolver settings)");
      }
      d.summary = host + " does not resolve";
      blocked = true;
    }
    d.end();
  }

  private void srv(StepDraft d, String domain) {
    List<String> seen = new ArrayList<>();
    boolean matches = false;
    boolean any = false;
    for (String service : List.of("_pop3s._tcp.", "_pop3._tcp.")) {
      Dns.Answer[] outcome = new Dns.Answer[1];
      for (Dns.Srv r : dns.srv(service + domain, outcome)) {
        any = true;
        if (r.target().equals(".")) {
          d.add(Symptom.SRV_NOT_OFFERED, service + domain + " has the target \".\"");
          continue;
        }
        seen.add(service + domain + " → " + r.target() + ":" + r.port());
        boolean tlsRecord = service.startsWith("_pop3s");
        if (r.target().equalsIgnoreCase(s.host())
            && r.port() == s.port()
            && tlsRecord == (s.security() == Security.IMPLICIT_TLS)) {
          matches = true;
        }
      }
      if (outcome[0].outcome() == Dns.Outcome.NO_ANSWER) {
        d.add(Symptom.DNS_NO_ANSWER, outcome[0].detail());
        return;
      }
    }
    if (!seen.isEmpty()) {
      d.add(Symptom.SRV_PUBLISHED, String.join("; ", seen));
      if (!matches) {
        d.add(
            Symptom.SRV_DIFFERS,
            "you set "
                + s.host()
                + ":"
                + s.port()
                + " ("
                + Advice.words(s.security())
                + "); the domain says "
                + String.join("; ", seen));
      }
    } else if (!any) {
      d.notes.add("no POP3 SRV records for " + domain);
    }
  }

  /** RFC 6186 discovery for a mail domain: SRV records, then the usual names. */
  public static List<String[]> discover(
      String domain, InetSocketAddress dnsServer, Duration timeout) {
    Dns dns = new Dns(dnsServer, timeout);
    List<String[]> out = new ArrayList<>();
    for (String service : List.of("_pop3s._tcp.", "_pop3._tcp.")) {
      for (Dns.Srv r : dns.srv(service + domain, new Dns.Answer[1])) {
        if (!r.target().equals(".")) {
          out.add(
              new String[] {
                r.target(),
                Integer.toString(r.port()),
                service.startsWith("_pop3s") ? "IMPLICIT_TLS" : "STARTTLS",
                "SRV " + service + domain
              });
        }
      }
    }
    if (out.isEmpty()) {
      for (String prefix : List.of("pop.", "pop3.", "mail.")) {
        if (dns.addresses(prefix + domain).outcome() == Dns.Outcome.FOUND) {
          out.add(
              new String[] {
                prefix + domain, "995", "IMPLICIT_TLS", "the usual name " + prefix + domain
              });
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ TCP and what each port
  // speaks

  private void tcpStage() {
    StepDraft d = begin(Stage.TCP);
    PortProbe ports =
        new PortProbe(
            address,
            s.host(),
            s.port(),
            s.security() == Security.IMPLICIT_TLS,
            min(PROBE_WAIT, plan.timeout()));
    PortProbe.Probe p = ports.probe(s.port(), s.limits().connectTimeout());
    chosenSpeaks = p.speaks();
    for (int port : plan.otherPorts()) {
      if (port != s.port()) {
        others.put(port, ports.probe(port, PROBE_WAIT).speaks());
      }
    }
    d.summary =
        "port "
            + s.port()
            + ": "
            + p.speaks().words
            + (p.firstLine().isEmpty() ? "" : " (\"" + p.firstLine() + "\")");
    String alternatives = alternatives();
    if (!alternatives.isEmpty()) {
      d.notes.add("other ports: " + alternatives);
    }
    switch (p.speaks()) {
      case REFUSED ->
          d.add(
              Symptom.CONNECTION_REFUSED,
              "connecting to " + server() + " was refused" + suggestion());
      case TIMED_OUT ->
          d.add(
              Symptom.CONNECTION_TIMED_OUT,
              (p.detail().isEmpty()
                      ? "no answer from "
                          + server()
                          + " within "
                          + seconds(s.limits().connectTimeout())
                      : p.detail())
                  + suggestion());
      case CLOSED ->
          d.add(
              Symptom.CONNECTION_RESET,
              server()
                  + " accepted the connection and closed it before"
                  + " saying anything"
                  + (p.detail().isEmpty() ? "" : " (" + p.detail() + ")")
                  + suggestion());
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
                  + suggestion());
      case SILENT ->
          d.add(
              Symptom.SILENT_PORT,
              "port "
                  + s.port()
                  + " sent nothing for "
                  + PROBE_WAIT.toSeconds()
                  + " s and did not answer a TLS handshake"
                  + suggestion());
      default -> {}
    }
    for (Map.Entry<Integer, PortProbe.PortSpeaks> o : new java.util.TreeMap<>(others).entrySet()) {
      if (o.getValue().pop3() && !d.findings.isEmpty()) {
        d.add(
            Symptom.OTHER_PORT_WORKS,
            "port "
                + o.getKey()
                + " speaks "
                + o.getValue().words
                + (o.getValue() == PortProbe.PortSpeaks.TLS
                    ? ": choose implicit TLS (pop3s) on port " + o.getKey()
                    : ": choose STARTTLS on port " + o.getKey()));
      }
    }
    if (!d.findings.isEmpty() && d.worst() == Status.FAILED) {
      blocked = true;
    }
    d.end();
  }

  private String alternatives() {
    List<String> out = new ArrayList<>();
    for (Map.Entry<Integer, PortProbe.PortSpeaks> o : new java.util.TreeMap<>(others).entrySet()) {
      out.add(o.getKey() + " " + o.getValue().words);
    }
    return String.join(", ", out);
  }

  private String suggestion() {
    for (Map.Entry<Integer, PortProbe.PortSpeaks> o : new java.util.TreeMap<>(others).entrySet()) {
      if (o.getValue() == PortProbe.PortSpeaks.TLS) {
        return "; port " + o.getKey() + " speaks POP3 over TLS";
      }
    }
    for (Map.Entry<Integer, PortProbe.PortSpeaks> o : new java.util.TreeMap<>(others).entrySet()) {
      if (o.getValue() == PortProbe.PortSpeaks.POP3) {
        return "; port " + o.getKey() + " speaks plain POP3";
      }
    }
    return "";
  }

  // ------------------------------------------------------------------ the session stages

  private void sessionStages(boolean capaBroke) {
    if (chosenSpeaks == PortProbe.PortSpeaks.TLS && s.security() != Security.IMPLICIT_TLS) {
      StepDraft tls = begin(Stage.TLS);
      tls.add(
          Symptom.PLAIN_TO_TLS_PORT,
          "port "
              + s.port()
              + " answers a TLS handshake and sends no greeting in"
              + " plain text; you chose "
              + Advice.words(s.security()));
      tls.summary = "mismatch";
      tls.end();
      blocked = true;
      return;
    }
    if ((chosenSpeaks == PortProbe.PortSpeaks.POP3
            || chosenSpeaks == PortProbe.PortSpeaks.POP3_REFUSING)
        && s.security() == Security.IMPLICIT_TLS) {
      StepDraft tls = begin(Stage.TLS);
      tls.add(
          Symptom.TLS_TO_PLAIN_PORT,
          "port "
              + s.port()
              + " greets in plain text; you chose "
              + Advice.words(Security.IMPLICIT_TLS)
              + suggestion());
      tls.summary = "mismatch";
      tls.end();
      blocked = true;
      return;
    }
    Pop3Connection ses = new Pop3Connection(sessionSettings(), new ServerMemory());
    ses.connectTo(address);
    if (capaBroke) {
      ses.memory().noCapa = true;
    }
    try {
      Set<String> before = Set.of();
      StepDraft tls = begin(Stage.TLS);
      try {
        ses.connectTcp();
      } catch (FetchException e) {
        steps.get(Stage.TCP).add(tcpSymptom(e), e.detail());
        steps.get(Stage.TCP).status = Status.FAILED;
        return;
      }
      if (s.security() == Security.IMPLICIT_TLS) {
        if (!handshake(ses, tls)) {
          return;
        }
      }
      tls.pause();
      StepDraft caps = begin(Stage.CAPABILITIES);
      Reply greeting;
      try {
        greeting = Greeting.greet(ses);
      } catch (FetchException e) {
        if (s.security() != Security.IMPLICIT_TLS && chosenSpeaks == PortProbe.PortSpeaks.TLS) {
          tls.resume();
          tls.add(
              Symptom.PLAIN_TO_TLS_PORT,
              "port "
                  + s.port()
                  + " answers a TLS handshake and sends no greeting"
                  + " in plain text; you chose "
                  + Advice.words(s.security()));
          tls.end();
          caps.skip("the greeting is inside TLS on this port");
        } else if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
          caps.add(Symptom.NO_GREETING, e.detail());
        } else if (e.detail().contains("refused the session in its greeting")) {
          caps.add(Symptom.GREETING_REFUSED, e.detail());
        } else {
          caps.add(errorSymptom(e), e.detail());
        }
        blocked = true;
        return;
      }
      if (!greeting.ok()) {
        caps.add(
            Symptom.GREETING_REFUSED,
            "the server greeted with \"" + FetchException.escape(greeting.line()) + "\"");
        blocked = true;
        return;
      }
      caps.notes.add("greeting: " + FetchException.escape(greeting.line()));
      // Junk is said before CAPA's answer whether it came with the greeting or behind CAPA (met by
      // its reply): one order, however the bytes met the reads.
      try {
        Greeting.capa(ses);
      } catch (Pop3Connection.CapaBroken e) {
        greetingJunk(caps, ses);
        if (!capaBroke) {
          caps.add(
              Symptom.CAPA_REFUSED,
              "the server "
                  + (e.error() == FetchError.CONNECTION_TIMED_OUT
                      ? "did not answer CAPA"
                      : "closed the connection on CAPA")
                  + "; examined again without it");
          caps.pause();
          tls.reset();
          ses.close();
          sessionStages(true);
          return;
        }
        throw e;
      }
      greetingJunk(caps, ses);
      if (!ses.capabilities().worked() && !capaBroke) {
        caps.add(Symptom.CAPA_REFUSED, "CAPA was answered -ERR");
      }
      before = ses.capabilities().lines();
      if (ses.capabilities().worked()) {
        caps.notes.add(
            (s.security() == Security.IMPLICIT_TLS ? "CAPA: " : "CAPA before TLS: ")
                + summary(before));
      }
      caps.pause();
      if (s.security() == Security.STARTTLS) {
        tls.resume();
        if (!startTls(ses, tls)) {
          return;
        }
        caps.resume();
        if (ses.capabilities().worked()) {
          caps.notes.add("CAPA after TLS: " + summary(ses.capabilities().lines()));
        }
        caps.pause();
      } else if (s.security() == Security.NONE) {
        tls.resume();
        tls.add(
            Symptom.NOT_ENCRYPTED,
            "you chose no encryption"
                + (ses.capabilities().has("STLS") ? "; the server offers STLS" : "")
                + (others.containsValue(PortProbe.PortSpeaks.TLS)
                    ? "; a TLS port answers (see connection)"
                    : ""));
        tls.summary = "not encrypted";
        tls.end();
      }
      tls.end();
      if (!plan.login()) {
        StepDraft auth = begin(Stage.AUTHENTICATION);
        auth.add(Symptom.LOGIN_NOT_TRIED, "no password or token was given");
        auth.status = Status.SKIPPED;
        auth.summary = "not tried: no password or token given";
        caps.resume();
        finishCaps(caps, ses);
        caps.end();
        steps.get(Stage.MAILBOX).skip("needs a login");
        steps.get(Stage.COMPLIANCE).skip("needs a login");
        quit(ses, null);
        return;
      }
      caps.resume();
      Reply utf8 = Utf8Mode.enable(ses); // as a fetch does: after TLS, before the login (RFC 6856)
      if (utf8 != null) {
        caps.notes.add(
            "UTF-8 mode: "
                + (utf8.ok() ? "on" : "refused (\"" + FetchException.escape(utf8.line()) + "\")"));
      }
      caps.pause();
      if (!login(ses)) {
        caps.resume();
        finishCaps(caps, ses);
        caps.end();
        return;
      }
      caps.resume();
      try {
        Greeting.capa(ses);
        if (ses.capabilities().worked()) {
          caps.notes.add("CAPA after login: " + summary(ses.capabilities().lines()));
        }
      } catch (FetchException e) {
        caps.add(errorSymptom(e), "CAPA after login: " + e.detail());
      }
      finishCaps(caps, ses);
      caps.end();
      Listing listing = mailbox(ses);
      if (listing == null) {
        return;
      }
      compliance(ses, listing);
    } catch (FetchException e) {
      StepDraft current = current();
      current.add(errorSymptom(e), e.detail());
      blocked = true;
    } finally {
      ses.close();
    }
  }

  private void finishCaps(StepDraft caps, Pop3Connection ses) {
    if (caps.summary.isEmpty()) {
      List<String> flags = new ArrayList<>();
      for (String tag :
          List.of(
              "STLS",
              "UIDL",
              "TOP",
              "PIPELINING",
              "RESP-CODES",
              "EXPIRE",
              "LOGIN-DELAY",
              "USER",
              "UTF8")) {
        if (ses.capabilities().has(tag)) {
          flags.add(tag);
        }
      }
      Set<String> sasl = ses.capabilities().saslMechanisms();
      if (!sasl.isEmpty()) {
        flags.add("SASL " + String.join(" ", sasl));
      }
      caps.summary = ses.capabilities().worked() ? String.join(", ", flags) : "CAPA not supported";
      for (String line : ses.capabilities().lines()) {
        if (line.startsWith("IMPLEMENTATION ")) {
          caps.notes.add("implementation: " + FetchException.escape(line.substring(15)));
        }
      }
      caps.add(Symptom.CAPABILITIES_READ, String.join("; ", caps.notes));
      if (ses.capabilities().worked() && !ses.capabilities().has("RESP-CODES")) {
        caps.add(Symptom.NO_RESP_CODES, "CAPA does not list RESP-CODES");
      }
    }
  }

  private static String summary(Set<String> capa) {
    return capa.isEmpty() ? "(empty)" : FetchException.escape(String.join(", ", capa));
  }

  // ------------------------------------------------------------------ TLS

  private boolean handshake(Pop3Connection ses, StepDraft tls) {
    if (recorder != null) {
      recorder.reset();
    }
    try {
      ses.handshake();
      describeTls(ses, tls);
      return true;
    } catch (FetchException e) {
      tlsFailure(e, tls);
      return false;
    }
  }

  private boolean startTls(Pop3Connection ses, StepDraft tls) throws FetchException {
    if (recorder != null) {
      recorder.reset();
    }
    try {
      Greeting.startTls(ses);
      describeTls(ses, tls);
      return true;
    } catch (FetchException e) {
      if (e.error() == FetchError.TLS_REQUIRED_NOT_OFFERED) {
        tls.add(Symptom.STLS_NOT_OFFERED, e.detail() + suggestion());
        tls.end();
        blocked = true;
        return false;
      }
      if (e.error()
          != FetchError.CERTIFICATE_INVALID) { // refused, garbage, or a handshake that never came
        tls.add(Symptom.STLS_FAILED, e.detail() + suggestion());
        tls.end();
        blocked = true;
        return false;
      }
      tlsFailure(e, tls);
      return false;
    }
  }

  private void describeTls(Pop3Connection ses, StepDraft tls) {
    SSLSession session = ((SSLSocket) ses.socket()).getSession();
    StringBuilder sb = new StringBuilder(session.getProtocol() + ", " + session.getCipherSuite());
    try {
      java.security.cert.Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        long days =
            Duration.between(plan.clock().instant(), leaf.getNotAfter().toInstant()).toDays();
        sb.append("; certificate for ")
            .append(names(leaf))
            .append(", issued by ")
            .append(leaf.getIssuerX500Principal().getName())
            .append(", valid until ")
            .append(leaf.getNotAfter().toInstant())
            .append(" (")
            .append(days)
            .append(" days left)");
        if (days < WARN_DAYS) {
          tls.add(
              Symptom.CERTIFICATE_EXPIRES_SOON,
              "the certificate for "
                  + names(leaf)
                  + " expires on "
                  + leaf.getNotAfter().toInstant()
                  + ", in "
                  + days
                  + " days");
        }
      }
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      sb.append("; no certificate");
    }
    tls.summary = sb.toString();
    tls.add(Symptom.TLS_ESTABLISHED, tls.summary);
  }

  private void tlsFailure(FetchException e, StepDraft tls) {
    String m = e.detail();
    X509Certificate[] chain = recorder != null ? recorder.chain : null;
    String certs =
        chain == null || chain.length == 0 ? "" : "; the server's certificate: " + describe(chain);
    Symptom sym;
    Instant now = Instant.now(); // the JDK's checks use the real clock too
    if (e.error() == FetchError.CERTIFICATE_INVALID) {
      if (chain != null && chain.length > 0 && now.isAfter(chain[0].getNotAfter().toInstant())) {
        sym = Symptom.CERTIFICATE_EXPIRED;
      } else if (chain != null
          && chain.length > 0
          && now.isBefore(chain[0].getNotBefore().toInstant())) {
        sym = Symptom.CERTIFICATE_NOT_YET_VALID;
      } else if (m.contains("not yet valid")) {
        sym = Symptom.CERTIFICATE_NOT_YET_VALID;
      } else if (m.contains("expired")) {
        sym = Symptom.CERTIFICATE_EXPIRED;
      } else if (m.contains("another host name")) {
        sym = Symptom.CERTIFICATE_WRONG_HOST;
      } else if (chain != null
          && chain.length == 1
          && chain[0].getSubjectX500Principal().equals(chain[0].getIssuerX500Principal())) {
        sym = Symptom.CERTIFICATE_SELF_SIGNED;
      } else {
        sym = Symptom.CERTIFICATE_UNTRUSTED;
      }
    } else if (m.contains("does not speak TLS")
        || (chosenSpeaks == PortProbe.PortSpeaks.POP3 && s.security() == Security.IMPLICIT_TLS)) {
      sym = Symptom.TLS_TO_PLAIN_PORT;
      certs = "; port " + s.port() + " greets in plain text" + suggestion();
    } else if (m.contains("TLS 1.2 or later")) {
      sym = Symptom.TLS_VERSION_TOO_OLD;
    } else {
      sym = Symptom.TLS_HANDSHAKE_FAILED;
    }
    tls.add(sym, m + certs);
    tls.summary = "failed";
    tls.end();
    blocked = true;
  }

  private static String describe(X509Certificate[] chain) {
    X509Certificate leaf = chain[0];
    return names(leaf)
        + ", issued by "
        + leaf.getIssuerX500Principal().getName()
        + ", valid "
        + leaf.getNotBefore().toInstant()
        + " to "
        + leaf.getNotAfter().toInstant()
        + (chain.length == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())
            ? " (self-signed)"
            : "");
  }

  private static String names(X509Certificate c) {
    return CertificateTrouble.names(c);
  }

  // ------------------------------------------------------------------ login

  private boolean login(Pop3Connection ses) {
    StepDraft d = begin(Stage.AUTHENTICATION);
    try {
      new Login(ses).login();
      d.summary = "logged in as " + FetchException.escape(s.user()) + " with " + ses.loggedInWith();
      d.add(Symptom.LOGGED_IN, d.summary);
      d.end();
      return true;
    } catch (FetchException e) {
      Set<String> sasl = ses.capabilities().saslMechanisms();
      boolean oauthOffered = sasl.contains("XOAUTH2") || sasl.contains("OAUTHBEARER");
      boolean passwordOffered =
          sasl.contains("PLAIN")
              || sasl.contains("LOGIN")
              || ses.capabilities().has("USER")
              || !ses.capabilities().worked();
      String text = e.detail().toLowerCase(Locale.ROOT);
      Symptom sym =
          switch (e.error()) {
            case AUTH_TOKEN_EXPIRED -> Symptom.TOKEN_EXPIRED;
            case LOCKED -> Symptom.MAILBOX_IN_USE;
            case LOGIN_DELAY -> Symptom.LOGIN_DELAY;
            case SERVER_TEMPORARY -> Symptom.SERVER_TEMPORARY;
            case SERVER_PERMANENT -> Symptom.SERVER_PERMANENT;
            case AUTH_FAILED -> {
              if (text.contains("closed the connection during login")) {
                yield Symptom.CLOSED_AFTER_FAILED_LOGIN;
              }
              if (text.contains("application-specific")
                  || text.contains("app password")
                  || text.contains("web login")
                  || text.contains("weblogin")
                  || text.contains("two-step")
                  || text.contains("2-step")
                  || text.contains("sign in via your web browser")) {
                yield Symptom.NEEDS_APP_PASSWORD;
              }
              if (text.contains("offers no login method")) {
                yield oauthOffered && s.tokens() == null && !passwordOffered
                    ? Symptom.NEEDS_OAUTH
                    : Symptom.NO_COMMON_LOGIN_METHOD;
              }
              // Only [AUTH] says the credentials are wrong (RFC 3206); without it, the server's
              // words lead.
              yield e instanceof LoginRefusal r && !r.credentials
                  ? Symptom.LOGIN_REFUSED
                  : Symptom.WRONG_CREDENTIALS;
            }
            default -> errorSymptom(e);
          };
      String evidence = e.detail();
      if (sym == Symptom.WRONG_CREDENTIALS && oauthOffered && s.tokens() == null) {
        evidence +=
            "; the server also offers OAuth ("
                + String.join(" ", sasl)
                + "), which some providers require";
      }
      d.add(sym, evidence);
      d.summary = "failed";
      d.end();
      blocked = true;
      return false;
    }
  }

  // ------------------------------------------------------------------ mailbox

  /** The listings as the server sent them, numbers and values apart. */
  private static final class Listing {
    int statCount = -1;
    long statOctets = -1;
    final List<Integer> listNumbers = new ArrayList<>();
    final List<Long> sizes = new ArrayList<>();
    final List<Integer> uidlNumbers = new ArrayList<>();
    final List<String> uids = new ArrayList<>();
    boolean uidl;

    long size(int number) {
      int i = listNumbers.indexOf(number);
      return i < 0 ? -1 : sizes.get(i);
    }
  }

  private Listing mailbox(Pop3Connection ses) throws FetchException {
    StepDraft d = begin(Stage.MAILBOX);
    Listing l = new Listing();
    ses.send(Pop3Commands.STAT);
    Reply stat = ses.reply("counting messages (STAT)");
    if (!stat.ok()) {
      FetchError code = stat.error(FetchError.TOO_MANY_MESSAGES);
      boolean delay =
          code == FetchError.LOGIN_DELAY
              || stat.text().toLowerCase(Locale.ROOT).contains("login allowed");
      d.add(
          delay ? Symptom.LOGIN_DELAY : Symptom.STAT_REFUSED,
          "STAT was answered \"" + FetchException.escape(stat.line()) + "\"");
      d.summary = "STAT refused";
      d.end();
      blocked = true;
      return null;
    }
    String[] p = stat.text().trim().split("[ \t]+");
    try {
      l.statCount = Integer.parseInt(p[0]);
      l.statOctets = Long.parseLong(p[1]);
    } catch (RuntimeException e) {
      d.add(
          Symptom.PROTOCOL_ERROR,
          "STAT was answered \""
              + FetchException.escape(stat.line())
              + "\", not \"+OK count size\" (RFC 1939 §5)");
      d.end();
      blocked = true;
      return null;
    }
    int max = s.limits().maxListingEntries();
    if (l.statCount > max) {
      d.add(
          Symptom.TOO_MANY_MESSAGES,
          l.statCount
              + " messages; a fetch reads at most "
              + max
              + " (the client's listing limit)");
      d.summary = l.statCount + " messages";
      d.end();
      blocked = true;
      return null;
    }
    if (l.statCount > max / 2) {
      d.add(Symptom.MANY_MESSAGES, l.statCount + " messages; a fetch reads at most " + max);
    }
    // UIDL: listed in CAPA, or tried anyway when CAPA said nothing (Q20).
    { // UIDL even when CAPA does not list it: some servers support it without saying so (Q20)
      ses.send(Pop3Commands.UIDL);
      Reply r = ses.reply("listing unique ids (UIDL)");
      if (r.ok()) {
        l.uidl = true;
        ses.readListing(
            "listing unique ids (UIDL)",
            true,
            line -> {
              String t = line.startsWith("+OK ") ? line.substring(4) : line;
              String[] f = t.trim().split(" +", 2);
              l.uidlNumbers.add(number(f[0]));
              l.uids.add(f.length > 1 ? f[1] : "");
            });
      }
    }
    ses.send(Pop3Commands.LIST);
    Reply list = ses.reply("listing sizes (LIST)");
    if (!list.ok()) {
      d.add(
          Symptom.PROTOCOL_ERROR,
          "LIST was answered \"" + FetchException.escape(list.line()) + "\"");
      d.end();
      blocked = true;
      return null;
    }
    ses.readListing(
        "listing sizes (LIST)",
        false,
        line -> {
          String[] f = line.trim().split("[ \t]+");
          l.listNumbers.add(number(f[0]));
          long size = -1;
          try {
            size = f.length > 1 ? Long.parseLong(f[1]) : -1;
          } catch (NumberFormatException e) {
            // shown as a disagreement below
          }
          l.sizes.add(size);
        });
    long sum = l.sizes.stream().mapToLong(Long::longValue).sum();
    d.summary =
        l.statCount
            + " messages, "
            + dev.mailfetch.api.internal.Sizes.size(l.statOctets)
            + "; leave-on-server: "
            + (l.uidl && expireDays(ses) != 0 ? "possible" : "not possible");
    if (l.listNumbers.size() != l.statCount || (l.uidl && l.uidlNumbers.size() != l.statCount)) {
      d.add(
          tolerant() ? Symptom.NUMBERING_TOLERATED : Symptom.COUNTS_DISAGREE,
          "STAT counts "
              + l.statCount
              + ", LIST lists "
              + l.listNumbers.size()
              + (l.uidl ? ", UIDL lists " + l.uidlNumbers.size() : ""));
    } else if (sum != l.statOctets) {
      d.add(
          Symptom.SIZES_DISAGREE,
          "STAT says "
              + Sizes.size(l.statOctets)
              + ", LIST's sizes add up to "
              + Sizes.size(sum)
              + apart(l.statOctets, sum));
    }
    if (!l.uidl) {
      d.add(
          Symptom.NO_UIDL,
          ses.capabilities().has("UIDL")
              ? "UIDL is listed in CAPA but answered -ERR"
              : "UIDL is not in CAPA" + " and answered -ERR");
    }
    long expire = expireDays(ses);
    if (expire == 0) {
      d.add(Symptom.EXPIRE_ZERO, "CAPA says EXPIRE 0");
    } else if (expire > 0) {
      d.add(
          Symptom.EXPIRE_DAYS,
          "CAPA says EXPIRE " + expire + ": retrieved mail is removed after " + expire + " days");
    }
    for (String line : ses.capabilities().lines()) {
      if (line.startsWith("LOGIN-DELAY ")) {
        d.add(Symptom.LOGIN_DELAY_ANNOUNCED, "CAPA says " + line + " (seconds between logins)");
      }
    }
    d.add(Symptom.MAILBOX_COUNTED, d.summary);
    d.end();
    return l;
  }

  private static long expireDays(Pop3Connection ses) {
    for (String line : ses.capabilities().lines()) {
      if (line.startsWith("EXPIRE ")) {
        String v = line.substring(7).split(" ")[0];
        if (v.matches("[0-9]{1,6}")) {
          return Long.parseLong(v);
        }
      }
    }
    return -1;
  }

  // ------------------------------------------------------------------ compliance

  private void compliance(Pop3Connection ses, Listing l) throws FetchException {
    StepDraft d = begin(Stage.COMPLIANCE);
    numbering(d, l.listNumbers, "LIST", l.statCount);
    if (l.uidl) {
      numbering(d, l.uidlNumbers, "UIDL", l.statCount);
      uids(d, l);
      NumberedUids.check(d, l.uidlNumbers, l.uids);
    }
    List<String> checked =
        new ArrayList<>(List.of("numbering", l.uidl ? "unique ids" : "no unique ids"));
    boolean inStep = true;
    List<Integer> samples = samples(l);
    Map<Integer, byte[]> topped = new HashMap<>();
    for (int n : samples) {
      inStep = sample(ses, d, l, n, topped);
      if (!inStep) {
        break;
      }
    }
    if (!samples.isEmpty()) {
      checked.add(
          "dot-stuffing, line ends and sizes of " + topped.size() + " sampled message(s) by TOP");
    }
    if (inStep && plan.deep()) {
      inStep = deep(ses, d, l, samples, topped);
      checked.add("RETR of the samples (deep)");
    }
    if (!topRefused
        .isEmpty()) { // not retrieved: say what was measured, blame neither TOP nor the message
      List<Integer> worked = topped.keySet().stream().sorted().toList();
      d.add(
          Symptom.TOP_REFUSED,
          String.join("; ", topRefused.values())
              + (worked.isEmpty()
                  ? "; TOP was refused for every sampled message"
                  : "; TOP of " + messages(worked) + " worked"));
      topRefused.clear();
    }
    if (inStep && l.statCount > 0 && ses.capabilities().worked()) {
      inStep = singleForms(ses, d, l);
      checked.add("UIDL n and LIST n");
    }
    if (inStep && ses.capabilities().has("PIPELINING")) {
      inStep = pipelining(ses, d);
      checked.add("pipelining");
    }
    if (inStep) {
      if (plan.deep()) {
        ses.send(Pop3Commands.RSET); // undoes a server's own deletion marks after RETR (Q31)
        ses.reply("resetting (RSET)");
      }
      quit(ses, d);
      checked.add("QUIT");
    }
    if (inStep && plan.deep() && l.uidl) {
      secondSessions().uidsAndRetrievedMail(d, l.uids, l.uidlNumbers, samples);
      checked.add("a second session's unique ids (deep)");
    }
    if (inStep && ses.utf8() && eightBitSample != null && !ses.capabilities().has("LOGIN-DELAY")) {
      secondSessions().withoutUtf8(d, eightBitSample);
      checked.add("a message with a UTF-8 header without UTF-8 mode (a second session)");
    }
    d.summary = "checked " + String.join(", ", checked);
    d.end();
  }

  private boolean tolerant() {
    return s.tolerances().contains(dev.mailfetch.pop3.Tolerance.UNORDERED_LISTING);
  }

  private void numbering(StepDraft d, List<Integer> numbers, String command, int statCount) {
    if (numbers.isEmpty()) {
      return;
    }
    if (numbers.get(0) != 1 && numbers.stream().mapToInt(Integer::intValue).min().orElse(1) != 1) {
      d.add(
          tolerant() ? Symptom.NUMBERING_TOLERATED : Symptom.NUMBERING_NOT_FROM_ONE,
          command + " starts at " + numbers.get(0) + ", not 1");
      return;
    }
    for (int i = 0; i < numbers.size(); i++) {
      int n = numbers.get(i);
      if (n != i + 1) {
        String what =
            n > statCount
                ? "message " + n + " is beyond the STAT count " + statCount
                : i > 0 && n <= numbers.get(i - 1)
                    ? "message " + n + " comes after message " + numbers.get(i - 1)
                    : "message " + (i + 1) + " is missing (next listed: " + n + ")";
        d.add(
            tolerant() ? Symptom.NUMBERING_TOLERATED : Symptom.NUMBERING_OUT_OF_ORDER,
            command + ": " + what);
        return;
      }
    }
  }

  private static void uids(StepDraft d, Listing l) {
    int bad = 0;
    String example = null;
    Map<String, Integer> seen = new HashMap<>();
    String dup = null;
    for (int i = 0; i < l.uids.size(); i++) {
      String uid = l.uids.get(i);
      if (!validUid(uid)) {
        bad++;
        if (example == null) {
          example =
              "message "
                  + l.uidlNumbers.get(i)
                  + "'s id \""
                  + FetchException.escape(shorten(uid))
                  + "\"";
        }
      }
      Integer other = seen.putIfAbsent(uid, l.uidlNumbers.get(i));
      if (other != null && dup == null) {
        dup =
            "messages "
                + other
                + " and "
                + l.uidlNumbers.get(i)
                + " share \""
                + FetchException.escape(shorten(uid))
                + "\"";
      }
    }
    if (bad > 0) {
      d.add(Symptom.UID_SYNTAX, bad + " id(s) break the rule, for example " + example);
    }
    if (dup != null) {
      d.add(Symptom.UID_DUPLICATES, dup);
    }
  }

  private static boolean validUid(String uid) {
    if (uid.isEmpty() || uid.length() > 70 || uid.contains("\u0000truncated")) {
      return false;
    }
    for (int i = 0; i < uid.length(); i++) {
      char c = uid.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  /** Up to {@code samples} messages: the first, the last, and the smallest in between. */
  private List<Integer> samples(Listing l) {
    TreeSet<Integer> out = new TreeSet<>();
    if (l.listNumbers.isEmpty() || plan.samples() == 0) {
      return List.of();
    }
    out.add(l.listNumbers.get(0));
    if (out.size() < plan.samples()) {
      out.add(l.listNumbers.get(l.listNumbers.size() - 1));
    }
    int step = Math.max(1, l.listNumbers.size() / Math.max(1, plan.samples()));
    for (int i = step; i < l.listNumbers.size() && out.size() < plan.samples(); i += step) {
      out.add(l.listNumbers.get(i));
    }
    return List.copyOf(out);
  }

  /**
   * TOP of one message, whole when small: its dots, line ends and size. False when replies went out
   * of step.
   */
  private boolean sample(
      Pop3Connection ses, StepDraft d, Listing l, int n, Map<Integer, byte[]> topped)
      throws FetchException {
    long listed = l.size(n);
    boolean whole = listed >= 0 && listed <= WHOLE_TOP_MAX;
    String cmd = "TOP " + n + " " + (whole ? 1_000_000 : 0);
    ses.send(Pop3Command.plain(cmd));
    Reply r = ses.reply("sampling message " + n + " (" + cmd + ")");
    if (!r.ok()) {
      String said = cmd + " was answered \"" + FetchException.escape(r.line()) + "\"";
      topRefused.put(
          n, said); // only RETR tells whether TOP or the message is at fault (Q33 or Q34)
      return true;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      ses.reader()
          .readBody(
              slice -> {
                byte[] b = new byte[slice.remaining()];
                slice.get(b);
                body.write(b, 0, b.length);
              },
              2 * WHOLE_TOP_MAX + (1 << 16));
    } catch (FetchException e) {
      if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
        d.add(
            Symptom.GLUED_TERMINATOR,
            "message " + n + " (" + cmd + ") never ended within the deadline: " + e.detail());
        blocked = true;
        return false;
      }
      throw e;
    }
    byte[] bytes = body.toByteArray();
    topped.put(n, bytes);
    if (bytes.length >= 3 && bytes[0] == '+' && bytes[1] == 'O' && bytes[2] == 'K') {
      d.add(Symptom.TOP_BROKEN, cmd + " was answered with two +OK lines");
    }
    // The answer to a NOOP must come next; anything else is the rest of a message cut short by
    // an unescaped lone dot.
    ses.send(Pop3Commands.NOOP);
    String next;
    try {
      next = ses.reader().readLine(s.limits().maxStatusLine(), Limit.STATUS_LINE);
    } catch (FetchException e) {
      if (e.error() == FetchError.LIMIT_EXCEEDED) {
        d.add(
            Symptom.UNSTUFFED_DOT,
            "after " + cmd + " ended, a long line came where the answer to NOOP was due");
        blocked = true;
        return false;
      }
      throw e;
    }
    String upper = next.toUpperCase(Locale.ROOT);
    if (!upper.startsWith("+OK") && !upper.startsWith("-ERR")) {
      d.add(
          Symptom.UNSTUFFED_DOT,
          "after "
              + cmd
              + " ended at a line with a single '.', the server went on with \""
              + FetchException.escape(shorten(next))
              + "\" where the answer to NOOP was due: message "
              + n
              + " holds a lone '.' line it did not escape");
      blocked = true;
      return false;
    }
    if (UnicodeCheck.isNotice(bytes)) {
      // Not the message: its size, line ends and all are the notice's (quirk Q52).
      notices.add(n);
      d.add(
          Symptom.UNICODE_MESSAGES_REPLACED,
          "message "
              + n
              + " arrived as the server's notice \"Cannot display"
              + " Unicode content\" with the original attached; "
              + UnicodeCheck.whyModeOff(ses));
      return true;
    }
    java.util.Set<String> only = whole ? ServedEmpty.fieldsIfEmpty(bytes) : null;
    if (only != null) {
      notices.add(n); // its size is nobody's but the server's fault (quirk Q53)
      d.add(
          Symptom.MESSAGES_SERVED_EMPTY, ServedEmpty.evidence(n, cmd, only, bytes.length, listed));
      return true;
    }
    if (eightBitSample == null && UnicodeCheck.eightBitHeader(bytes)) {
      eightBitSample = n;
    }
    int bareLf = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) {
        bareLf++;
      }
    }
    if (bareLf > 0 && !d.has(Symptom.BARE_LF_IN_MESSAGES)) {
      d.add(
          Symptom.BARE_LF_IN_MESSAGES,
          "message " + n + " has " + bareLf + " line(s) ending in a bare LF");
    }
    // Only RETR can tell whether LIST or TOP is off: without --deep, say what was measured.
    if (whole
        && listed >= 0
        && bytes.length != listed
        && !plan.deep()
        && !d.has(Symptom.TOP_LIST_DISAGREE)) {
      d.add(
          Symptom.TOP_LIST_DISAGREE,
          "LIST says message "
              + n
              + " has "
              + Sizes.size(listed)
              + "; "
              + cmd
              + " sent "
              + Sizes.size(bytes.length)
              + apart(listed, bytes.length)
              + sizeHint(bytes, listed));
    }
    return true;
  }

  /** What the numbers themselves show, without saying which side is wrong. */
  /** How far {@code b} is from {@code a}, exactly: two sizes in words may round to the same. */
  private static String apart(long a, long b) {
    long d = Math.abs(b - a);
    return " ("
        + (d == 1 ? "1 byte" : String.format(java.util.Locale.ROOT, "%,d bytes", d))
        + (b > a ? " more" : " fewer")
        + ")";
  }

  /** A time in seconds, in the words the limits use ("30 s", "5.1 s"). */
  private static String seconds(java.time.Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0
        ? ms / 1000 + " s"
        : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  private static String sizeHint(byte[] bytes, long listed) {
    int lines = 0;
    for (byte b : bytes) {
      if (b == '\n') {
        lines++;
      }
    }
    if (bytes.length - lines == listed) {
      return " (the difference is the number of line ends, as when LF is counted instead of CRLF: Q32)";
    }
    if (bytes.length - listed == 2) {
      return " (two octets more: one line end more, as when TOP adds an empty line: Q55)";
    }
    if (listed % 1024 == 0) {
      return " (LIST's size is a multiple of 1024, as when sizes are rounded: Q32)";
    }
    return "";
  }

  private static void greetingJunk(StepDraft caps, Pop3Connection ses) {
    if (ses.quirks().contains(QuirkId.Q16)) {
      caps.add(Symptom.GREETING_JUNK, "lines came after the greeting before any command");
    }
  }

  /** "message 1", "messages 1 and 3", "messages 1, 3 and 5". */
  private static String messages(List<Integer> ns) {
    if (ns.size() == 1) {
      return "message " + ns.get(0);
    }
    String head =
        ns.subList(0, ns.size() - 1).stream()
            .map(String::valueOf)
            .collect(java.util.stream.Collectors.joining(", "));
    return "messages " + head + " and " + ns.get(ns.size() - 1);
  }

  /**
   * Samples whose TOP was refused, with what was said, for the deep RETR to judge (quirk Q33 or
   * Q34).
   */
  private final Map<Integer, String> topRefused = new java.util.LinkedHashMap<>();

  private boolean deep(
      Pop3Connection ses,
      StepDraft d,
      Listing l,
      List<Integer> samples,
      Map<Integer, byte[]> topped)
      throws FetchException {
    for (int n : samples) {
      if (notices.contains(n)) {
        continue; // RETR would send the notice again: nothing to measure
      }
      String cmd = "RETR " + n;
      ses.send(Pop3Command.plain(cmd));
      Reply r = ses.reply("retrieving message " + n + " (deep)");
      if (!r.ok()) {
        String refusedTop = topRefused.remove(n);
        if (!d.has(Symptom.LISTED_MESSAGE_REFUSED)) {
          d.add(
              Symptom.LISTED_MESSAGE_REFUSED,
              cmd
                  + " was answered \""
                  + FetchException.escape(r.line())
                  + "\""
                  + (refusedTop != null ? "; " + refusedTop : ""));
        }
        continue;
      }
      long[] size = {0};
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      ses.reader()
          .readBody(
              slice -> {
                size[0] += slice.remaining();
                while (slice.hasRemaining() && head.size() < 1 << 16) {
                  head.write(slice.get());
                }
              },
              s.limits().maxMessageSize());
      long listed = l.size(n);
      java.util.Set<String> only =
          size[0] <= 1 << 16 ? ServedEmpty.fieldsIfEmpty(head.toByteArray()) : null;
      if (only != null) {
        d.add(
            Symptom.MESSAGES_SERVED_EMPTY,
            ServedEmpty.evidence(n, cmd, only, (int) size[0], listed));
        continue; // the server's fault, not LIST's (quirk Q53)
      }
      if (listed >= 0 && size[0] != listed && !d.has(Symptom.LIST_SIZE_WRONG)) {
        d.add(
            Symptom.LIST_SIZE_WRONG,
            "LIST says message "
                + n
                + " has "
                + Sizes.size(listed)
                + "; RETR sent "
                + Sizes.size(size[0])
                + apart(listed, size[0]));
      }
      // Only a whole message's TOP compares with RETR: a large one was sampled by TOP n 0, its
      // header alone.
      byte[] top = listed >= 0 && listed <= WHOLE_TOP_MAX ? topped.get(n) : null;
      if (top != null && top.length != size[0] && listed == size[0] && !d.has(Symptom.TOP_BROKEN)) {
        d.add(
            Symptom.TOP_BROKEN,
            "TOP "
                + n
                + " sent "
                + Sizes.size(top.length)
                + " of the whole message; RETR sent "
                + Sizes.size(size[0])
                + apart(top.length, size[0]));
      }
    }
    for (String refused : topRefused.values()) { // TOP refused what RETR sends: TOP is at fault
      if (!d.has(Symptom.TOP_BROKEN)) {
        d.add(Symptom.TOP_BROKEN, refused);
      }
    }
    topRefused.clear();
    return true;
  }

  private boolean singleForms(Pop3Connection ses, StepDraft d, Listing l) throws FetchException {
    int i = l.listNumbers.size() - 1;
    if (i < 0) {
      return true;
    }
    int n = l.listNumbers.get(i);
    List<String[]> asks = new ArrayList<>();
    asks.add(new String[] {"LIST " + n, Long.toString(l.sizes.get(i))});
    if (l.uidl && l.uidlNumbers.contains(n)) {
      asks.add(new String[] {"UIDL " + n, l.uids.get(l.uidlNumbers.indexOf(n))});
    }
    for (String[] ask : asks) {
      ses.send(Pop3Command.plain(ask[0]));
      Reply r = ses.reply("asking " + ask[0]);
      if (!r.ok()) {
        d.add(
            Symptom.SINGLE_FORM_WRONG,
            ask[0] + " was answered \"" + FetchException.escape(r.line()) + "\"");
        continue;
      }
      String[] f = r.text().trim().split(" +", 2);
      boolean right = f.length == 2 && f[0].equals(Integer.toString(n)) && f[1].equals(ask[1]);
      if (!right) {
        d.add(
            Symptom.SINGLE_FORM_WRONG,
            ask[0]
                + " was answered \""
                + FetchException.escape(r.line())
                + "\"; expected \"+OK "
                + n
                + " "
                + FetchException.escape(shorten(ask[1]))
                + "\"");
        if (r.text().isBlank()) {
          return false; // a multi-line answer follows: the replies are out of step from here
        }
      }
    }
    return true;
  }

  private boolean pipelining(Pop3Connection ses, StepDraft d) throws FetchException {
    ses.sendBatch(List.of(Pop3Commands.NOOP, Pop3Commands.NOOP, Pop3Commands.NOOP));
    ses.reader()
        .deadline(
            System.nanoTime() + min(plan.timeout(), Duration.ofSeconds(5)).toNanos(),
            "reading the answers to three pipelined NOOPs");
    int answered = 0;
    try {
      for (; answered < 3; answered++) {
        String line = ses.reader().readLine(s.limits().maxStatusLine(), Limit.STATUS_LINE);
        if (!line.toUpperCase(Locale.ROOT).startsWith("+OK")) {
          break;
        }
      }
    } catch (FetchException e) {
      // silence or a close: counted below
    }
    if (answered < 3) {
      d.add(
          Symptom.PIPELINING_BROKEN,
          "the server announces PIPELINING but answered "
              + answered
              + " of three NOOPs sent together");
      return false;
    }
    return true;
  }

  private void quit(Pop3Connection ses, StepDraft d) {
    long t = System.nanoTime();
    try {
      ses.send(Pop3Commands.QUIT);
      ses.reader()
          .deadline(
              System.nanoTime() + min(plan.timeout(), Duration.ofSeconds(10)).toNanos(),
              "waiting for QUIT");
      Reply r = ses.reply("waiting for the answer to QUIT");
      Duration took = Duration.ofNanos(System.nanoTime() - t);
      if (d == null) {
        return;
      }
      if (!r.ok()) {
        d.add(
            Symptom.QUIT_NOT_ACKNOWLEDGED,
            "QUIT was answered \"" + FetchException.escape(r.line()) + "\"");
      } else if (took.toMillis() > 2000) {
        d.add(Symptom.QUIT_SLOW, "QUIT was answered after " + seconds(took));
      }
    } catch (FetchException e) {
      if (d != null) {
        d.add(Symptom.QUIT_NOT_ACKNOWLEDGED, "QUIT got no answer: " + e.detail());
      }
    }
  }

  /** Sessions after the first, with the same settings and this examination's address. */
  private SecondSessions secondSessions() {
    return new SecondSessions(
        () -> {
          Pop3Connection again = new Pop3Connection(sessionSettings(), new ServerMemory());
          again.connectTo(address);
          return again;
        },
        s.security());
  }

  // ------------------------------------------------------------------ errors to symptoms

  private static Symptom tcpSymptom(FetchException e) {
    return switch (e.error()) {
      case CONNECTION_TIMED_OUT -> Symptom.CONNECTION_TIMED_OUT;
      case CONNECTION_REFUSED -> Symptom.CONNECTION_REFUSED;
      default -> Symptom.CONNECTION_RESET;
    };
  }

  /**
   * The symptom of an error met anywhere, chosen by the quirk its message names or else its code.
   */
  static Symptom errorSymptom(FetchException e) {
    Matcher m = QUIRK.matcher(e.detail());
    Set<QuirkId> quirks = new HashSet<>();
    while (m.find()) {
      QuirkId.parse("Q" + m.group(1)).ifPresent(quirks::add);
    }
    if (quirks.contains(QuirkId.Q01)) {
      return Symptom.BARE_LF;
    }
    if (quirks.contains(QuirkId.Q04)) {
      return Symptom.UNSTUFFED_DOT;
    }
    if (quirks.contains(QuirkId.Q02) || quirks.contains(QuirkId.Q03)) {
      return Symptom.GLUED_TERMINATOR;
    }
    return switch (e.error()) {
      case CONNECTION_TIMED_OUT -> Symptom.SESSION_STALLED;
      case CONNECTION_RESET -> Symptom.SESSION_DROPPED;
      case READ_ERROR -> Symptom.FRAMING_BROKEN;
      case EMPTY_LINE -> Symptom.EMPTY_LINE_REPLY;
      case LIMIT_EXCEEDED -> Symptom.LIMIT_EXCEEDED;
      case LOCKED -> Symptom.MAILBOX_IN_USE;
      case LOGIN_DELAY -> Symptom.LOGIN_DELAY;
      case SERVER_TEMPORARY -> Symptom.SERVER_TEMPORARY;
      case SERVER_PERMANENT -> Symptom.SERVER_PERMANENT;
      case TLS_FAILED -> Symptom.TLS_HANDSHAKE_FAILED;
      default -> Symptom.PROTOCOL_ERROR;
    };
  }

  // ------------------------------------------------------------------ steps under way

  private StepDraft begin(Stage stage) {
    StepDraft d = steps.get(stage);
    d.resume();
    return d;
  }

  /** The stage under way: the last one begun and not ended. */
  private StepDraft current() {
    StepDraft last = steps.get(Stage.DNS);
    for (StepDraft d : steps.values()) {
      if (d.begun) {
        last = d;
      }
    }
    return last;
  }

  private String server() {
    return s.host() + ":" + s.port();
  }

  private static int number(String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }
}
