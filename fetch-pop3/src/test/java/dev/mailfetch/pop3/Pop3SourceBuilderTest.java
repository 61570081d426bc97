package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.TestCertificates;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pop3Source.Builder follows the builders' one policy (Require). */
class Pop3SourceBuilderTest {
  @TempDir Path tmp;

  @Test
  void aSettingSetTwice_isRefused_showingTheValueItHas() {
    IllegalStateException host =
        assertThrows(
            IllegalStateException.class,
            () -> Pop3Source.builder().host("pop.example.com").host("pop.example.org"));
    assertEquals("host was already set to pop.example.com", host.getMessage());
    IllegalStateException port =
        assertThrows(IllegalStateException.class, () -> Pop3Source.builder().port(995).port(110));
    assertEquals("port was already set to 995", port.getMessage());
  }

  @Test
  void aPasswordSetTwice_isRefused_withoutShowingIt() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> Pop3Source.builder().password(() -> "first secret").password(() -> "second"));
    assertEquals("password was already set", e.getMessage());
  }

  @Test
  void trustPemAndSslContext_refuseEachOther_byName() throws Exception {
    Path pem = TestCertificates.generate().writeCaPem(tmp);
    IllegalStateException afterPem =
        assertThrows(
            IllegalStateException.class,
            () -> Pop3Source.builder().trustPem(pem).sslContext(context()));
    assertTrue(
        afterPem.getMessage().startsWith("sslContext cannot be combined with trustPem ("),
        afterPem.getMessage());
    assertTrue(afterPem.getMessage().contains(pem.toString()), afterPem.getMessage());
    IllegalStateException afterContext =
        assertThrows(
            IllegalStateException.class,
            () -> Pop3Source.builder().sslContext(context()).trustPem(pem));
    assertTrue(
        afterContext.getMessage().startsWith("trustPem cannot be combined with sslContext"),
        afterContext.getMessage());
    IllegalStateException twice =
        assertThrows(
            IllegalStateException.class, () -> Pop3Source.builder().trustPem(pem).trustPem(pem));
    assertEquals("trustPem was already set to " + pem, twice.getMessage());
    assertFalse(twice.getMessage().contains("sslContext"), twice.getMessage());
  }

  @Test
  void aBadPort_namesTheRange() {
    assertEquals(
        "port must be from 1 to 65535: 70000",
        assertThrows(IllegalArgumentException.class, () -> Pop3Source.builder().port(70_000))
            .getMessage());
  }

  private static SSLContext context() throws NoSuchAlgorithmException {
    return SSLContext.getDefault();
  }
}
