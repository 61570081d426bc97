package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The fake server reads SASL responses and checks digests as the RFCs' own examples say. */
class SaslTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void plain_givesTheAuthenticationIdentityAndPassword() {
    assertArrayEquals(
        new String[] {"tim", "tanstaaftanstaaf"},
        Sasl.plainCredentials(utf8("\0tim\0tanstaaftanstaaf")));
    assertArrayEquals(
        new String[] {"tim", ""}, Sasl.plainCredentials(utf8("admin\0tim\0")), "empty password");
    assertNull(Sasl.plainCredentials(utf8("tim\0secret")));
  }

  @Test
  void xoauth2_givesUserAndToken() {
    assertEquals(
        new Sasl.Bearer("alice@example.com", "ya29.x"),
        Sasl.xoauth2(utf8("user=alice@example.com\u0001auth=Bearer ya29.x\u0001\u0001")));
    assertEquals(new Sasl.Bearer(null, null), Sasl.xoauth2(utf8("garbage")));
  }

  @Test
  void oauthBearer_takesTheUserFromTheGs2Header() {
    assertEquals(
        new Sasl.Bearer("alice@example.com", "vF9dft4qmT"),
        Sasl.oauthBearer(
            utf8(
                "n,a=alice@example.com,\u0001host=server.example.com\u0001port=143\u0001"
                    + "auth=Bearer vF9dft4qmT\u0001\u0001")));
  }

  @Test
  void cramMd5Digest_isRfc2195sExample() {
    assertEquals(
        "b913a602c7eda7a495b4e6e7334d3890",
        Sasl.cramMd5Digest("<1896.697170952@postoffice.reston.mci.net>", "tanstaaftanstaaf"));
  }

  @Test
  void apopDigest_isRfc1939sExample() {
    assertEquals(
        "c4c9334bac560ecc979e58001b3e22fb",
        Authorization.apopDigest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"));
  }
}
