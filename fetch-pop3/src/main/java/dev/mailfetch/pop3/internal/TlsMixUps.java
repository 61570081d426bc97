package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;

/**
 * Which mix-up a failed handshake was, for the doctor's finding: implicit TLS spoken to a port that
 * greets in plain text, or a server with no TLS version this client accepts.
 *
 * <p>The one place that reads an error's words: {@link TlsFailure#of} says these two in a plain
 * {@code TLS_FAILED} error that carries no mark of which it was, and those words are its own (never
 * the JDK's or the server's), so they are stable. When the TLS failure classification gives its
 * kind as a value, these two read that instead and this class goes.
 */
final class TlsMixUps {
  private TlsMixUps() {}

  /** TlsFailure's "does not speak TLS on port N: it looks like a plain-text port". */
  static boolean plainTextPort(FetchException e) {
    return e.error() == FetchError.TLS_FAILED && e.detail().contains("does not speak TLS");
  }

  /** TlsFailure's "offers no TLS version this client accepts (TLS 1.2 or later is required)". */
  static boolean noVersionInCommon(FetchException e) {
    return e.error() == FetchError.TLS_FAILED && e.detail().contains("TLS 1.2 or later");
  }
}
