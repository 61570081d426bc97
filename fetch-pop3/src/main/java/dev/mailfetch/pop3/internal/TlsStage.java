package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.tls.ChainRecorder;
import dev.mailfetch.api.internal.tls.TlsFailure.Refused;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Symptom;
import dev.mailfetch.pop3.internal.PortProbe.PortSpeaks;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * The doctor's TLS stage: a port that speaks other than the settings say, the handshake (implicit
 * TLS or STLS), what it agreed and the certificate shown, and which check failed where it failed.
 */
final class TlsStage {
  /** A certificate that expires sooner than this many days is a warning. */
  private static final int WARN_DAYS = 21;

  private final ExamContext ctx;

  TlsStage(ExamContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Whether the connection stage showed the port to speak otherwise than the settings say (TLS
   * where plain text was chosen, or the reverse); then the finding is made and the session is not
   * tried.
   */
  boolean portMismatch() {
    Pop3Settings s = ctx.settings();
    PortSpeaks chosen = ctx.ports().chosen();
    if (chosen == PortSpeaks.TLS && s.security() != Security.IMPLICIT_TLS) {
      StepDraft tls = ctx.begin(Stage.TLS);
      tlsPortSpokenPlain(tls);
      tls.summary("mismatch");
      tls.end();
      ctx.block();
      return true;
    }
    if ((chosen == PortSpeaks.POP3 || chosen == PortSpeaks.POP3_REFUSING)
        && s.security() == Security.IMPLICIT_TLS) {
      StepDraft tls = ctx.begin(Stage.TLS);
      tls.add(
          Symptom.TLS_TO_PLAIN_PORT,
          "port "
              + s.port()
              + " greets in plain text; you chose "
              + Advice.words(Security.IMPLICIT_TLS)
              + ctx.ports().suggestion());
      tls.summary("mismatch");
      tls.end();
      ctx.block();
      return true;
    }
    return false;
  }

  /**
   * Whether a greeting that did not come in plain text is explained by a port that speaks TLS; then
   * that is the finding.
   */
  boolean greetingInsideTls(StepDraft tls) {
    if (ctx.settings().security() == Security.IMPLICIT_TLS
        || ctx.ports().chosen() != PortSpeaks.TLS) {
      return false;
    }
    tls.resume();
    tlsPortSpokenPlain(tls);
    tls.end();
    return true;
  }

  private void tlsPortSpokenPlain(StepDraft tls) {
    Pop3Settings s = ctx.settings();
    tls.add(
        Symptom.PLAIN_TO_TLS_PORT,
        "port "
            + s.port()
            + " answers a TLS handshake and sends no greeting in"
            + " plain text; you chose "
            + Advice.words(s.security()));
  }

  /** The implicit TLS handshake; false, with the finding, where it failed. */
  boolean handshake(Pop3Connection ses, StepDraft tls) {
    ChainRecorder recorder = ctx.freshRecorder();
    try {
      ses.handshake();
      describe(ses, tls);
      return true;
    } catch (FetchException e) {
      failed(e, recorder, tls);
      return false;
    }
  }

  /** STLS and its handshake; false, with the finding, where either failed. */
  boolean startTls(Pop3Connection ses, StepDraft tls) throws FetchException {
    ChainRecorder recorder = ctx.freshRecorder();
    try {
      Greeting.startTls(ses);
      describe(ses, tls);
      return true;
    } catch (FetchException e) {
      if (e.error() == FetchError.TLS_REQUIRED_NOT_OFFERED) {
        tls.add(Symptom.STLS_NOT_OFFERED, e.detail() + ctx.ports().suggestion());
        tls.end();
        ctx.block();
        return false;
      }
      if (e.error() != FetchError.CERTIFICATE_INVALID) {
        // refused, garbage, or a handshake that never came
        tls.add(Symptom.STLS_FAILED, e.detail() + ctx.ports().suggestion());
        tls.end();
        ctx.block();
        return false;
      }
      failed(e, recorder, tls);
      return false;
    }
  }

  /** No encryption was chosen: said, with what the server would have offered. */
  void notEncrypted(Pop3Connection ses, StepDraft tls) {
    tls.resume();
    tls.add(
        Symptom.NOT_ENCRYPTED,
        "you chose no encryption"
            + (ses.capabilities().has("STLS") ? "; the server offers STLS" : "")
            + (ctx.ports().otherPortSpeaksTls() ? "; a TLS port answers (see connection)" : ""));
    tls.summary("not encrypted");
    tls.end();
  }

  private void describe(Pop3Connection ses, StepDraft tls) {
    SSLSession session = ((SSLSocket) ses.socket()).getSession();
    StringBuilder sb = new StringBuilder(session.getProtocol() + ", " + session.getCipherSuite());
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        long days =
            Duration.between(ctx.plan().clock().instant(), leaf.getNotAfter().toInstant()).toDays();
        sb.append("; certificate for ")
            .append(CertificateTrouble.names(leaf))
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
                  + CertificateTrouble.names(leaf)
                  + " expires on "
                  + leaf.getNotAfter().toInstant()
                  + ", in "
                  + days
                  + " days");
        }
      }
    } catch (SSLPeerUnverifiedException e) {
      sb.append("; no certificate");
    }
    tls.summary(sb.toString());
    tls.add(Symptom.TLS_ESTABLISHED, sb.toString());
  }

  private void failed(FetchException e, ChainRecorder recorder, StepDraft tls) {
    Pop3Settings s = ctx.settings();
    X509Certificate[] chain = recorder != null ? recorder.chain() : null;
    String certs =
        chain == null || chain.length == 0 ? "" : "; the server's certificate: " + describe(chain);
    Symptom sym;
    if (e instanceof Refused refused) {
      sym = certificateSymptom(refused, chain);
    } else if (TlsFailure.plainTextPort(e)
        || (ctx.ports().chosen() == PortSpeaks.POP3 && s.security() == Security.IMPLICIT_TLS)) {
      sym = Symptom.TLS_TO_PLAIN_PORT;
      certs = "; port " + s.port() + " greets in plain text" + ctx.ports().suggestion();
    } else if (TlsFailure.noVersionInCommon(e)) {
      sym = Symptom.TLS_VERSION_TOO_OLD;
    } else {
      sym = Symptom.TLS_HANDSHAKE_FAILED;
    }
    tls.add(sym, e.detail() + certs);
    tls.summary("failed");
    tls.end();
    ctx.block();
  }

  /**
   * Which check refused the certificate: the dates of the chain shown where they tell, else the
   * check the handshake named, else whether it signed itself.
   */
  private static Symptom certificateSymptom(Refused refused, X509Certificate[] chain) {
    Instant now = Instant.now(); // the JDK's checks use the real clock too
    boolean shown = chain != null && chain.length > 0;
    if (shown && now.isAfter(chain[0].getNotAfter().toInstant())) {
      return Symptom.CERTIFICATE_EXPIRED;
    }
    if (shown && now.isBefore(chain[0].getNotBefore().toInstant())) {
      return Symptom.CERTIFICATE_NOT_YET_VALID;
    }
    switch (refused.check) {
      case NOT_YET_VALID:
        return Symptom.CERTIFICATE_NOT_YET_VALID;
      case EXPIRED:
        return Symptom.CERTIFICATE_EXPIRED;
      case WRONG_HOST:
        return Symptom.CERTIFICATE_WRONG_HOST;
      default:
        break;
    }
    if (chain != null
        && chain.length == 1
        && chain[0].getSubjectX500Principal().equals(chain[0].getIssuerX500Principal())) {
      return Symptom.CERTIFICATE_SELF_SIGNED;
    }
    return Symptom.CERTIFICATE_UNTRUSTED;
  }

  private static String describe(X509Certificate[] chain) {
    X509Certificate leaf = chain[0];
    return CertificateTrouble.names(leaf)
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
}
