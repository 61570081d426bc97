package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.TestCertificates.Profile;
import org.junit.jupiter.api.Test;

class TestCertificatesTest {
  @Test
  void onlyTheProfilesAskedFor_areMade_underTheSameCa() throws Exception {
    TestCertificates certs = TestCertificates.generate(Profile.VALID);
    certs.certificate(Profile.VALID).verify(certs.caCertificate().getPublicKey());
    assertEquals(
        certs.caCertificate().getSubjectX500Principal(),
        certs.certificate(Profile.VALID).getIssuerX500Principal());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> certs.serverContext(Profile.EXPIRED));
    assertTrue(e.getMessage().contains("no EXPIRED certificate"), e.getMessage());
  }

  @Test
  void generate_makesEveryProfile() {
    TestCertificates certs = TestCertificates.generate();
    for (Profile p : Profile.values()) {
      assertEquals(
          p == Profile.SELF_SIGNED,
          certs
              .certificate(p)
              .getIssuerX500Principal()
              .equals(certs.certificate(p).getSubjectX500Principal()),
          p.toString());
    }
  }
}
