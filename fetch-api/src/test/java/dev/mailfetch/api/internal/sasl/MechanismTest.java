package dev.mailfetch.api.internal.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Each mechanism against its specification's published example, where there is one. */
class MechanismTest {
  private static final String OAUTH_TOKEN = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] unb64(String text) {
    return Base64.getDecoder().decode(text);
  }

  @Test
  void plain_sendsRfc4616sExample() throws FetchException {
    SaslMechanism m = SaslMechanism.plain("tim", () -> "tanstaaftanstaaf");
    assertEquals("PLAIN", m.name());
    assertTrue(m.clientFirst());
    // RFC 4616 §4: <NUL>tim<NUL>tanstaaftanstaaf
    assertEquals("AHRpbQB0YW5zdGFhZnRhbnN0YWFm", b64(m.initialResponse()));
  }

  @Test
  void plain_cancelsAChallengeAfterItsMessage() throws FetchException {
    SaslMechanism m = SaslMechanism.plain("tim", () -> "tanstaaftanstaaf");
    assertEquals(Optional.empty(), m.respond("{\"status\":\"401\"}".getBytes(UTF_8)));
    assertFalse(m.credentialExpired("{\"status\":\"401\"}".getBytes(UTF_8)));
  }

  @Test
  void plain_encodesTheUserNameInUtf8() throws FetchException {
    SaslMechanism m = SaslMechanism.plain("jörg", () -> "pässword");
    assertArrayEquals("\0jörg\0pässword".getBytes(UTF_8), m.initialResponse());
  }

  @Test
  void login_answersTheUserNameThenThePassword_whateverThePromptsSay() throws FetchException {
    AtomicInteger asked = new AtomicInteger();
    SaslMechanism m =
        SaslMechanism.login(
            "tim",
            () -> {
              asked.incrementAndGet();
              return "tanstaaftanstaaf";
            });
    assertEquals("LOGIN", m.name());
    assertFalse(m.clientFirst());
    assertThrows(IllegalStateException.class, m::initialResponse);
    assertEquals("dGlt", b64(m.respond(unb64("VXNlcm5hbWU6")).orElseThrow()));
    assertEquals(0, asked.get(), "the password is not asked for before the server wants it");
    assertEquals("dGFuc3RhYWZ0YW5zdGFhZg==", b64(m.respond(new byte[0]).orElseThrow()));
    assertEquals(1, asked.get());
    assertEquals(Optional.empty(), m.respond(unb64("UGFzc3dvcmQ6")), "a third challenge");
  }

  @Test
  void cramMd5_answersRfc2195sWorkedExample() throws FetchException {
    SaslMechanism m = SaslMechanism.cramMd5("tim", () -> "tanstaaftanstaaf");
    assertEquals("CRAM-MD5", m.name());
    assertFalse(m.clientFirst());
    assertThrows(IllegalStateException.class, m::initialResponse);
    // RFC 2195 §2: S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
    //              C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
    byte[] challenge = unb64("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    assertEquals("<1896.697170952@postoffice.reston.mci.net>", new String(challenge, UTF_8));
    byte[] answer = m.respond(challenge).orElseThrow();
    assertEquals("tim b913a602c7eda7a495b4e6e7334d3890", new String(answer, UTF_8));
    assertEquals("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw", b64(answer));
  }

  @Test
  void cramMd5_cancelsAnEmptyChallenge_withoutAskingForThePassword() throws FetchException {
    SaslMechanism m =
        SaslMechanism.cramMd5(
            "tim",
            () -> {
              throw new AssertionError("the password was asked for");
            });
    assertEquals(Optional.empty(), m.respond(new byte[0]));
  }

  @Test
  void aPasswordSourcesError_reachesTheCaller() {
    Password none =
        () -> {
          throw new FetchException(FetchError.CONFIGURATION, "no password");
        };
    FetchException e =
        assertThrows(
            FetchException.class, () -> SaslMechanism.plain("tim", none).initialResponse());
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertThrows(
        FetchException.class, () -> SaslMechanism.cramMd5("tim", none).respond(new byte[] {'x'}));
  }

  @Test
  void oauthBearer_sendsRfc7628sExample() throws FetchException {
    SaslMechanism m =
        SaslMechanism.oauthBearer("user@example.com", "server.example.com", 143, OAUTH_TOKEN);
    assertEquals("OAUTHBEARER", m.name());
    assertTrue(m.clientFirst());
    // RFC 7628 §4.1
    assertEquals(
        "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZG"
            + "OWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB",
        b64(m.initialResponse()));
  }

  @Test
  void oauthBearer_readsRfc7628sErrorAndAcknowledgesIt() throws FetchException {
    SaslMechanism m =
        SaslMechanism.oauthBearer("user@example.com", "server.example.com", 143, OAUTH_TOKEN);
    // RFC 7628 §4.3 (a failed exchange): the server's error, then the client's dummy response %x01
    // ("AQ==").
    byte[] error =
        unb64(
            "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRp"
                + "b24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=");
    assertTrue(m.credentialExpired(error));
    assertEquals("AQ==", b64(m.respond(error).orElseThrow()));
  }

  @Test
  void xoauth2_sendsGooglesFormat() throws FetchException {
    SaslMechanism m =
        SaslMechanism.xoauth2(
            "someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
    assertEquals("XOAUTH2", m.name());
    assertTrue(m.clientFirst());
    // Google's "OAuth 2.0 Mechanism" page (developers.google.com/gmail/imap/xoauth2-protocol)
    assertEquals(
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJo"
            + "ZG1semRHRXVZMjl0Q2cBAQ==",
        b64(m.initialResponse()));
  }

  @Test
  void xoauth2_readsGooglesErrorAndAnswersItEmpty() throws FetchException {
    SaslMechanism m = SaslMechanism.xoauth2("someuser@example.com", "ya29.x");
    byte[] error =
        unb64(
            "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==");
    assertEquals(
        "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}",
        new String(error, UTF_8));
    assertTrue(m.credentialExpired(error));
    assertArrayEquals(new byte[0], m.respond(error).orElseThrow());
  }

  @Test
  void anOAuthErrorOtherThanAnExpiredToken_isNotReadAsOne() {
    byte[] scope =
        "{\"status\":\"insufficient_scope\",\"scope\":\"https://mail.google.com/\"}"
            .getBytes(UTF_8);
    byte[] forbidden = "{\"status\":\"400\"}".getBytes(UTF_8);
    for (SaslMechanism m :
        List.of(SaslMechanism.xoauth2("u", "t"), SaslMechanism.oauthBearer("u", "h", 995, "t"))) {
      assertFalse(m.credentialExpired(scope), m.name());
      assertFalse(m.credentialExpired(forbidden), m.name());
      assertFalse(m.credentialExpired(new byte[0]), m.name());
    }
  }

  @Test
  void noSecretIsInAMechanismsToString() {
    for (SaslMechanism m :
        List.of(
            SaslMechanism.plain("tim", () -> "s3cret"),
            SaslMechanism.login("tim", () -> "s3cret"),
            SaslMechanism.cramMd5("tim", () -> "s3cret"),
            SaslMechanism.xoauth2("tim", "s3cret"),
            SaslMechanism.oauthBearer("tim", "h", 995, "s3cret"))) {
      assertFalse(m.toString().contains("s3cret"), m.toString());
      assertTrue(m.toString().startsWith(m.name()), m.toString());
    }
  }
}
