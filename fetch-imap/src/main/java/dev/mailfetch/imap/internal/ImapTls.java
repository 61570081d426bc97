package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.tls.TlsHandshake;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/** The TCP connection and TLS of an IMAP session, in IMAP's words. */
final class ImapTls {
  private ImapTls() {}

  static SSLSocket handshake(Socket socket, ImapSettings s, boolean afterStartTls)
      throws FetchException {
    long began = System.nanoTime();
    try {
      SSLSocket ssl =
          TlsHandshake.secure(
              socket, s.host(), s.port(), s.sslContext(), s.limits().handshakeTimeout());
      ssl.setSoTimeout((int) s.limits().readTimeout().toMillis());
      return ssl;
    } catch (SocketTimeoutException | SSLException e) {
      throw ImapTlsWords.failed(e, s, afterStartTls, Duration.ofNanos(System.nanoTime() - began));
    } catch (IOException e) {
      throw new FetchException(
          FetchError.TLS_FAILED,
          "the TLS handshake with "
              + s.server()
              + " failed: "
              + FetchException.escape(String.valueOf(e.getMessage())),
          e);
    } catch (NoSuchAlgorithmException e) {
      throw new FetchException(FetchError.CONFIGURATION, "this JDK has no TLS implementation", e);
    }
  }

  static FetchException connectFailed(ImapSettings s, IOException e) {
    if (e instanceof UnknownHostException) {
      return new FetchException(
          FetchError.HOST_NOT_FOUND, "the host name " + s.host() + " was not found", e);
    }
    if (e instanceof SocketTimeoutException) {
      return new FetchException(
          FetchError.CONNECTION_TIMED_OUT,
          "connecting to " + s.server() + " timed out after " + s.limits().connectTimeout(),
          e);
    }
    if (e instanceof ConnectException) {
      return new FetchException(
          FetchError.CONNECTION_REFUSED, s.server() + " refused the connection", e);
    }
    return ImapFailures.closed(s.server(), e);
  }

  /**
   * Bytes came between the server's STARTTLS reply and the handshake: injected on the way (the
   * STARTTLS command-injection attack) or a broken STARTTLS; nothing before TLS can be trusted.
   */
  static FetchException injected(String server, int bytes) {
    return new FetchException(
        FetchError.TLS_FAILED,
        server
            + " sent "
            + bytes
            + " bytes after its STARTTLS reply and before TLS began: something on the way may be"
            + " injecting replies (an attack on STARTTLS), or the server's STARTTLS is broken;"
            + " nothing was sent but CAPABILITY and STARTTLS",
        null,
        null,
        Remedy.of(
            "Use implicit TLS (an imaps:// URL, port 993), which leaves nothing to inject into.",
            "Use ImapSecurity.IMPLICIT_TLS (port 993), which leaves nothing to inject into."));
  }

  /** STARTTLS was required and the server does not offer it, or refused it. */
  static FetchException startTlsMissing(ImapSettings s, ImapLine refusal) {
    String server = s.server();
    return new FetchException(
        FetchError.TLS_REQUIRED_NOT_OFFERED,
        server
            + (refusal == null ? " does not offer STARTTLS" : " refused STARTTLS")
            + "; nothing was sent but CAPABILITY"
            + (refusal == null ? "" : " and STARTTLS"),
        refusal == null ? null : refusal.wire(),
        null,
        s.advice().noStartTls());
  }

  /**
   * A {@code * PREAUTH} greeting where STARTTLS is required: the session is logged in already, so
   * STARTTLS can no longer be sent (RFC 9051 §6.2.1) and everything would go in plain text. An
   * attacker on the way can greet so (a downgrade); nothing more is sent.
   */
  static FetchException preauthBeforeTls(String server, ImapLine greeting) {
    return new FetchException(
        FetchError.TLS_REQUIRED_NOT_OFFERED,
        server
            + " greeted with PREAUTH on a connection without TLS: STARTTLS can no longer be used"
            + " and the session would go unencrypted (something on the way may be downgrading"
            + " it); nothing was sent",
        greeting.wire(),
        null,
        Remedy.of(
            "Use implicit TLS (an imaps:// URL, port 993) if the server has it; --tls none only on a"
                + " network you trust.",
            "Use ImapSecurity.IMPLICIT_TLS (port 993) if the server has it; ImapSecurity.NONE only"
                + " on a network you trust."));
  }
}
