package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.tls.TlsWords;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * POP3's words for a failed TLS handshake: the shared classification ({@link
 * dev.mailfetch.api.internal.tls.TlsFailure}, whose kinds and checks this class inherits) with
 * STLS, CAPA, pop3s:// and Pop3Doctor in its errors.
 */
final class TlsFailure extends dev.mailfetch.api.internal.tls.TlsFailure {
  private TlsFailure() {}

  /** POP3's words. */
  static final TlsWords WORDS =
      new TlsWords(
          "STLS",
          "CAPA",
          " (quirk Q23)",
          "pop3s",
          "the source's host(String)",
          "mailfetch doctor URL",
          "Pop3Doctor",
          Advice.stlsBroken(),
          Advice::plainTextPort,
          Limit.HANDSHAKE_TIMEOUT::words,
          Limit.HANDSHAKE_TIMEOUT::remedy);

  /** As {@link dev.mailfetch.api.internal.tls.TlsFailure#noAnswer}, in POP3's words. */
  static FetchException noAnswer(
      String server, boolean afterStls, Duration allowed, Duration closedAfter, Throwable e) {
    return noAnswer(WORDS, server, afterStls, allowed, closedAfter, e);
  }

  /** As {@link dev.mailfetch.api.internal.tls.TlsFailure#of}, in POP3's words. */
  static FetchException of(
      SSLException e,
      String server,
      String host,
      int port,
      boolean afterStls,
      Duration took,
      Duration allowed) {
    return of(WORDS, e, server, host, port, afterStls, took, allowed);
  }
}
