package dev.mailfetch.smtp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings of the sinks, until the shared {@code dev.mailfetch.api.internal.tls} takes them.
 */
final class Tls {
  private Tls() {}

  /**
   * A context trusting exactly the CA certificates of a PEM file.
   *
   * @throws IllegalArgumentException naming the file if it cannot be read or holds no certificate
   */
  static SSLContext trustingPem(Path pemFile) {
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
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "trustPem: cannot read certificates from " + pemFile + ": " + e.getMessage(), e);
    }
  }
}
