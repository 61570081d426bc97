package dev.mailfetch.pop3.internal;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Keeps the certificate chain the server sent, to describe it even when it is refused, and
 * otherwise leaves every decision to the real trust manager (null: the TLS probe, which only asks
 * whether TLS is spoken and refuses every chain after recording it).
 */
final class ChainRecorder extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager delegate;
  volatile X509Certificate[] chain;

  ChainRecorder(X509ExtendedTrustManager delegate) {
    this.delegate = delegate;
  }

  /** The chain the server sent last, or null where none came since {@link #reset}. */
  X509Certificate[] chain() {
    return chain;
  }

  void reset() {
    chain = null;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    this.chain = chain.clone();
    if (delegate == null) {
      throw new CertificateException("only probing whether TLS is spoken");
    }
    delegate.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    this.chain = chain.clone();
    if (delegate == null) {
      throw new CertificateException("only probing whether TLS is spoken");
    }
    delegate.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    this.chain = chain.clone();
    if (delegate == null) {
      throw new CertificateException("only probing whether TLS is spoken");
    }
    delegate.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a client never checks client certificates");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a client never checks client certificates");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a client never checks client certificates");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate == null ? new X509Certificate[0] : delegate.getAcceptedIssuers();
  }
}
