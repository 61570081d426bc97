package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.tls.TlsFailure.Failed;
import dev.mailfetch.api.internal.tls.TlsFailure.Refused;
import java.io.EOFException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The classification of failed handshakes, on exception chains as the JDK builds them. */
class TlsFailureTest {
  private static final Duration ALLOWED = Duration.ofSeconds(30);

  private static SSLException handshake(String message, Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException(message);
    e.initCause(cause);
    return e;
  }

  private static FetchException of(SSLException e, boolean afterStls, Duration took) {
    return TlsFailure.of(
        e, "pop.example.org:995", "pop.example.org", 995, afterStls, took, ALLOWED);
  }

  @Test
  void anExpiredCertificate_isToldApartFromOneNotYetValid_byTheCauseClass() {
    SSLException expired =
        handshake(
            "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity"
                + " check failed",
            new CertPathValidatorException(
                "validity check failed", new CertificateExpiredException("NotAfter: 2020")));
    SSLException notYet =
        handshake(
            "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity"
                + " check failed",
            new CertPathValidatorException(
                "validity check failed", new CertificateNotYetValidException("NotBefore: 2099")));
    assertEquals(TlsFailure.Kind.EXPIRED, TlsFailure.classify(expired));
    assertEquals(TlsFailure.Kind.NOT_YET_VALID, TlsFailure.classify(notYet));
    FetchException e = of(expired, false, Duration.ofMillis(50));
    assertEquals(FetchError.CERTIFICATE_INVALID, e.error());
    assertEquals(TlsFailure.Check.EXPIRED, assertInstanceOf(TlsFailure.Refused.class, e).check);
    assertEquals("pop.example.org:995's certificate has expired", e.detail());
    assertEquals(
        TlsFailure.Check.NOT_YET_VALID,
        assertInstanceOf(TlsFailure.Refused.class, of(notYet, false, Duration.ZERO)).check);
  }

  @Test
  void aNameMismatch_isWrongHost_andNamesTheHostAsked() {
    SSLException e =
        handshake(
            "No subject alternative DNS name matching pop.example.org found.",
            new CertificateException("No subject alternative DNS name matching pop.example.org"));
    assertEquals(TlsFailure.Kind.WRONG_HOST, TlsFailure.classify(e));
    FetchException f = of(e, false, Duration.ZERO);
    assertEquals(TlsFailure.Check.WRONG_HOST, ((Refused) f).check);
    assertTrue(f.detail().endsWith("another host name than pop.example.org"), f.detail());
  }

  @Test
  void anUnknownAuthority_isUntrusted() {
    SSLException e =
        handshake(
            "PKIX path building failed: unable to find valid certification path to requested"
                + " target",
            null);
    assertEquals(TlsFailure.Kind.UNTRUSTED, TlsFailure.classify(e));
    assertEquals(TlsFailure.Check.UNTRUSTED, ((Refused) of(e, false, Duration.ZERO)).check);
  }

  @Test
  void plainTextInReply_isABrokenStarttlsAfterStls_andAPlainTextPortOtherwise() {
    SSLException e = new SSLException("Unsupported or unrecognized SSL message");
    assertEquals(TlsFailure.Kind.PLAIN_TEXT, TlsFailure.classify(e));
    FetchException afterStls = of(e, true, Duration.ZERO);
    assertEquals(FetchError.TLS_FAILED, afterStls.error());
    assertTrue(
        afterStls.detail().contains("its STARTTLS is broken (quirk Q23)"), afterStls.detail());
    FetchException implicit = of(e, false, Duration.ZERO);
    assertTrue(implicit.detail().contains("does not speak TLS on port 995"), implicit.detail());
  }

  @Test
  void noVersionInCommon_isSaidAsSuch() {
    SSLException e =
        handshake(
            "No appropriate protocol (protocol is disabled or cipher suites are inappropriate)",
            null);
    assertEquals(TlsFailure.Kind.NO_COMMON_VERSION, TlsFailure.classify(e));
    assertTrue(of(e, false, Duration.ZERO).detail().contains("(TLS 1.2 or later is required)"));
  }

  @Test
  void aHandshakeEndedAtOnce_isAnOldServer_butEndedAfterSilence_isNoAnswer() {
    SSLException e =
        handshake("Remote host terminated the handshake", new EOFException("SSL peer shut down"));
    assertEquals(TlsFailure.Kind.ENDED, TlsFailure.classify(e));
    FetchException atOnce = of(e, false, Duration.ofMillis(100));
    assertEquals(FetchError.TLS_FAILED, atOnce.error());
    assertTrue(atOnce.detail().contains("closed the connection during the TLS handshake"));
    FetchException late = of(e, false, Duration.ofSeconds(10));
    assertEquals(FetchError.CONNECTION_TIMED_OUT, late.error());
    assertTrue(late.detail().contains("stayed silent for 10 s, then closed"), late.detail());
  }

  @Test
  void anythingElse_isShownEscaped_withoutAClassName() {
    SSLException e = new SSLException("odd\u0007failure");
    assertEquals(TlsFailure.Kind.OTHER, TlsFailure.classify(e));
    FetchException f = of(e, false, Duration.ZERO);
    assertEquals(FetchError.TLS_FAILED, f.error());
    assertEquals(
        "the TLS handshake with pop.example.org:995 failed: "
            + FetchException.escape("odd\u0007failure"),
        f.detail());
  }

  @Test
  void everyErrorOfAHandshake_carriesItsKind_whichTheMixUpChecksRead() {
    SSLException plain = new SSLException("Unsupported or unrecognized SSL message");
    FetchException implicit = of(plain, false, Duration.ZERO);
    assertEquals(
        TlsFailure.Kind.PLAIN_TEXT, assertInstanceOf(TlsFailure.Failed.class, implicit).kind);
    assertTrue(TlsFailure.plainTextPort(implicit));
    FetchException afterStls = of(plain, true, Duration.ZERO);
    assertEquals(
        TlsFailure.Kind.PLAIN_TEXT, assertInstanceOf(TlsFailure.Failed.class, afterStls).kind);
    assertFalse(TlsFailure.plainTextPort(afterStls), "a broken STARTTLS (Q23) is no wrong port");
    FetchException old = of(handshake("No appropriate protocol", null), false, Duration.ZERO);
    assertTrue(TlsFailure.noVersionInCommon(old));
    assertFalse(TlsFailure.plainTextPort(old));
    FetchException expired =
        of(
            handshake("validity check failed", new CertificateExpiredException("NotAfter")),
            false,
            Duration.ZERO);
    assertEquals(TlsFailure.Kind.EXPIRED, ((Failed) expired).kind);
    FetchException ended =
        of(handshake("Remote host terminated the handshake", null), false, Duration.ZERO);
    assertEquals(TlsFailure.Kind.ENDED, ((Failed) ended).kind);
    FetchException other = of(new SSLException("odd"), false, Duration.ZERO);
    assertEquals(TlsFailure.Kind.OTHER, ((Failed) other).kind);
  }

  @Test
  void theSameWords_inAPlainError_areNoMixUp() {
    FetchException words =
        new FetchException(
            FetchError.TLS_FAILED,
            "pop.example.org:995 does not speak TLS on port 995 (TLS 1.2 or later is required)");
    assertFalse(TlsFailure.plainTextPort(words));
    assertFalse(TlsFailure.noVersionInCommon(words));
  }
}
