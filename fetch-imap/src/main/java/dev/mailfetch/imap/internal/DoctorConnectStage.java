package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.tls.ChainRecorder;
import dev.mailfetch.api.internal.tls.TlsFailure;
import dev.mailfetch.imap.ImapDiagnosis.Stage;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.ImapSymptom;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The IMAP doctor's connection stages: TCP to the address the DNS stage found; then the session a
 * fetch opens (implicit TLS or STARTTLS, the greeting, CAPABILITY), with a refused certificate
 * described by what it holds; then the login, folders and extensions ({@link DoctorMailboxStage}).
 */
final class DoctorConnectStage {
  /** A certificate that expires sooner than this many days is a warning. */
  private static final int WARN_DAYS = 21;

  /** The most capabilities named in the summary (Gmail's list is long). */
  private static final int CAPABILITIES_SHOWN = 24;

  private final DoctorExamination exam;

  DoctorConnectStage(DoctorExamination exam) {
    this.exam = exam;
  }

  void run() {
    if (!tcp()) {
      return;
    }
    ChainRecorder recorder = exam.freshRecorder();
    DoctorDraft tls = exam.begin(Stage.TLS);
    ImapSession session;
    try {
      session = ImapSession.open(exam.settings());
    } catch (FetchException e) {
      tls.end();
      failed(e, recorder, tls);
      return;
    }
    try {
      secured(session, recorder, tls);
      tls.end();
      capabilities(session);
      new DoctorMailboxStage(exam, session).run();
    } finally {
      session.logout();
    }
  }

  private boolean tcp() {
    DoctorDraft d = exam.begin(Stage.TCP);
    InetSocketAddress to = new InetSocketAddress(exam.address(), exam.port());
    String where = exam.address().getHostAddress() + " port " + exam.port();
    try (Socket s = new Socket()) {
      s.connect(to, (int) exam.plan().limits().connectTimeout().toMillis());
      d.summary("connected to " + where);
      d.end();
      return true;
    } catch (ConnectException e) {
      boolean refused = String.valueOf(e.getMessage()).contains("refused");
      d.add(
          refused ? ImapSymptom.CONNECTION_REFUSED : ImapSymptom.CONNECTION_TIMED_OUT,
          where + ": " + FetchException.escape(String.valueOf(e.getMessage())));
    } catch (SocketTimeoutException e) {
      d.add(
          ImapSymptom.CONNECTION_TIMED_OUT,
          where
              + " did not answer within "
              + exam.plan().limits().connectTimeout().toSeconds()
              + " s");
    } catch (IOException e) {
      d.add(
          ImapSymptom.CONNECTION_TIMED_OUT,
          where + ": " + FetchException.escape(String.valueOf(e.getMessage())));
    }
    d.summary("no connection");
    d.end();
    exam.block();
    return false;
  }

