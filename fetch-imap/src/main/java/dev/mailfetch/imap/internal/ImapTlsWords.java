package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.tls.TlsFailure;
import dev.mailfetch.api.internal.tls.TlsWords;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * IMAP's words for a failed TLS handshake, through the shared {@link TlsFailure}, naming the
 * options of the server's role ({@link ImapAdvice}).
 */
final class ImapTlsWords {
  private ImapTlsWords() {}

  private static final TlsWords DESTINATION = words(ImapAdvice.DESTINATION);
  private static final TlsWords SOURCE = words(ImapAdvice.SOURCE);

  /** The words for a server in {@code role}. */
  static TlsWords of(ImapFailures.Role role) {
    return role == ImapFailures.Role.SOURCE ? SOURCE : DESTINATION;
  }

  private static TlsWords words(ImapAdvice a) {
    return new TlsWords(
        "STARTTLS",
        "CAPABILITY",
        "",
        "imaps",
        a.builder() + ".host(String)",
        a.doctor(),
        a.check(),
        Remedy.of(
            "Use implicit TLS (an imaps:// URL, usually port 993) if the server has it; tell the"
                + " provider their STARTTLS is broken.",
            "Use "
                + a.builder()
                + ".security(ImapSecurity.IMPLICIT_TLS) (usually port 993) if the server has it;"
                + " tell the provider their STARTTLS is broken."),
        port ->
            Remedy.of(
                "Port "
                    + port
                    + " expects STARTTLS or no encryption: use an imap:// URL on it, or implicit"
                    + " TLS (imaps://) on port 993.",
                "Port "
                    + port
                    + " expects STARTTLS or no encryption: use "
                    + a.builder()
                    + ".security(ImapSecurity.STARTTLS) on it, or ImapSecurity.IMPLICIT_TLS on"
                    + " port 993."),
        d -> "the time allowed for the TLS handshake (" + d.toSeconds() + " s)",
        a::slowHandshake,
        a.untrusted());
  }

  /** The error for a failed handshake with {@code s}'s server ({@code took} into it). */
  static FetchException failed(
      IOException e, ImapSettings s, boolean afterStartTls, Duration took) {
    TlsWords words = of(s.role());
    if (e instanceof SocketTimeoutException) {
      return TlsFailure.noAnswer(
          words, s.server(), afterStartTls, s.limits().handshakeTimeout(), null, e);
    }
    return TlsFailure.of(
        words,
        (SSLException) e,
        s.server(),
        s.host(),
        s.port(),
        afterStartTls,
        took,
        s.limits().handshakeTimeout());
  }
}
