package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.imap.ImapSecurity;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Connect, capabilities and login against GreenMail's IMAP in the JVM. */
class GreenMailLoginTest {
  private static GreenMailImap server;

  @BeforeAll
  static void start() {
    server = new GreenMailImap();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theLoginCommand_logsIn_andTheCapabilitiesAreReadAgain() throws Exception {
    try (ImapSession s = ImapSession.open(server.plain())) {
      assertTrue(s.capabilities().has("IMAP4rev1"), s.capabilities().toString());
      assertEquals(LoginMethod.LOGIN, s.login(List.of(LoginMethod.LOGIN)));
      assertTrue(s.capabilities().has("IMAP4rev1"));
      s.commands().noop();
      s.logout();
    }
  }

  @Test
  void authenticateXoauth2_throughTheSharedSasl_logsIn() throws Exception {
    // GreenMail's AUTHENTICATE knows XOAUTH2 only, and takes the password as the token.
    ImapSettings p = server.plain();
    ImapSettings withToken =
        new ImapSettings(
            p.host(),
            p.port(),
            p.security(),
            null,
            p.limits(),
            p.user(),
            null,
            () -> GreenMailImap.PASSWORD,
            true,
            null);
    try (ImapSession s = ImapSession.open(withToken)) {
      assertTrue(s.capabilities().has("AUTH=XOAUTH2"), s.capabilities().toString());
      assertEquals(LoginMethod.XOAUTH2, s.login());
      s.commands().noop();
    }
  }

  @Test
  void aWrongPassword_isAuthFailed_withTheServersWords() throws Exception {
    try (ImapSession s =
        ImapSession.open(server.settings(server.imapPort(), ImapSecurity.NONE, () -> "no"))) {
      FetchException e =
          assertThrows(FetchException.class, () -> s.login(List.of(LoginMethod.LOGIN)));
      assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
      assertTrue(e.serverReply().isPresent(), e.getMessage());
    }
  }

  @Test
  void implicitTls_checksTheCertificate_andLogsIn() throws Exception {
    try (ImapSession s = ImapSession.open(server.implicitTls())) {
      assertTrue(s.tlsVersion().isPresent());
      assertEquals(LoginMethod.LOGIN, s.login());
    }
  }
}