  /** What the session agreed: TLS and the certificate, or no encryption at all. */
  private void secured(ImapSession session, ChainRecorder recorder, DoctorDraft tls) {
    if (exam.security() == ImapSecurity.NONE) {
      tls.add(
          ImapSymptom.NOT_ENCRYPTED,
          "you chose no encryption"
              + (session.capabilities().has("STARTTLS") ? "; the server offers STARTTLS" : ""));
      tls.summary("not encrypted");
      return;
    }
    StringBuilder sb =
        new StringBuilder(
            session.tlsVersion().orElse("TLS")
                + (exam.security() == ImapSecurity.STARTTLS ? " after STARTTLS" : ""));
    X509Certificate[] chain = recorder == null ? null : recorder.chain();
    if (chain != null && chain.length > 0) {
      X509Certificate leaf = chain[0];
      long days =
          Duration.between(exam.plan().clock().instant(), leaf.getNotAfter().toInstant()).toDays();
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
            ImapSymptom.CERTIFICATE_EXPIRES_SOON,
            "the certificate for "
                + names(leaf)
                + " expires on "
                + leaf.getNotAfter().toInstant()
                + ", in "
                + days
                + " days");
      }
    }
    tls.summary(sb.toString());
    tls.add(ImapSymptom.TLS_ESTABLISHED, sb.toString());
  }

  private void capabilities(ImapSession session) {
    DoctorDraft d = exam.begin(Stage.CAPABILITIES);
    List<String> names = new ArrayList<>(session.capabilities().names());
    String shown =
        names.size() <= CAPABILITIES_SHOWN
            ? String.join(" ", names)
            : String.join(" ", names.subList(0, CAPABILITIES_SHOWN))
                + " and "
                + (names.size() - CAPABILITIES_SHOWN)
                + " more";
    d.summary(shown);
    d.add(ImapSymptom.CAPABILITIES_READ, shown);
    if (!session.capabilities().has("IMAP4rev1") && !session.capabilities().has("IMAP4rev2")) {
      d.add(ImapSymptom.NO_IMAP_REVISION, "the capabilities are: " + shown);
    }
    d.end();
  }

  /** The session did not open: the stage that failed, and why, in a fetch's code. */
  private void failed(FetchException e, ChainRecorder recorder, DoctorDraft tls) {
    FetchError code = e.error();
    String seen = e.detail() + e.serverReply().map(r -> " (the server said: " + r + ")").orElse("");
    if (code == FetchError.TLS_REQUIRED_NOT_OFFERED) {
      tls.add(ImapSymptom.STARTTLS_NOT_OFFERED, seen);
      tls.summary("STARTTLS not available");
    } else if (code == FetchError.CERTIFICATE_INVALID) {
      X509Certificate[] chain = recorder == null ? null : recorder.chain();
      String certs =
          chain == null || chain.length == 0
              ? ""
              : "; the server's certificate: " + describe(chain);
      tls.add(certificateSymptom(e, chain), seen + certs);
      tls.summary("certificate refused");
    } else if (code == FetchError.TLS_FAILED) {
      ImapSymptom sym =
          TlsFailure.plainTextPort(e)
              ? ImapSymptom.TLS_TO_PLAIN_PORT
              : TlsFailure.noVersionInCommon(e)
                  ? ImapSymptom.TLS_VERSION_TOO_OLD
                  : ImapSymptom.TLS_HANDSHAKE_FAILED;
      tls.add(sym, seen);
      tls.summary("failed");
    } else {
      // TLS (if any) is not told apart from the greeting here: the session broke before CAPABILITY
      DoctorDraft caps = exam.begin(Stage.CAPABILITIES);
      if (code == FetchError.PROTOCOL) {
        caps.add(ImapSymptom.NOT_IMAP, seen);
      } else {
        caps.add(ImapSymptom.SESSION_FAILED, seen, code);
      }
      caps.summary("no IMAP session");
      caps.end();
    }
    exam.block();
  }

  /**
   * Which check refused the certificate: the dates of the chain shown where they tell, else the
   * check the handshake named, else whether it signed itself.
   */
  private static ImapSymptom certificateSymptom(FetchException e, X509Certificate[] chain) {
    Instant now = Instant.now(); // the JDK's checks use the real clock too
    boolean shown = chain != null && chain.length > 0;
    if (shown && now.isAfter(chain[0].getNotAfter().toInstant())) {
      return ImapSymptom.CERTIFICATE_EXPIRED;
    }
    if (shown && now.isBefore(chain[0].getNotBefore().toInstant())) {
      return ImapSymptom.CERTIFICATE_NOT_YET_VALID;
    }
    if (e instanceof TlsFailure.Refused refused) {
      switch (refused.check) {
        case NOT_YET_VALID:
          return ImapSymptom.CERTIFICATE_NOT_YET_VALID;
        case EXPIRED:
          return ImapSymptom.CERTIFICATE_EXPIRED;
        case WRONG_HOST:
          return ImapSymptom.CERTIFICATE_WRONG_HOST;
        default:
          break;
      }
    }
    if (shown
        && chain.length == 1
        && chain[0].getSubjectX500Principal().equals(chain[0].getIssuerX500Principal())) {
      return ImapSymptom.CERTIFICATE_SELF_SIGNED;
    }
    return ImapSymptom.CERTIFICATE_UNTRUSTED;
  }

  private static String describe(X509Certificate[] chain) {
    X509Certificate leaf = chain[0];
    return names(leaf)
        + ", issued by "
        + FetchException.escape(leaf.getIssuerX500Principal().getName())
        + ", valid "
        + leaf.getNotBefore().toInstant()
        + " to "
        + leaf.getNotAfter().toInstant()
        + (chain.length == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())
            ? " (self-signed)"
            : "");
  }

  /** The DNS names and addresses a certificate holds, else its subject. */
  static String names(X509Certificate c) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> alt = c.getSubjectAlternativeNames();
      if (alt != null) {
        for (List<?> n : alt) {
          if (n.size() >= 2
              && (Integer.valueOf(2).equals(n.get(0)) || Integer.valueOf(7).equals(n.get(0)))) {
            out.add(FetchException.escape(String.valueOf(n.get(1))));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // the subject then
    }
    return out.isEmpty()
        ? FetchException.escape(c.getSubjectX500Principal().getName())
        : String.join(", ", out);
  }
}
