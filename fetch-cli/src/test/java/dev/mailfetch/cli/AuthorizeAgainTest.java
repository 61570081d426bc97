package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.gmail.OAuthFailure;
import org.junit.jupiter.api.Test;

/** The command that authorizes again is advised for the authorization's failures only. */
class AuthorizeAgainTest {
  private final AuthorizeAgain again = new AuthorizeAgain("mailfetch oauth google me@gmail.com");

  @Test
  void aLabelGmailRefuses_getsNoAuthorizeAgainAdvice() {
    FetchException label =
        new FetchException(
            FetchError.CONFIGURATION,
            "Gmail refused to create the label \"Work/\":" + " Invalid label name",
            null,
            null,
            Remedy.of("Choose another label name (--label, --label-rule)."));
    assertFalse(again.advise(label).remedy().commandLine().contains("To authorize again"));
    FetchException journal =
        new FetchException(
            FetchError.CONFIGURATION,
            "another Gmail sink uses the journal" + " directory /x",
            null,
            null,
            Remedy.of("Give each its own state."));
    assertFalse(again.advise(journal).remedy().commandLine().contains("To authorize again"));
  }

  /**
   * A refused password is advised with where it was read, once, after the library's advice; other
   * failures, a server's CONFIGURATION among them, are not.
   */
  @Test
  void aRefusedPassword_isAdvisedWithWhereItWasRead_once() {
    AuthorizeAgain from = AuthorizeAgain.passwordFrom("the first line of /p/pw");
    FetchException refused =
        new FetchException(
            FetchError.AUTH_FAILED, "the server refused the login", "-ERR [AUTH] no", null, null);
    FetchException advised = from.advise(refused);
    assertEquals(
        FetchError.AUTH_FAILED.remedy().commandLine()
            + " The password was read from the first line of /p/pw.",
        advised.remedy().commandLine());
    assertEquals(refused.detail(), advised.detail(), "the words and the server's reply kept");
    assertEquals(advised.remedy(), from.advise(advised).remedy(), "said once");
    FetchException refusedConnection =
        new FetchException(FetchError.CONNECTION_REFUSED, "nothing listens", null, null, null);
    assertSame(refusedConnection, from.advise(refusedConnection));
  }

  @Test
  void anotherMailbox_andARefusedGrant_getTheCommand() {
    FetchException other =
        new OAuthFailure(
            OAuthFailure.Reason.ANOTHER_MAILBOX,
            FetchError.CONFIGURATION,
            "the access token opens the Gmail mailbox" + " other@gmail.com, not me@gmail.com",
            null,
            Remedy.of("Authorize the right account."));
    assertTrue(
        again
            .advise(other)
            .remedy()
            .commandLine()
            .contains("To authorize again: mailfetch oauth google"));
    FetchException revoked =
        new FetchException(
            FetchError.AUTH_FAILED, "invalid_grant", null, null, Remedy.of("Authorize again."));
    assertTrue(
        again
            .advise(revoked)
            .remedy()
            .commandLine()
            .contains("To authorize again: mailfetch oauth google"));
  }

  @Test
  void anotherMailbox_isToldByItsReason_evenSaidInContext_neverByItsWords() {
    FetchException marked =
        new OAuthFailure(
            OAuthFailure.Reason.ANOTHER_MAILBOX,
            FetchError.CONFIGURATION,
            "the access token opens the Gmail mailbox other@gmail.com, not me@gmail.com",
            null,
            Remedy.of("Authorize the right account."));
    assertTrue(
        again
            .advise(marked.inContext("importing message 3"))
            .remedy()
            .commandLine()
            .contains("To authorize again: mailfetch oauth google"));
    FetchException words =
        new FetchException(
            FetchError.CONFIGURATION,
            "the access token opens the Gmail mailbox other@gmail.com, not me@gmail.com",
            null,
            null,
            Remedy.of("Authorize the right account."));
    assertFalse(again.advise(words).remedy().commandLine().contains("To authorize again"));
  }
}
