package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.imap.internal.ImapFailures.Role;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What the big providers say when they slow or refuse a client becomes words a person can act on,
 * in {@link ImapFailures} (the one place): Exchange Online's throttling, Gmail's {@code
 * [THROTTLED]} and daily limit, Exchange's {@code Server Unavailable}, and refused logins at Gmail,
 * Microsoft 365 and Yahoo/AOL.
 */
class ProviderFailuresTest {
  private static TaggedReply reply(String command, String wire) {
    return new TaggedReply(command, ImapLine.of(wire), List.of());
  }

  private static FetchException refused(String server, String command, String wire, Role role) {
    return ImapFailures.refused(reply(command, wire), server, role);
  }

  @Test
  void exchangeThrottling_isTemporary_andSaysHowLongItAsksToWait() {
    String wire = "A7 NO Request is throttled. Suggested Backoff Time: 299961 milliseconds";
    FetchException source = refused("outlook.office365.com:993", "UID FETCH", wire, Role.SOURCE);
    assertEquals(FetchError.SERVER_TEMPORARY, source.error());
    assertTrue(source.getMessage().contains("throttling this account"), source.getMessage());
    assertTrue(source.getMessage().contains("asks to wait 299961 ms"), source.getMessage());
    assertEquals(
        Optional.of(Duration.ofMillis(299961)),
        ImapFailures.suggestedBackoff(reply("UID FETCH", wire)));
    // an APPEND throttled is the destination's trouble, not the message's
    assertEquals(
        FetchError.SINK_FAILED,
        refused(
                "outlook.office365.com:993",
                "APPEND",
                wire.replace("A7 NO", "A7 BAD"),
                Role.DESTINATION)
            .error());
  }

  @Test
  void gmailsThrottled_onAnOk_isToldApart_andOnANo_isTemporary() {
    assertTrue(ImapFailures.throttled(reply("UID FETCH", "A2 OK Success [THROTTLED]")));
    assertFalse(ImapFailures.throttled(reply("UID FETCH", "A2 OK Success")));
    assertEquals(
        FetchError.SERVER_TEMPORARY,
        refused("imap.gmail.com:993", "UID FETCH", "A3 NO [THROTTLED] slow down", Role.SOURCE)
            .error());
  }

  @Test
  void gmailsDailyLimit_isTemporaryForASource_notAFullMailbox() {
    FetchException e =
        refused(
            "imap.gmail.com:993",
            "UID FETCH",
            "A9 NO [OVERQUOTA] Account exceeded command or bandwidth limits. (Failure)",
            Role.SOURCE);
    assertEquals(FetchError.SERVER_TEMPORARY, e.error());
    assertTrue(e.getMessage().contains("daily limit of IMAP traffic"), e.getMessage());
    assertEquals(
        FetchError.SERVER_PERMANENT,
        refused("imap.example.org:993", "UID MOVE", "A9 NO [OVERQUOTA] Quota exceeded", Role.SOURCE)
            .error());
  }

  @Test
  void exchangesServerUnavailable_withoutACode_isTemporary() {
    assertEquals(
        FetchError.SERVER_TEMPORARY,
        refused("outlook.office365.com:993", "SELECT", "A4 NO Server Unavailable. 15", Role.SOURCE)
            .error());
  }

  @Test
  void aRefusedPassword_atTheBigProviders_saysWhatTheyTake() {
    String no = "A1 NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials";
    FetchException yahoo =
        ImapFailures.loginRefused(
            reply("LOGIN", no), "imap.mail.yahoo.com:993", Role.SOURCE, false);
    assertEquals(FetchError.AUTH_FAILED, yahoo.error());
    assertTrue(yahoo.remedy().commandLine().contains("app password"), yahoo.remedy().commandLine());
    assertTrue(
        yahoo.remedy().commandLine().contains("--password-env"), yahoo.remedy().commandLine());
    FetchException microsoft =
        ImapFailures.loginRefused(
            reply("AUTHENTICATE", "A1 NO AUTHENTICATE failed."),
            "outlook.office365.com:993",
            Role.SOURCE,
            false);
    assertTrue(
        microsoft.remedy().library().contains("OAuth (XOAUTH2)"), microsoft.remedy().library());
    FetchException token =
        ImapFailures.loginRefused(
            reply("AUTHENTICATE", "A1 NO AUTHENTICATE failed."),
            "outlook.office365.com:993",
            Role.SOURCE,
            true);
    assertTrue(
        token.remedy().commandLine().contains("IMAP.AccessAsUser.All"),
        token.remedy().commandLine());
    FetchException gmail =
        ImapFailures.loginRefused(reply("LOGIN", no), "imap.gmail.com:993", Role.SOURCE, false);
    assertTrue(
        gmail.remedy().commandLine().contains("App passwords"), gmail.remedy().commandLine());
    FetchException own =
        ImapFailures.loginRefused(reply("LOGIN", no), "mail.example.org:993", Role.SOURCE, false);
    assertFalse(own.remedy().commandLine().contains("app password ("), own.remedy().commandLine());
  }
}
