package dev.mailfetch.api.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust in exactly the CA certificates of a PEM file (a private or self-signed server), instead of
 * the JDK's trust store; host names are still checked. What every builder's {@code trustPem(Path)}
 * loads.
 *
 * @param context the TLS context trusting those certificates only
 * @param trustManager the trust manager behind it, which a doctor wraps to describe a refused chain
 */
public record PemTrust(SSLContext context, X509TrustManager trustManager) {

  /**
   * Loads {@code pemFile}.
   *
   * @throws IllegalArgumentException naming the file (after "trustPem: ") if it cannot be read or
   *     holds no certificate
   */
  public static PemTrust load(Path pemFile) {
    try (InputStream in = Files.newInputStream(pemFile)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int n = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca-" + n++, c);
      }
      if (n == 0) {
        throw new IllegalArgumentException("trustPem: " + pemFile + " holds no certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      X509TrustManager x509 = null;
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          x509 = x;
        }
      }
      return new PemTrust(ctx, x509);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "trustPem: cannot read certificates from " + pemFile + ": " + e.getMessage(), e);
    }
  }
}
