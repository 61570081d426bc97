package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.HostileCase;
import dev.mailfetch.testkit.Quirk;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A refused login is "wrong password" only when the server says so with {@code [AUTH]} (RFC 3206).
 * Without it, the server's own words lead ("refused the login and said: …") and the advice names
 * both causes, a wrong password and a fault on the server's side; the same for {@code [IN-USE]},
 * which some servers give for any failure to open the mailbox. The doctor does the same.
 */
@Timeout(60)
class LoginRefusalTest {
  private static FakePop3Server server(Quirk... quirks) {
    return Pop3SourceTest.server(FakeMailbox.create().add("Subject: a\r\n\r\nb\r\n"))
        .quirk(quirks)
        .start();
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  @Test
  void Q54_aLoginRefusedWithoutACode_leadsWithTheServersWords_andNamesBothCauses() {
    try (FakePop3Server s = server(Quirk.Q54_PASS_REFUSED_WITHOUT_CODE)) {
      FetchException e =
          assertThrows(
              FetchException.class, () -> Pop3SourceTest.client(s, Security.NONE).build().open());
      assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
      assertTrue(
          e.detail().contains("refused the login")
              && e.detail().contains("and said: \"message is damaged\""),
          e.detail());
      assertFalse(
          lower(e.detail()).contains("password"), "no claim about the password: " + e.detail());
      String advice = lower(e.remedy().commandLine());
      assertTrue(
          advice.contains("password") && advice.contains("provider"), "both causes: " + advice);
      assertEquals(e.remedy().commandLine(), e.remedy().library(), "names no setting");
    }
  }

  @Test
  void aRefusalWithTheAuthCode_isAWrongUserNameOrPassword() {
    try (FakePop3Server s = server()) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () ->
                  Pop3Source.builder()
                      .host("localhost")
                      .port(s.port())
                      .security(Security.NONE)
                      .allowPlaintextAuthentication(true)
                      .user("alice")
                      .password(() -> "not it")
                      .build()
                      .open());
      assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
      assertTrue(e.detail().contains("rejected the user name or password"), e.detail());
      assertEquals(FetchError.AUTH_FAILED.remedy(), e.remedy());
    }
  }

  @Test
  void Q56_inUseForAnyFailure_leadsWithTheServersWords_andNamesBothCauses() {
    try (FakePop3Server s = server(Quirk.Q56_IN_USE_FOR_ANY_FAILURE)) {
      FetchException e =
          assertThrows(
              FetchException.class, () -> Pop3SourceTest.client(s, Security.NONE).build().open());
      assertEquals(FetchError.LOCKED, e.error(), e.getMessage());
      assertTrue(
          e.detail()
              .contains(
                  "and said: \"Internal login failure. Refer to server log for more"
                      + " information.\""),
          e.detail());
      String advice = lower(e.remedy().commandLine());
      assertTrue(
          advice.contains("another program") && advice.contains("provider"),
          "both causes: " + advice);
    }
  }

  @Test
  void Q37_aRealLock_isStillLocked_inTheServersWords() {
    try (FakePop3Server s = server(Quirk.Q37_LOCKED_IN_USE)) {
      FetchException e =
          assertThrows(
              FetchException.class, () -> Pop3SourceTest.client(s, Security.NONE).build().open());
      assertEquals(FetchError.LOCKED, e.error(), e.getMessage());
      assertTrue(e.detail().contains("Mailbox is locked by another POP3 session."), e.detail());
    }
  }

  @Test
  void theDoctor_doesNotBlameThePassword_forARefusalWithoutACode() {
    try (FakePop3Server s = server(Quirk.Q54_PASS_REFUSED_WITHOUT_CODE)) {
      Diagnosis d =
          Pop3Doctor.builder()
              .source(Pop3SourceTest.client(s, Security.NONE).build())
              .otherPorts()
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(d.found(Symptom.LOGIN_REFUSED), d.report());
      assertFalse(d.found(Symptom.WRONG_CREDENTIALS), d.report());
      assertTrue(d.report().contains("message is damaged"), d.report());
    }
  }

  @Test
  void theDoctor_namesBothCauses_forInUse() {
    try (FakePop3Server s = server(Quirk.Q56_IN_USE_FOR_ANY_FAILURE)) {
      Diagnosis d =
          Pop3Doctor.builder()
              .source(Pop3SourceTest.client(s, Security.NONE).build())
              .otherPorts()
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(d.found(Symptom.MAILBOX_IN_USE), d.report());
      assertTrue(d.report().contains("Internal login failure"), d.report());
      assertTrue(
          lower(Symptom.MAILBOX_IN_USE.cause()).contains("cannot open the mailbox"),
          Symptom.MAILBOX_IN_USE.cause());
    }
  }

  @Test
  void A10_PERMANENT_LOGIN_ERROR_isALastingProblem_neverRefusedForNow() {
    FakePop3Server.Builder b = Pop3SourceTest.server(FakeMailbox.create());
    HostileCase.A10_PERMANENT_LOGIN_ERROR.applyTo(b, null);
    try (FakePop3Server s = b.start()) {
      FetchException e =
          assertThrows(
              FetchException.class, () -> Pop3SourceTest.client(s, Security.NONE).build().open());
      assertEquals(FetchError.SERVER_PERMANENT, e.error(), e.getMessage());
      assertFalse(lower(e.detail()).contains("for now"), e.detail());
      assertTrue(
          e.detail().contains("[SYS/PERM]")
              && e.detail().contains("Your account has been disabled"),
          e.detail());
      assertTrue(
          lower(e.detail()).contains("will not mend") || lower(e.detail()).contains("lasting"),
          e.detail());
    }
  }

  @Test
  void A06_AUTH_ANSWERED_OK_withAPassword_isAProtocolError_neverTryAgainLater() {
    FakePop3Server.Builder b =
        Pop3SourceTest.server(FakeMailbox.create().add("Subject: a\r\n\r\nb\r\n"));
    HostileCase.A06_AUTH_ANSWERED_OK.applyTo(b, null);
    try (FakePop3Server s = b.start()) {
      FetchResult r =
          Fetcher.builder()
              .source(Pop3SourceTest.client(s, Security.NONE).build())
              .sink(InMemorySink.create())
              .uidStore(InMemoryUidStore.create())
              .build()
              .run();
      FetchException e = r.firstError().orElseThrow();
      assertEquals(FetchError.PROTOCOL, e.error(), e.getMessage());
      assertTrue(lower(e.detail()).contains("login") && e.detail().contains("+OK"), e.detail());
      assertFalse(
          lower(e.remedy().commandLine()).contains("try again later"), e.remedy().commandLine());
    }
  }

  /**
   * The login methods allowed are named in one order, whatever order they were given in (review: it
   * varied).
   */
  @Test
  void noCommonLoginMethod_namesTheAllowedOnes_inAStableOrder() {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "pw", FakeMailbox.create())
            .userPass(false)
            .saslMechanisms("CRAM-MD5")
            .start()) {
      Set<String> said = new HashSet<>();
      for (AuthMechanism[] order :
          List.of(
              new AuthMechanism[] {AuthMechanism.USER, AuthMechanism.PLAIN, AuthMechanism.LOGIN},
              new AuthMechanism[] {AuthMechanism.LOGIN, AuthMechanism.USER, AuthMechanism.PLAIN},
              new AuthMechanism[] {AuthMechanism.PLAIN, AuthMechanism.LOGIN, AuthMechanism.USER})) {
        FetchException e =
            assertThrows(
                FetchException.class,
                () -> Pop3SourceTest.client(s, Security.NONE).mechanisms(order).build().open());
        said.add(e.detail().replaceAll(".*\\(allowed: ([^;]*);.*", "$1"));
      }
      assertEquals(Set.of("PLAIN, LOGIN, USER"), said);
    }
  }

  /**
   * An allowed method the credentials cannot use (XOAUTH2 without a token) is not said as "allowed"
   * beside the server's list that holds it; the words say which allowed methods the password can
   * use, what the server offers and what to type, and claim no refusal: nothing was sent.
   */
  @Test
  void noUsableLoginMethod_saysWhichAllowedMethodsThePasswordCanUse_andThatNothingWasSent() {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "pw", FakeMailbox.create())
            .oauthToken("alice", "tok")
            .saslMechanisms("PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER")
            .start()) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () ->
                  Pop3SourceTest.client(s, Security.NONE)
                      .mechanisms(AuthMechanism.XOAUTH2, AuthMechanism.CRAM_MD5)
                      .build()
                      .open());
      assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
      String d = e.detail();
      assertFalse(d.contains("allowed: XOAUTH2"), "XOAUTH2 is not usable without a token: " + d);
      assertTrue(d.contains("CRAM-MD5") && d.contains("XOAUTH2 needs an OAuth token"), d);
      assertTrue(d.contains("the server offers: PLAIN, LOGIN, XOAUTH2, OAUTHBEARER, USER"), d);
      assertTrue(d.contains("no credentials were sent"), d);
      String advice = e.remedy().commandLine();
      assertTrue(
          advice.contains("--auth PLAIN,LOGIN,USER") && advice.contains("--oauth-token-env"),
          advice);
      assertTrue(
          e.remedy()
                  .library()
                  .contains(
                      "mechanisms(AuthMechanism.PLAIN, AuthMechanism.LOGIN,"
                          + " AuthMechanism.USER)")
              && e.remedy().library().contains("oauthTokens("),
          e.remedy().library());
      assertTrue(
          !FetchError.AUTH_FAILED.summary().startsWith("The server refused")
              && FetchError.AUTH_FAILED.summary().contains("no login method"),
          "the code's meaning must fit a login never tried: " + FetchError.AUTH_FAILED.summary());
      assertTrue(
          s.sessions().stream()
              .flatMap(r -> r.commandLines().stream())
              .noneMatch(c -> c.startsWith("AUTH") || c.startsWith("PASS") || c.startsWith("USER")),
          "nothing sent");
    }
  }
}
