package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings of the sinks, until the shared {@code dev.mailfetch.api.internal.tls} takes them.
 */
final class Tls {
  private Tls() {}

  /**
   * TLS 1.2 or later over {@code plain}, the certificate checked against the host name (endpoint
   * identification "HTTPS", SNI sent), within the handshake deadline.
   */
  static SSLSocket handshake(Settings s, Socket plain) throws FetchException {
    SSLSocket tls = null;
    try {
      SSLContext ctx = s.sslContext() != null ? s.sslContext() : SSLContext.getDefault();
      tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, s.host(), s.port(), true);
      SSLParameters p = tls.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      tls.setSSLParameters(p);
      tls.setSoTimeout(Math.toIntExact(s.limits().handshakeTimeout().toMillis()));
      tls.startHandshake();
      return tls;
    } catch (SSLHandshakeException e) {
      close(tls, plain);
      throw Failures.tls(s, e.getMessage(), e, certificate(e));
    } catch (SocketTimeoutException e) {
      close(tls, plain);
      throw Failures.sessionLost(s, "did not finish the TLS handshake in time", null, e);
    } catch (IOException | GeneralSecurityException e) {
      close(tls, plain);
      throw Failures.tls(s, String.valueOf(e.getMessage()), e, false);
    }
  }

  private static boolean certificate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateException || t instanceof CertPathValidatorException) {
        return true;
      }
    }
    return false;
  }

  private static void close(Socket tls, Socket plain) {
    try {
      (tls != null ? tls : plain).close();
    } catch (IOException ignored) {
      // the handshake's failure is what is reported
    }
  }

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
