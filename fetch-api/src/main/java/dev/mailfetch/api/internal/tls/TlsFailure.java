package dev.mailfetch.api.internal.tls;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * A failed TLS handshake (of POP3, IMAP, SMTP: the protocol's own words come as a {@link
 * TlsWords}), as the error a person reads: which check failed (expired, not yet valid, another host
 * name, an authority not trusted), or which mix-up it was (TLS spoken to a plain-text port, no TLS
 * version in common), each with the advice that fits it. The JDK says several of these in the same
 * words, so the whole chain of causes, class names included, is what is searched; none of it
 * reaches the message. The error carries its {@link Kind} ({@link Failed}), so that nobody after
 * this class reads its words.
 *
 * <p>This is the one class that reads the JDK's TLS words: {@link #classify} for a fetch's
 * handshake, {@link #alertReceived} and {@link #notTls} for the doctor's port probe.
 */
public class TlsFailure {
  /** For a protocol's own facade, which adds its words (fetch-pop3's keeps its tests' names). */
  protected TlsFailure() {}

  /** Which certificate check failed. */
  public enum Check {
    EXPIRED,
    NOT_YET_VALID,
    WRONG_HOST,
    UNTRUSTED
  }

  /**
   * A failed handshake that says which {@link Kind} it was, so that the doctor decides on the kind
   * and never on the words: every error {@link #of} gives is one, and so is {@link #noAnswer}'s
   * where the server closed the connection.
   */
  public static class Failed extends FetchException {
    private static final long serialVersionUID = 1L;
    public final Kind kind;

    /** Whether the handshake followed STLS (STARTTLS) rather than the first byte. */
    public final boolean afterStls;

    public Failed(
        Kind kind,
        boolean afterStls,
        FetchError error,
        String detail,
        Throwable cause,
        Remedy remedy) {
      super(error, detail, null, cause, remedy);
      this.kind = kind;
      this.afterStls = afterStls;
    }
  }

  /**
   * A certificate refused, by which check: {@link CertificateTrouble} adds what the certificate
   * says.
   */
  public static final class Refused extends Failed {
    private static final long serialVersionUID = 1L;
    public final Check check;

    public Refused(Check check, String detail, Throwable cause, Remedy remedy) {
      super(kindOf(check), false, FetchError.CERTIFICATE_INVALID, detail, cause, remedy);
      this.check = check;
    }

    private static Kind kindOf(Check check) {
      return switch (check) {
        case EXPIRED -> Kind.EXPIRED;
        case NOT_YET_VALID -> Kind.NOT_YET_VALID;
        case WRONG_HOST -> Kind.WRONG_HOST;
        case UNTRUSTED -> Kind.UNTRUSTED;
      };
    }
  }

  /**
   * Whether {@code e} is implicit TLS spoken to a port that answered in plain text (not a broken
   * STARTTLS, quirk Q23, which is the same bytes after STLS).
   */
  public static boolean plainTextPort(FetchException e) {
    return e instanceof Failed f && f.kind == Kind.PLAIN_TEXT && !f.afterStls;
  }

  /** Whether {@code e} is a server with no TLS version this client accepts. */
  public static boolean noVersionInCommon(FetchException e) {
    return e instanceof Failed f && f.kind == Kind.NO_COMMON_VERSION;
  }

  private static final Remedy RENEW =
      Remedy.of(
          "Tell the provider (or, for your own server, its administrator) to"
              + " renew the certificate; nothing should change on this side: mailfetch never switches certificate checks"
              + " off.");
  private static final Remedy CLOCK =
      Remedy.of(
          "Check this machine's date and time; if they are right, tell the"
              + " provider that their certificate is not valid yet.");

  private static Remedy otherName(TlsWords w) {
    return Remedy.of(
        "Use a name the certificate holds in the URL ("
            + w.scheme()
            + "://user@NAME) if that is your provider's server; otherwise"
            + " tell the provider. mailfetch never switches the host name check off.",
        "Use a name the certificate holds as "
            + w.hostSetting()
            + " if that is your provider's server; otherwise"
            + " tell the provider. The host name check is never switched off.");
  }

  private static final Remedy TOO_OLD =
      Remedy.of(
          "Ask the provider to enable TLS 1.2 or 1.3 on the server:"
              + " mailfetch refuses the older versions, which are broken (RFC 8996).");

  private static Remedy silentEnd(TlsWords w) {
    return Remedy.of(
        "Ask the provider whether the server supports TLS 1.2 or later (mailfetch refuses older versions, RFC 8996);"
            + " "
            + w.doctorCli()
            + " shows what the port answers, to send them.",
        "Ask the provider whether the server supports TLS 1.2 or later (older versions are refused, RFC 8996);"
            + " "
            + w.doctorLibrary()
            + " shows what the port answers, to send them.");
  }

  /**
   * A handshake that ends sooner than this after it began is ended by the server's answer (a server
   * of old TLS versions only closes at once); one that ends later was a server that stayed silent.
   */
  private static final Duration AT_ONCE = Duration.ofSeconds(2);

  /**
   * The server did not answer the handshake: it stayed silent for the whole {@code allowed} time
   * ({@code closedAfter} null) or for {@code closedAfter} and then closed the connection (case
   * N-09: STLS agreed, then nothing). A server that does not answer, not a TLS it cannot speak.
   */
  public static FetchException noAnswer(
      TlsWords w,
      String server,
      boolean afterStls,
      Duration allowed,
      Duration closedAfter,
      Throwable e) {
    String what =
        server
            + (afterStls ? " agreed to start TLS (" + w.startTls() + ") but" : "")
            + " did not answer the TLS handshake: ";
    if (closedAfter == null) {
      return new FetchException(
          FetchError.CONNECTION_TIMED_OUT,
          what + "it stayed silent for " + w.handshakeTimeoutWords().apply(allowed),
          null,
          e,
          w.handshakeTimeoutRemedy().apply(allowed));
    }
    return new Failed(
        Kind.ENDED,
        afterStls,
        FetchError.CONNECTION_TIMED_OUT,
        what + "it stayed silent for " + closedAfter.toSeconds() + " s, then closed the connection",
        e,
        silentThenClosed(w));
  }

  private static Remedy silentThenClosed(TlsWords w) {
    return Remedy.of(
        "Try again later; if it keeps happening, tell the provider that their server does not answer the TLS"
            + " handshake ("
            + w.doctorCli()
            + " shows what the port answers, to send them).",
        "Try again later; if it keeps happening, tell the provider that their server does not answer the TLS"
            + " handshake ("
            + w.doctorLibrary()
            + " shows what the port answers, to send them).");
  }

  /**
   * The error for {@code e}, met while securing the connection to {@code server} ({@code host},
   * {@code port}) after STLS ({@code afterStls}) or from the first byte, {@code took} into a
   * handshake {@code allowed} that long.
   */
  public static FetchException of(
      TlsWords w,
      SSLException e,
      String server,
      String host,
      int port,
      boolean afterStls,
      Duration took,
      Duration allowed) {
    switch (classify(e)) {
      case NOT_YET_VALID:
        return new Refused(
            Check.NOT_YET_VALID,
            server + "'s certificate is not yet valid (check this machine's clock)",
            e,
            CLOCK);
      case EXPIRED:
        return new Refused(Check.EXPIRED, server + "'s certificate has expired", e, RENEW);
      case WRONG_HOST:
        return new Refused(
            Check.WRONG_HOST,
            server + "'s certificate was issued for another host name than " + host,
            e,
            otherName(w));
      case UNTRUSTED:
        return new Refused(
            Check.UNTRUSTED,
            server
                + "'s certificate is self-signed or issued by an authority this client"
                + " does not trust",
            e,
            w.untrusted());
      case PLAIN_TEXT:
        if (afterStls) {
          // The user asked for STARTTLS, and the server said yes to STLS: the port is right, the
          // server's STARTTLS is what is broken (quirk Q23, case N-04), as the doctor says.
          return new Failed(
              Kind.PLAIN_TEXT,
              true,
              FetchError.TLS_FAILED,
              server
                  + " agreed to start TLS ("
                  + w.startTls()
                  + ") but then went on in"
                  + " plain text: its STARTTLS is broken"
                  + w.brokenStartTlsNote()
                  + "; nothing was sent but "
                  + w.capability()
                  + " and "
                  + w.startTls(),
              e,
              w.startTlsBroken());
        }
        return new Failed(
            Kind.PLAIN_TEXT,
            false,
            FetchError.TLS_FAILED,
            server
                + " does not speak TLS on port "
                + port
                + ": it looks like a plain-text port, which expects STARTTLS or no encryption",
            e,
            w.plainTextPort().apply(port));
      case NO_COMMON_VERSION:
        return new Failed(
            Kind.NO_COMMON_VERSION,
            afterStls,
            FetchError.TLS_FAILED,
            server
                + " offers no TLS version this client accepts"
                + " (TLS 1.2 or later is required)",
            e,
            TOO_OLD);
      case ENDED:
        if (took.compareTo(
                allowed.dividedBy(2).compareTo(AT_ONCE) < 0 ? allowed.dividedBy(2) : AT_ONCE)
            >= 0) {
          return noAnswer(w, server, afterStls, allowed, took, e);
        }
        // A server that speaks only TLS 1.0/1.1 without saying so (no protocol_version alert)
        // ends the handshake like this; so does one without a cipher in common.
        return new Failed(
            Kind.ENDED,
            afterStls,
            FetchError.TLS_FAILED,
            server
                + " closed the connection during the TLS handshake"
                + " without saying why: most likely it offers only TLS versions older than TLS 1.2, or no cipher this client"
                + " accepts",
            e,
            silentEnd(w));
      case OTHER:
      default:
        break;
    }
    return new Failed(
        Kind.OTHER,
        afterStls,
        FetchError.TLS_FAILED,
        "the TLS handshake with "
            + server
            + " failed: "
            + FetchException.escape(String.valueOf(e.getMessage())),
        e,
        null);
  }

  /** What a failed handshake was, as far as the JDK's exceptions tell. */
  public enum Kind {
    NOT_YET_VALID,
    EXPIRED,
    WRONG_HOST,
    UNTRUSTED,
    /** The other side answered in plain text (Q23 after STLS, else a plain-text port). */
    PLAIN_TEXT,
    NO_COMMON_VERSION,
    /** The server ended the handshake without an alert: at once, or after silence. */
    ENDED,
    OTHER
  }

  /**
   * What {@code e} was, from the whole chain of its causes, class names included: the JDK says
   * several of these in the same words and has no other way to tell them, so this is the one place
   * that reads exception text, and none of it reaches a message. Pure: the same chain, the same
   * answer.
   */
  public static Kind classify(Throwable e) {
    String all = chain(e);
    // The JDK says "validity check failed" for both; the cause's class tells which.
    if (all.contains("NotYetValid") || all.contains("NotBefore")) {
      return Kind.NOT_YET_VALID;
    }
    if (all.contains("CertificateExpired")
        || all.contains("validity check failed")
        || all.contains("NotAfter")) {
      return Kind.EXPIRED;
    }
    if (all.contains("No subject alternative")
        || all.contains("No name matching")
        || all.contains("doesn't match")) {
      return Kind.WRONG_HOST;
    }
    if (all.contains("unable to find valid certification path")
        || all.contains("PKIX")
        || all.contains("certificate_unknown")
        || all.contains("CertPath")
        || all.contains("Certificate")) {
      return Kind.UNTRUSTED;
    }
    if (all.contains(NOT_TLS) || all.contains("plaintext")) {
      return Kind.PLAIN_TEXT;
    }
    if (all.contains("protocol") || all.contains("No appropriate")) {
      return Kind.NO_COMMON_VERSION;
    }
    if (all.contains("terminated the handshake") || all.contains("EOFException")) {
      return Kind.ENDED;
    }
    return Kind.OTHER;
  }

  /** The JDK's words for bytes that are no TLS record, where a TLS record was due. */
  private static final String NOT_TLS = "Unsupported or unrecognized SSL message";

  /**
   * The other side answered the handshake with a TLS alert: it speaks TLS. For the doctor's port
   * probe; the JDK gives no alert code and no subtype ({@code SSLHandshakeException} for all), so
   * its words are all there is.
   */
  public static boolean alertReceived(SSLException e) {
    return String.valueOf(e.getMessage()).contains("Received fatal alert");
  }

  /**
   * The other side answered the handshake with bytes that are no TLS record. For the doctor's port
   * probe, on the exception itself (not its chain, as {@link #classify} reads).
   */
  public static boolean notTls(SSLException e) {
    return String.valueOf(e.getMessage()).contains(NOT_TLS);
  }

  private static String chain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
