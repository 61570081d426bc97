package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Quirk;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How a failed login marks what it was, so that the doctor decides by type, field and quirk, never
 * by the words: the server hung up (Q39), no login method fits ({@link NoLoginMethod}), the server
 * said the credentials are wrong ({@link LoginRefusal#credentials()}), and what it said ({@link
 * LoginRefusal#reply()}).
 */
class LoginMarksTest {
  private static Pop3Source client(FakePop3Server s, String password) {
    return Pop3Source.builder()
        .host("localhost")
        .port(s.port())
        .security(Security.NONE)
        .allowPlaintextAuthentication(true)
        .user("alice")
        .password(() -> password)
        .limits(
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(5))
                .commandTimeout(Duration.ofSeconds(10))
                .build())
        .build();
  }

  @Test
  void Q39_aServerThatHangsUpOnAWrongPassword_raisesAnErrorMarkedQ39() {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "secret", FakeMailbox.create())
            .quirk(Quirk.Q39_CLOSE_ON_AUTH_FAIL)
            .responseCodes(false) // as pop.free.fr: with [AUTH] no other method is tried
            .start()) {
      FetchException e = assertThrows(FetchException.class, () -> client(s, "wrong").open());
      assertEquals(FetchError.AUTH_FAILED, e.error());
      assertEquals(Optional.of(QuirkId.Q39), e.quirk());
    }
  }

  @Test
  void aRefusalWithoutHangingUp_carriesNoQuirk() {
    try (FakePop3Server s =
        FakePop3Server.builder().account("alice", "secret", FakeMailbox.create()).start()) {
      FetchException e = assertThrows(FetchException.class, () -> client(s, "wrong").open());
      assertEquals(FetchError.AUTH_FAILED, e.error());
      assertEquals(Optional.empty(), e.quirk());
    }
  }

  @Test
  void noLoginMethod_isAnAuthFailedOfItsOwnType() {
    FetchException e =
        NoLoginMethod.of(
            "pop.example.org:110",
            EnumSet.of(AuthMechanism.CRAM_MD5),
            true,
            false,
            List.of("PLAIN", "USER"));
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertInstanceOf(NoLoginMethod.class, e);
    FetchException sameWords = new FetchException(FetchError.AUTH_FAILED, e.detail());
    assertFalse(sameWords instanceof NoLoginMethod, "its words alone do not make one");
  }

  @Test
  void aRefusal_saysWhetherTheCredentialsAreWrong_andKeepsTheServersReply() throws Exception {
    LoginRefusal auth =
        LoginRefusal.of("s", Reply.parse("-ERR [AUTH] wrong password", false), "PASS", false);
    assertTrue(auth.credentials());
    assertEquals("-ERR [AUTH] wrong password", auth.reply());
    assertEquals(Optional.of("-ERR [AUTH] wrong password"), auth.serverReply());
    LoginRefusal noCode =
        LoginRefusal.of("s", Reply.parse("-ERR message is damaged", false), "PASS", false);
    assertFalse(noCode.credentials());
    assertEquals("-ERR message is damaged", noCode.reply());
    assertEquals(Optional.empty(), noCode.serverReply(), "its words quote the reply instead");
  }

  @Test
  void anAppPassword_isReadFromTheServersReply_notFromOurWords() throws Exception {
    LoginRefusal withCode =
        LoginRefusal.of(
            "s",
            Reply.parse("-ERR [AUTH] Application-specific password required", false),
            "PASS",
            false);
    assertTrue(LoginStage.sendsToAnAppPassword(withCode));
    LoginRefusal noCode =
        LoginRefusal.of(
            "s", Reply.parse("-ERR Please log in via your web login", false), "PASS", false);
    assertTrue(LoginStage.sendsToAnAppPassword(noCode));
    assertTrue(
        LoginStage.sendsToAnAppPassword(noCode.withConsequence("it was tried twice", null)),
        "a refusal wrapped keeps the reply it wraps");
    FetchException ourWords =
        new FetchException(FetchError.AUTH_FAILED, "use an app password (our words, no reply)");
    assertFalse(LoginStage.sendsToAnAppPassword(ourWords));
    LoginRefusal plain =
        LoginRefusal.of("s", Reply.parse("-ERR [AUTH] wrong password", false), "PASS", false);
    assertFalse(LoginStage.sendsToAnAppPassword(plain));
  }
}
