package dev.mailfetch.api.internal.tls;

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
public final class ChainRecorder extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager delegate;
  private volatile X509Certificate[] chain;

  /** Records for {@code delegate}; null to record and refuse every chain (a probe). */
  public ChainRecorder(X509ExtendedTrustManager delegate) {
    this.delegate = delegate;
  }

  /** The chain the server sent last, or null where none came since {@link #reset}. */
  public X509Certificate[] chain() {
    return chain;
  }

  /** Forgets the chain recorded, before the next handshake. */
  public void reset() {
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
