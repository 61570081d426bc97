package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.tls.PemTrust;
import dev.mailfetch.api.internal.tls.TlsFailure;
import dev.mailfetch.api.internal.tls.TlsHandshake;
import dev.mailfetch.api.internal.tls.TlsWords;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * TLS for the SMTP and LMTP sinks through mailfetch's shared handshake ({@link TlsHandshake}: TLS
 * 1.2 or later, SNI, the host name checked) and its words for a failure ({@link TlsFailure}), in
 * SMTP's terms.
 */
final class Tls {
  private Tls() {}

  private static final TlsWords LMTP = words("LmtpSink.builder()");
  private static final TlsWords SMTP = words("SmtpSink.builder()");

  /** The words for {@code s}'s sink, naming its builder and the CLI's sink options. */
  static TlsWords words(Settings s) {
    return s.lmtp() ? LMTP : SMTP;
  }

  private static TlsWords words(String builder) {
    return new TlsWords(
        "STARTTLS",
        "EHLO",
        "",
        "smtps",
        builder + ".host(String)",
        "mailfetch doctor --to URL",
        builder + ".build().check()",
        Remedy.of(
            "Use implicit TLS (an smtps:// URL, or --sink-tls implicit; usually port 465) if the"
                + " server has it; tell the server's administrator their STARTTLS is broken.",
            "Use "
                + builder
                + ".security(SmtpSecurity.IMPLICIT_TLS) (usually port 465) if the server has it;"
                + " tell the server's administrator their STARTTLS is broken."),
        port ->
            Remedy.of(
                "Port "
                    + port
                    + " expects STARTTLS or no encryption: use --sink-tls starttls on it (an"
                    + " smtp:// URL), or implicit TLS (smtps://) on port 465.",
                "Port "
                    + port
                    + " expects STARTTLS or no encryption: use "
                    + builder
                    + ".security(SmtpSecurity.STARTTLS) on it, or SmtpSecurity.IMPLICIT_TLS on port"
                    + " 465."),
        d -> "the time allowed for the TLS handshake (" + d.toSeconds() + " s)",
        d ->
            Remedy.of(
                "Try again later; if it keeps happening, ask the server's administrator (now "
                    + d.toSeconds()
                    + " s are allowed).",
                "Try again later; if it keeps happening, ask the server's administrator, or raise"
                    + " the deadline with "
                    + builder
                    + ".limits(SmtpLimits.builder().handshakeTimeout(…)) (now "
                    + d.toSeconds()
                    + " s)."),
        Remedy.of(
            "If this is your own or a private server, trust its authority with --sink-trust-pem"
                + " FILE (that authority's certificate as PEM); otherwise do not connect.",
            "If this is your own or a private server, trust its authority with "
                + builder
                + ".trustPem(Path) (that authority's certificate as PEM); otherwise do not"
                + " connect."));
  }

  /** TLS over {@code plain}; the error in SMTP's words where the handshake fails. */
  static SSLSocket handshake(Settings s, Socket plain, boolean afterStartTls)
      throws FetchException {
    long start = System.nanoTime();
    try {
      return TlsHandshake.secure(
          plain, s.host(), s.port(), s.sslContext(), s.limits().handshakeTimeout());
    } catch (SocketTimeoutException e) {
      close(plain);
      throw TlsFailure.noAnswer(
          words(s), s.server(), afterStartTls, s.limits().handshakeTimeout(), null, e);
    } catch (SSLException e) {
      close(plain);
      throw TlsFailure.of(
          words(s),
          e,
          s.server(),
          s.host(),
          s.port(),
          afterStartTls,
          Duration.ofNanos(System.nanoTime() - start),
          s.limits().handshakeTimeout());
    } catch (IOException | NoSuchAlgorithmException e) {
      close(plain);
      throw Failures.sessionLost(s, "dropped the connection during the TLS handshake", null, e);
    }
  }

  /**
   * A context trusting exactly the CA certificates of a PEM file.
   *
   * @throws IllegalArgumentException naming the file if it cannot be read or holds no certificate
   */
  static SSLContext trustingPem(Path pemFile) {
    return PemTrust.load(pemFile).context();
  }

  private static void close(Socket plain) {
    try {
      plain.close();
    } catch (IOException ignored) {
      // the handshake's failure is what is reported
    }
  }
}
