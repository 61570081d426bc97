package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.tls.TlsFailure;
import dev.mailfetch.api.internal.tls.TlsWords;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/** IMAP's words for a failed TLS handshake, through the shared {@link TlsFailure}. */
final class ImapTlsWords {
  private ImapTlsWords() {}

  static final TlsWords WORDS =
      new TlsWords(
          "STARTTLS",
          "CAPABILITY",
          "",
          "imaps",
          "the IMAP builder's host(String)",
          "mailfetch doctor",
          "ImapAppendSink.check()",
          Remedy.of(
              "Use implicit TLS (an imaps:// URL, usually port 993) if the server has it; tell the"
                  + " provider their STARTTLS is broken.",
              "Use ImapSecurity.IMPLICIT_TLS (usually port 993) if the server has it; tell the"
                  + " provider their STARTTLS is broken."),
          port ->
              Remedy.of(
                  "Port "
                      + port
                      + " expects STARTTLS or no encryption: use an imap:// URL on it, or implicit"
                      + " TLS (imaps://) on port 993.",
                  "Port "
                      + port
                      + " expects STARTTLS or no encryption: use ImapSecurity.STARTTLS on it, or"
                      + " ImapSecurity.IMPLICIT_TLS on port 993."),
          d -> "the time allowed for the TLS handshake (" + d.toSeconds() + " s)",
          d ->
              Remedy.of(
                  "Try again later; if it keeps happening, ask the provider. If the server is slow"
                      + " but working, give it more time with --timeout SECONDS (now "
                      + d.toSeconds()
                      + " s).",
                  "Try again later; if it keeps happening, ask the provider. If the server is slow"
                      + " but working, raise ImapLimits.Builder.handshakeTimeout (now "
                      + d.toSeconds()
                      + " s)."));

  /** The error for a failed handshake with {@code s}'s server ({@code took} into it). */
  static FetchException failed(
      IOException e, ImapSettings s, boolean afterStartTls, Duration took) {
    if (e instanceof SocketTimeoutException) {
      return TlsFailure.noAnswer(
          WORDS, s.server(), afterStartTls, s.limits().handshakeTimeout(), null, e);
    }
    return TlsFailure.of(
        WORDS,
        (SSLException) e,
        s.server(),
        s.host(),
        s.port(),
        afterStartTls,
        took,
        s.limits().handshakeTimeout());
  }
}
