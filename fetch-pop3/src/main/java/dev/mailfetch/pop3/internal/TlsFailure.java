package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import javax.net.ssl.SSLException;

/**
 * A failed TLS handshake, as the error a person reads: which check failed (expired, not yet valid,
 * another host name, an authority not trusted), or which mix-up it was (TLS spoken to a plain-text
 * port, no TLS version in common). The JDK says several of these in the same words, so the whole
 * chain of causes, class names included, is what is searched; none of it reaches the message.
 */
final class TlsFailure {
  private TlsFailure() {}

  /** The error for {@code e}, met while securing the connection to {@code server} ({@code host}, {@code port}). */
  static FetchException of(SSLException e, String server, String host, int port) {
    String all = chain(e);
    // The JDK says "validity check failed" for both; the cause's class tells which.
    if (all.contains("NotYetValid") || all.contains("NotBefore")) {
      return new FetchException(FetchError.CERTIFICATE_INVALID, server + "'s certificate is not yet valid"
          + " (check this machine's clock)", e);
    }
    if (all.contains("CertificateExpired") || all.contains("validity check failed") || all.contains("NotAfter")) {
      return new FetchException(FetchError.CERTIFICATE_INVALID, server + "'s certificate has expired", e);
    }
    if (all.contains("No subject alternative") || all.contains("No name matching") || all.contains("doesn't match")) {
      return new FetchException(FetchError.CERTIFICATE_INVALID, server + "'s certificate was issued for another host"
          + " name than " + host, e);
    }
    if (all.contains("unable to find valid certification path") || all.contains("PKIX")
        || all.contains("certificate_unknown") || all.contains("CertPath") || all.contains("Certificate")) {
      return new FetchException(FetchError.CERTIFICATE_INVALID, server + "'s certificate is self-signed or issued by"
          + " an authority this client does not trust", e);
    }
    if (all.contains("Unsupported or unrecognized SSL message") || all.contains("plaintext")) {
      return new FetchException(FetchError.TLS_FAILED, server + " does not speak TLS on port " + port
          + ": it looks like a plain-text port, which expects STARTTLS or no encryption", null, e,
          Advice.plainTextPort(port));
    }
    if (all.contains("protocol") || all.contains("No appropriate")) {
      return new FetchException(FetchError.TLS_FAILED, server + " offers no TLS version this client accepts"
          + " (TLS 1.2 or later is required)", e);
    }
    return new FetchException(FetchError.TLS_FAILED, "the TLS handshake with " + server + " failed: " + e.getMessage(), e);
  }

  private static String chain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
