package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.imap.internal.ImapFailures.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each response code becomes its error in one place, with the server's words escaped. */
class ResponseCodeErrorsTest {
  private static FetchException refused(String command, String wire, Role role) {
    return ImapFailures.refused(
        new TaggedReply(command, ImapLine.of(wire), List.of()), "imap.example.org:993", role);
  }

  private static FetchError destination(String command, String wire) {
    return refused(command, wire, Role.DESTINATION).error();
  }

  @Test
  void loginCodes_areAuthFailed() {
    assertEquals(FetchError.AUTH_FAILED, destination("LOGIN", "A1 NO [AUTHENTICATIONFAILED] bad"));
    assertEquals(FetchError.AUTH_FAILED, destination("LOGIN", "A1 NO [AUTHORIZATIONFAILED] no"));
    assertEquals(FetchError.AUTH_FAILED, destination("AUTHENTICATE", "A1 NO [EXPIRED] old"));
    assertEquals(FetchError.AUTH_FAILED, destination("LOGIN", "A1 NO no such user"));
  }

  @Test
  void aFullMailbox_isTheDestinations_SinkFailed_withARemedy() {
    FetchException e = refused("APPEND", "A4 NO [OVERQUOTA] Quota exceeded", Role.DESTINATION);
    assertEquals(FetchError.SINK_FAILED, e.error());
    assertTrue(e.serverReply().orElseThrow().contains("Quota exceeded"));
    assertNotNull(e.remedy());
    assertEquals(FetchError.SINK_FAILED, destination("APPEND", "A4 NO Mailbox is full"));
  }

  @Test
  void aMessageRefusedAlone_isSinkRejected() {
    assertEquals(FetchError.SINK_REJECTED, destination("APPEND", "A4 NO [LIMIT] too big"));
    assertEquals(FetchError.SINK_REJECTED, destination("APPEND", "A4 NO [TOOBIG] too big"));
    assertEquals(FetchError.SINK_REJECTED, destination("APPEND", "A4 NO message has NUL"));
  }

  @Test
  void theServersTroubles_areSinkFailed_forADestination_andServerErrors_forASource() {
    assertEquals(FetchError.SINK_FAILED, destination("APPEND", "A4 NO [UNAVAILABLE] later"));
    assertEquals(FetchError.SINK_FAILED, destination("SELECT", "A4 NO [INUSE] busy"));
    assertEquals(FetchError.SINK_FAILED, destination("APPEND", "A4 NO [TRYCREATE] no folder"));
    assertEquals(FetchError.SINK_FAILED, destination("CREATE", "A4 NO [CANNOT] bad name"));
    assertEquals(FetchError.SINK_FAILED, destination("SELECT", "A4 NO [NONEXISTENT] none"));
    assertEquals(
        FetchError.SERVER_TEMPORARY,
        refused("SELECT", "A4 NO [UNAVAILABLE] later", Role.SOURCE).error());
    assertEquals(FetchError.PROTOCOL, destination("NOOP", "A4 BAD unknown command"));
  }

  @Test
  void theServersWords_areEscaped_andNoClassNameShows() {
    FetchException e =
        refused("APPEND", "A4 NO [OVERQUOTA] \u001b[31mfull\u0007", Role.DESTINATION);
    assertTrue(
        !e.getMessage().contains("\u001b") && !e.getMessage().contains("\u0007"), e.getMessage());
    assertTrue(!e.getMessage().contains("Exception"), e.getMessage());
  }
}
