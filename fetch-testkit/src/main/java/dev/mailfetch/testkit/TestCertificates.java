package dev.mailfetch.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time for a fake server on {@code localhost}: one valid for it under a
 * test CA, and one for each way a certificate can be wrong.
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.generate();
 * FakePop3Server server = FakePop3Server.builder()
 *     .tls(TlsMode.IMPLICIT, certs, TestCertificates.Profile.EXPIRED)
 *     ...
 * // the client trusts certs.caPem() and must still refuse the expired certificate
 * }</pre>
 *
 * <p>Keys are EC P-256, made fresh by each {@link #generate()} (a few milliseconds), and never
 * written anywhere unless a test asks ({@link #writeCaPem}). Only the JDK's own providers are used
 * at run time; BouncyCastle only builds the certificates.
 */
public final class TestCertificates {
  /** What the server's certificate is like. */
  public enum Profile {
    /** Valid now, for {@code localhost} and {@code 127.0.0.1}, issued by the test CA. */
    VALID,
    /** Valid for {@code localhost}, but signed by itself: no CA vouches for it (case T-01). */
    SELF_SIGNED,
    /** Valid for {@code localhost}, issued by a CA the client does not know (case T-02). */
    UNKNOWN_CA,
    /** Issued by the test CA for {@code wrong-host.invalid}, not for localhost (case T-03). */
    WRONG_HOST,
    /** Issued by the test CA for localhost, but it expired yesterday (case T-04). */
    EXPIRED,
    /** Issued by the test CA for localhost, but valid only from tomorrow (case T-04). */
    NOT_YET_VALID,
    /**
     * Issued by the test CA for {@code localhost\0.evil.example}: a NUL inside the name (case T-05,
     * fetchmail CVE-2009-2666).
     */
    NUL_IN_NAME,
    /**
     * Valid for localhost, but its subject holds ANSI escapes, control and 8-bit characters, as
     * printed in logs (case T-08).
     */
    HOSTILE_SUBJECT,
    /**
     * Valid for localhost under the test CA, with another key than {@link #VALID}: what a client
     * that pinned VALID must refuse (case T-09).
     */
    VALID_OTHER_KEY
  }

  private static final String HOST = "localhost";

  private final KeyPair caKeys;
  private final X509Certificate ca;
  private final Map<Profile, KeyStore> serverKeys = new EnumMap<>(Profile.class);
  private final Map<Profile, X509Certificate> leaves = new EnumMap<>(Profile.class);

  private TestCertificates(Set<Profile> profiles)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant now = Instant.now();
    caKeys = keyPair();
    ca =
        certificate(
            "CN=mailfetch test CA",
            caKeys,
            "CN=mailfetch test CA",
            caKeys,
            now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(365)),
            true,
            null);
    // The unknown CA only for the profile it signs: each key pair costs (the demo makes two).
    KeyPair unknownCaKeys = profiles.contains(Profile.UNKNOWN_CA) ? keyPair() : null;
    X509Certificate unknownCa =
        unknownCaKeys == null
            ? null
            : certificate(
                "CN=unknown test CA",
                unknownCaKeys,
                "CN=unknown test CA",
                unknownCaKeys,
                now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)),
                true,
                null);
    for (Profile p : profiles) {
      KeyPair leafKeys = keyPair();
      Instant from = now.minus(Duration.ofDays(1));
      Instant to = now.plus(Duration.ofDays(30));
      String host = HOST;
      String subject = null;
      String issuer = "CN=mailfetch test CA";
      KeyPair signer = caKeys;
      X509Certificate chainCa = ca;
      switch (p) {
        case SELF_SIGNED:
          issuer = "CN=" + HOST;
          signer = leafKeys;
          chainCa = null;
          break;
        case UNKNOWN_CA:
          issuer = "CN=unknown test CA";
          signer = unknownCaKeys;
          chainCa = unknownCa;
          break;
        case WRONG_HOST:
          host = "wrong-host.invalid";
          break;
        case EXPIRED:
          from = now.minus(Duration.ofDays(30));
          to = now.minus(Duration.ofDays(1));
          break;
        case NOT_YET_VALID:
          from = now.plus(Duration.ofDays(1));
          to = now.plus(Duration.ofDays(30));
          break;
        case NUL_IN_NAME:
          host = HOST + "\0.evil.example";
          break;
        case HOSTILE_SUBJECT:
          subject =
              "CN=localhost \u001b[31mRED\u001b[0m %n%s \u00ff\u00fe \u0007 ${jndi:ldap://127.0.0.1/x}";
          break;
        default:
          break;
      }
      X509Certificate leaf =
          certificate(
              subject != null ? subject : "CN=" + host,
              leafKeys,
              issuer,
              signer,
              from,
              to,
              false,
              host);
      leaves.put(p, leaf);
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      Certificate[] chain =
          chainCa == null ? new Certificate[] {leaf} : new Certificate[] {leaf, chainCa};
      ks.setKeyEntry("server", leafKeys.getPrivate(), new char[0], chain);
      serverKeys.put(p, ks);
    }
  }

  /** Makes a fresh test CA and a certificate of every {@link Profile}. */
  public static TestCertificates generate() {
    return generate(EnumSet.allOf(Profile.class));
  }

  /**
   * Makes a fresh test CA and a certificate of each profile given, no other (the demo needs only
   * {@link Profile#VALID}, and each key pair and signature costs at start-up); asking for the
   * certificate or context of another profile is an {@link IllegalArgumentException}.
   */
  public static TestCertificates generate(Profile first, Profile... more) {
    return generate(EnumSet.of(first, more));
  }

  private static TestCertificates generate(Set<Profile> profiles) {
    try {
      return new TestCertificates(profiles);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("could not generate test certificates", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The test CA's certificate in PEM: trust it and {@link Profile#VALID} is accepted. */
  public String caPem() {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(ca.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@link #caPem()} to {@code dir/mailfetch-test-ca.pem} and returns the path. */
  public Path writeCaPem(Path dir) throws IOException {
    Path file = dir.resolve("mailfetch-test-ca.pem");
    Files.writeString(file, caPem(), StandardCharsets.US_ASCII);
    return file;
  }

  /**
   * Writes a profile's certificate chain and private key as PEM files, for a real server (such as
   * Dovecot) to present: {@code certFile} holds the certificate and, where there is one, its CA;
   * {@code keyFile} the PKCS #8 private key, readable by the owner only.
   */
  public void writeServerPem(Profile profile, Path certFile, Path keyFile) throws IOException {
    try {
      KeyStore ks = serverKeys(profile);
      StringBuilder chain = new StringBuilder();
      for (Certificate c : ks.getCertificateChain("server")) {
        chain.append(pem("CERTIFICATE", c.getEncoded()));
      }
      Files.writeString(certFile, chain, StandardCharsets.US_ASCII);
      byte[] key = ks.getKey("server", new char[0]).getEncoded();
      Files.writeString(keyFile, pem("PRIVATE KEY", key), StandardCharsets.US_ASCII);
      try {
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // a file system without POSIX permissions: nothing more to restrict
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes a profile's key and certificate chain as a PKCS #12 key store (for a server configured
   * by a key store file, such as GreenMail), protected by {@code password}.
   */
  public void writeServerKeyStore(Profile profile, Path file, char[] password) throws IOException {
    try {
      KeyStore source = serverKeys(profile);
      KeyStore out = KeyStore.getInstance("PKCS12");
      out.load(null, null);
      out.setKeyEntry(
          "server",
          source.getKey("server", new char[0]),
          password,
          source.getCertificateChain("server"));
      try (OutputStream o = Files.newOutputStream(file)) {
        out.store(o, password);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** The test CA's certificate. */
  public X509Certificate caCertificate() {
    return ca;
  }

  /** The server certificate of a profile. */
  public X509Certificate certificate(Profile profile) {
    serverKeys(profile);
    return leaves.get(profile);
  }

  private KeyStore serverKeys(Profile profile) {
    KeyStore ks = serverKeys.get(profile);
    if (ks == null) {
      throw new IllegalArgumentException(
          "no " + profile + " certificate: these were generated for " + serverKeys.keySet());
    }
    return ks;
  }

  /** A trust store holding only the test CA. */
  public KeyStore trustStore() {
    try {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("mailfetch-test-ca", ca);
      return ts;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client context that trusts only the test CA, with the JDK's usual checks. */
  public SSLContext clientContext() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server side's context for a profile: it presents that profile's certificate. */
  public SSLContext serverContext(Profile profile) {
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(serverKeys(profile), new char[0]);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate certificate(
      String subject,
      KeyPair subjectKeys,
      String issuer,
      KeyPair issuerKeys,
      Instant from,
      Instant to,
      boolean isCa,
      String host)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
            Date.from(from),
            Date.from(to),
            new X500Name(subject),
            subjectKeys.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(
        Extension.subjectKeyIdentifier,
        false,
        ext.createSubjectKeyIdentifier(subjectKeys.getPublic()));
    b.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        ext.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (isCa) {
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      GeneralName[] names =
          HOST.equals(host)
              ? new GeneralName[] {
                new GeneralName(GeneralName.dNSName, host),
                new GeneralName(
                    GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())
              }
              : new GeneralName[] {new GeneralName(GeneralName.dNSName, host)};
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }
    ContentSigner signer =
        new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }
}
