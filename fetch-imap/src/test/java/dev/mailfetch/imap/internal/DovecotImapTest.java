package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.RequiresDovecot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core against a private Dovecot IMAP on loopback: login over implicit TLS and STARTTLS, APPEND
 * with LITERAL+ and with synchronizing literals, each message read back from Dovecot's own Maildir
 * byte for byte (Dovecot stores LF line ends, docs/testkit.md).
 */
@RequiresDovecot(PrivateDovecot.Service.IMAP)
class DovecotImapTest {
  private static PrivateDovecot dovecot;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP), maildir -> {}, GreenMailImap.CERTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.stop();
    }
  }

  private static ImapSettings settings(int port, ImapSecurity security) {
    return new ImapSettings(
        "localhost",
        port,
        security,
        GreenMailImap.CERTS.clientContext(),
        ImapLimits.defaults(),
        PrivateDovecot.USER,
        () -> PrivateDovecot.PASSWORD,
        null,
        false,
        null);
  }

  private static byte[] message(String id, String body) {
    return ("From: bob@example.org\r\nTo: alice@localhost\r\nSubject: Dovecot "
            + id
            + "\r\nMessage-ID: <"
            + id
            + "@imapcore.test>\r\n\r\n"
            + body
            + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void implicitTls_authenticatePlain_andLiteralPlusAppends_readBackFromTheMaildir()
      throws Exception {
    String folder = "core-plus";
    List<byte[]> sent = new ArrayList<>();
    try (ImapSession s =
        ImapSession.open(settings(dovecot.imapsPort(), ImapSecurity.IMPLICIT_TLS))) {
      assertTrue(s.capabilities().has("LITERAL+"), s.capabilities().toString());
      assertEquals(LoginMethod.AUTHENTICATE_PLAIN, s.login());
      assertEquals(".", s.delimiter().orElseThrow());
      s.ok(s.commands().create(folder));
      List<String> tags = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        byte[] m = message("plus-" + i, "body \u00e9 " + i + "\r\n" + "x".repeat(i * 5000));
        sent.add(m);
        tags.add(
            s.commands()
                .append(
                    folder,
                    new ImapCommands.Message(List.of("\\Seen"), null, LiteralSource.of(m))));
      }
      for (String tag : tags) {
        TaggedReply r = s.ok(s.await(tag));
        assertTrue(ImapCommands.appendUid(r).isPresent(), "UIDPLUS: " + r.line().wire());
      }
      s.logout();
    }
    // Maildir's file names do not keep the order of pipelined APPENDs that land in one second:
    // compare the two sets of messages, each in byte order.
    List<byte[]> stored = new ArrayList<>(dovecot.messages(folder));
    List<byte[]> expected = new ArrayList<>();
    for (byte[] m : sent) {
      expected.add(PrivateDovecot.storedForm(m));
    }
    stored.sort(Arrays::compare);
    expected.sort(Arrays::compare);
    assertEquals(expected.size(), stored.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), stored.get(i), "message " + i + " in byte order");
    }
  }

  @Test
  void starttls_login_andASynchronizingLiteral_readBackFromTheMaildir() throws Exception {
    String folder = "core-sync";
    byte[] m = message("sync", "waited for the server's +");
    try (ImapSession s = ImapSession.open(settings(dovecot.imapPort(), ImapSecurity.STARTTLS))) {
      assertTrue(s.tlsVersion().isPresent());
      assertEquals(LoginMethod.LOGIN, s.login(List.of(LoginMethod.LOGIN)));
      s.ok(s.commands().create(folder));
      Set<String> caps = new LinkedHashSet<>(s.capabilities().names());
      caps.remove("LITERAL+");
      caps.remove("LITERAL-");
      s.connection().capabilities(new ImapCapabilities(caps));
      assertFalse(LiteralWriter.nonSynchronizing(s.capabilities(), m.length));
      s.ok(
          s.await(
              s.commands()
                  .append(folder, new ImapCommands.Message(List.of(), null, LiteralSource.of(m)))));
      s.commands().select(folder);
      assertEquals(List.of(1L), s.commands().uidSearchHeader("Message-ID", "<sync@imapcore.test>"));
    }
    assertArrayEquals(PrivateDovecot.storedForm(m), dovecot.messages(folder).get(0));
  }

  @Test
  void utf8Accept_isEnabled_andAFolderWithAUtf8Name_isCreated() throws Exception {
    try (ImapSession s =
        ImapSession.open(settings(dovecot.imapsPort(), ImapSecurity.IMPLICIT_TLS))) {
      s.login();
      String folder = "Entw\u00fcrfe-core";
      s.ok(s.commands().create(folder));
      TaggedReply r = s.commands().list("", "Entw*");
      String listed = (String) r.untagged("LIST").get(0).tokens().get(2);
      assertEquals(s.utf8() ? folder : ModifiedUtf7.encode(folder), listed);
    }
  }

  @Test
  void multiAppend_storesTheBatchInOneCommand_andUidSearchFindsAUtf8Header() throws Exception {
    String folder = "core-multi";
    List<byte[]> sent = new ArrayList<>();
    try (ImapSession s =
        ImapSession.open(settings(dovecot.imapsPort(), ImapSecurity.IMPLICIT_TLS))) {
      s.login();
      assertTrue(s.capabilities().has("MULTIAPPEND"), s.capabilities().toString());
      s.ok(s.commands().create(folder));
      List<ImapCommands.Message> batch = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        byte[] m =
            ("From: bob@example.org\r\nSubject: Gr\u00fc\u00dfe "
                    + i
                    + "\r\nX-Key: k\u00e9y-"
                    + i
                    + "\r\n\r\nbody "
                    + i
                    + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        sent.add(m);
        batch.add(new ImapCommands.Message(List.of("\\Seen"), null, LiteralSource.of(m)));
      }
      TaggedReply r = s.ok(s.await(s.commands().multiAppend(folder, batch)));
      assertEquals("1:3", ImapCommands.appendUid(r).orElseThrow().uids(), r.line().wire());
      s.commands().examine(folder);
      assertEquals(List.of(2L), s.commands().uidSearchHeader("X-Key", "k\u00e9y-1"));
      s.commands().select(folder);
      s.commands().uidStoreFlags("1", "+FLAGS.SILENT", List.of("\\Flagged"));
      assertEquals(List.of(1L), s.commands().uidSearch("FLAGGED"));
    }
    List<byte[]> stored = dovecot.messages(folder);
    assertEquals(3, stored.size());
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(PrivateDovecot.storedForm(sent.get(i)), stored.get(i), "message " + i);
    }
  }
}
