package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.internal.ScriptedServerTest.Scripted;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code * PREAUTH} greeting (logged in by the server; a downgrade where TLS is required) and the
 * {@code [ALERT]}s a person must read (in {@code check()}'s steps and in the session's errors),
 * against a few lines of a scripted server.
 */
@Timeout(20)
class ImapGreetingAndAlertTest {
  private static ImapSettings settings(int port, ImapSecurity security) {
    return new ImapSettings(
        "localhost",
        port,
        security,
        GreenMailImap.CERTS.clientContext(),
        ImapLimits.defaults(),
        "alice",
        () -> "secret-password",
        null,
        true,
        null);
  }

  private static String tag(String line) {
    return line.substring(0, line.indexOf(' '));
  }

  /** Answers each command OK (LIST with INBOX) until LOGOUT or the end. */
  private static void answerAll(BufferedReader in, PrintStream out, String beforeList)
      throws Exception {
    for (String l = in.readLine(); l != null; l = in.readLine()) {
      String t = tag(l);
      if (l.contains(" LIST ")) {
        out.print(beforeList + "* LIST () \"/\" INBOX\r\n");
      }
      if (l.endsWith("LOGOUT")) {
        out.print("* BYE bye\r\n" + t + " OK done\r\n");
        return;
      }
      out.print(t + " OK done\r\n");
    }
  }

  @Test
  void preauthGreetingIsLoggedInWithoutSendingACredential() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS] logged in as alice\r\n");
              answerAll(in, out, "");
            })) {
      List<String> steps =
          new AppendServer(settings(srv.port(), ImapSecurity.NONE), null).check("INBOX");
      srv.finish();
      assertEquals(
          "logged in as alice with the server's PREAUTH greeting (no login needed)",
          steps.get(1),
          steps.toString());
      assertTrue(steps.contains("folder INBOX exists"), steps.toString());
      assertTrue(
          srv.heard.stream().noneMatch(l -> l.contains("LOGIN") || l.contains("AUTHENTICATE")),
          "no credential sent: " + srv.heard);
    }
  }

  @Test
  void preauthOnPlainTextWhereStarttlsIsRequiredIsRefusedAsADowngrade() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in as alice\r\n");
              in.readLine();
            })) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () -> ImapSession.open(settings(srv.port(), ImapSecurity.STARTTLS)));
      srv.finish();
      assertEquals(FetchError.TLS_REQUIRED_NOT_OFFERED, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("greeted with PREAUTH"), e.getMessage());
      assertTrue(srv.heard.isEmpty(), "nothing was sent: " + srv.heard);
    }
  }

  @Test
  void alertsAreStepsOfTheCheck() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS] hi\r\n");
              answerAll(in, out, "* OK [ALERT] Your mailbox moves to a new server on Monday\r\n");
            })) {
      List<String> steps =
          new AppendServer(settings(srv.port(), ImapSecurity.NONE), null).check("INBOX");
      srv.finish();
      assertEquals(
          "the server's alert: \"Your mailbox moves to a new server on Monday\"",
          steps.get(steps.size() - 1),
          steps.toString());
    }
  }

  @Test
  void alertsAreInTheWordsOfTheSessionsErrors() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* OK [ALERT] Maintenance at 22:00 UTC\r\n");
              String l = in.readLine(); // CAPABILITY
              out.print("* CAPABILITY IMAP4rev1\r\n" + tag(l) + " OK done\r\n");
              l = in.readLine(); // NOOP
              out.print(tag(l) + " NO [UNAVAILABLE] try later\r\n");
              in.readLine();
            })) {
      try (ImapSession session = ImapSession.open(settings(srv.port(), ImapSecurity.NONE))) {
        FetchException e =
            assertThrows(
                FetchException.class, () -> session.expectOk(ImapCommand.of("NOOP").build()));
        assertTrue(
            e.getMessage().contains("; the server's alert: \"Maintenance at 22:00 UTC\""),
            e.getMessage());
        assertEquals("NO [UNAVAILABLE] try later", e.serverReply().orElse(null));
      }
    }
  }
}
