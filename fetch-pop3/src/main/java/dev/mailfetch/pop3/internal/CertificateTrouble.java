package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.tls.ChainRecorder;
import dev.mailfetch.api.internal.tls.TlsFailure.Refused;
import dev.mailfetch.pop3.Security;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * What a refused certificate says, for the error a fetch stops with: the names it holds (a host
 * name that does not match), who issued it (a CA file that holds another authority), its dates. The
 * JDK's refusal names none of it, so a second connection goes as far as the certificate, records it
 * and refuses it whatever it is (nothing of the login is sent), as the doctor's does; only after a
 * fetch failed on a certificate, never on the way of one that works.
 */
public final class CertificateTrouble {
  private CertificateTrouble() {}

  /**
   * {@code e} with what the certificate says, where {@code e} refused one; else {@code e} itself.
   *
   * @param caFileGiven whether the certificates trusted come from a file given (trustPem, the
   *     command's --ca-file), so that an unknown authority means the file holds another one
   */
  public static FetchException explain(FetchException e, Pop3Settings s, boolean caFileGiven) {
    if (!(e instanceof Refused refused)) {
      return e;
    }
    X509Certificate[] chain = record(s);
    if (chain == null || chain.length == 0) {
      return e;
    }
    X509Certificate leaf = chain[0];
    String issuer = FetchException.escape(leaf.getIssuerX500Principal().getName());
    boolean selfSigned =
        chain.length == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal());
    switch (refused.check) {
      case WRONG_HOST:
        return again(refused, e.detail() + "; it holds the names " + names(leaf), e.remedy());
      case EXPIRED:
        return again(
            refused, e.detail() + " (on " + leaf.getNotAfter().toInstant() + ")", e.remedy());
      case NOT_YET_VALID:
        return again(
            refused,
            e.detail() + "; it is valid from " + leaf.getNotBefore().toInstant(),
            e.remedy());
      default:
        break;
    }
    if (caFileGiven) {
      return again(
          refused,
          e.detail()
              + ": it was issued by "
              + issuer
              + (selfSigned ? " (itself)" : "")
              + ", which the certificate file given does not hold",
          Remedy.of(
              "The file given with --ca-file does not hold the authority that issued the server's certificate ("
                  + issuer
                  + "): give the file of that authority (its administrator has it), or check that this is the server you"
                  + " mean. mailfetch never switches certificate checks off.",
              "The PEM file given to trustPem(Path) does not hold the authority that issued the server's certificate ("
                  + issuer
                  + "): give the file of that authority (its administrator has it), or check that this is the"
                  + " server you mean. Certificate checks are never switched off."));
    }
    if (selfSigned) {
      return again(
          refused,
          e.detail() + ": it is self-signed (" + issuer + ")",
          Remedy.of(
              "If this is your own or a private server, trust its certificate with --ca-file FILE (the certificate as"
                  + " PEM, from its administrator); otherwise do not connect: someone may be in the way.",
              "If this is your own or a private server, trust its certificate with the source builder's trustPem(Path)"
                  + " (the certificate as PEM, from its administrator); otherwise do not connect: someone may be in the"
                  + " way."));
    }
    return again(
        refused,
        e.detail() + ": it was issued by " + issuer,
        Remedy.of(
            "If this is a private server, trust its authority with --ca-file FILE (that authority's certificate as PEM,"
                + " from its administrator); otherwise tell the provider to send the full chain of certificates.",
            "If this is a private server, trust its authority with the source builder's trustPem(Path) (that"
                + " authority's certificate as PEM, from its administrator); otherwise tell the provider to send the full"
                + " chain of certificates."));
  }

  private static FetchException again(Refused e, String detail, Remedy remedy) {
    return new Refused(e.check, detail, e.getCause(), remedy);
  }

  /** The chain the server sends, from a second connection that refuses it; null if none came. */
  private static X509Certificate[] record(Pop3Settings s) {
    ChainRecorder recorder = new ChainRecorder(null);
    SSLContext ctx;
    try {
      ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {recorder}, null);
    } catch (GeneralSecurityException e) {
      return null;
    }
    Pop3Connection probe =
        new Pop3Connection(
            s.toBuilder()
                .password(null)
                .tokens(null)
                .mechanisms(Set.of())
                .allowPlaintext(false)
                .sslContext(ctx)
                .pipelining(false)
                .build(),
            new ServerMemory());
    try {
      probe.connectTcp();
      if (s.security() == Security.IMPLICIT_TLS) {
        probe.handshake();
      } else {
        Greeting.greet(probe);
        Greeting.capa(probe);
        Greeting.startTls(probe);
      }
    } catch (FetchException | RuntimeException expected) {
      // the recorder refuses every chain: the handshake fails once it has seen the certificate
    } finally {
      probe.close();
    }
    return recorder.chain();
  }

  /** The names a certificate holds (its subject alternative names, else its subject), escaped. */
  static String names(X509Certificate c) {
    Set<String> out = new LinkedHashSet<>();
    try {
      if (c.getSubjectAlternativeNames() != null) {
        for (List<?> san : c.getSubjectAlternativeNames()) {
          out.add(String.valueOf(san.get(1)));
        }
      }
    } catch (CertificateParsingException e) {
      // fall back to the subject
    }
    if (out.isEmpty()) {
      out.add(c.getSubjectX500Principal().getName());
    }
    return FetchException.escape(String.join(", ", out));
  }
}
