package dev.mailfetch.api.internal.doctor;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's own trust, by which a doctor judges a server's certificate where neither a PEM file nor
 * an embedder's {@code SSLContext} is set: recorded rather than merely applied, so that what it
 * refuses can be described.
 */
public final class JdkTrust {
  private JdkTrust() {}

  /**
   * The JDK's default X.509 trust manager (its {@code cacerts}).
   *
   * @throws IllegalStateException if this JDK has none, or its trust store cannot be read
   */
  public static X509ExtendedTrustManager get() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new IllegalStateException("this JDK has no X.509 trust manager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK's trust store cannot be read", e);
    }
  }
}
