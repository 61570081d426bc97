package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.imap.ImapLimits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * APPEND, CREATE and UID SEARCH against GreenMail's IMAP, each message read back with UID FETCH
 * BODY.PEEK[] through the streaming consumer.
 */
class GreenMailAppendTest {
  private static GreenMailImap server;

  @BeforeAll
  static void start() {
    server = new GreenMailImap();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static byte[] message(String id, String body) {
    return ("From: bob@example.org\r\nTo: alice@localhost\r\nSubject: test "
            + id
            + "\r\nMessage-ID: <"
            + id
            + "@imapcore.test>\r\nX-Mailfetch-Key: key-"
            + id
            + "\r\n\r\n"
            + body
            + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static ImapSession loggedIn() throws Exception {
    ImapSession s = ImapSession.open(server.plain());
    s.login(List.of(LoginMethod.LOGIN));
    return s;
  }

  /** The bytes of the message with {@code uid} in the selected mailbox. */
  static byte[] fetch(ImapSession s, long uid) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    TaggedReply r =
        s.expectOk(
            ImapCommand.of("UID FETCH")
                .atom(Long.toString(uid))
                .atom("BODY.PEEK[]")
                .body(
                    slice -> {
                      byte[] b = new byte[slice.remaining()];
                      slice.get(b);
                      got.writeBytes(b);
                    })
                .build());
    assertEquals(1, r.untagged("FETCH").size(), r.untagged().toString());
    return got.toByteArray();
  }

  @Test
  void anAppendedLiteral_fromASpoolFile_readsBackTheSame(@TempDir Path dir) throws Exception {
    byte[] m = message("spool", "line\r\n".repeat(20_000)); // 120 kB, streamed from the file
    Path spool = Files.write(dir.resolve("i19-imapcore-spool.eml"), m);
    try (ImapSession s = loggedIn()) {
      TaggedReply ok =
          s.await(
              s.commands()
                  .append(
                      "INBOX",
                      new ImapCommands.Message(
                          List.of("\\Seen"),
                          ZonedDateTime.parse("2024-03-01T10:15:30+01:00"),
                          LiteralSource.of(spool, m.length))));
      assertTrue(ok.ok(), ok.line().wire());
      long uid = Long.parseLong(ImapCommands.appendUid(ok).orElseThrow().uids());
      s.commands().select("INBOX");
      assertArrayEquals(m, fetch(s, uid));
    }
  }

  @Test
  void aSynchronizingLiteral_waitsForThePlus_andIsStored() throws Exception {
    byte[] m = message("sync", "waited for +");
    try (ImapSession s = loggedIn()) {
      // Without LITERAL+ known, the literal goes as {n} and waits for the server's "+".
      Set<String> caps = new LinkedHashSet<>(s.capabilities().names());
      caps.remove("LITERAL+");
      s.connection().capabilities(new ImapCapabilities(caps));
      assertFalse(LiteralWriter.nonSynchronizing(s.capabilities(), m.length));
      TaggedReply ok =
          s.await(
              s.commands()
                  .append("INBOX", new ImapCommands.Message(List.of(), null, LiteralSource.of(m))));
      assertTrue(ok.ok(), ok.line().wire());
      s.commands().select("INBOX");
      List<Long> uids = s.commands().uidSearchHeader("Message-ID", "<sync@imapcore.test>");
      assertEquals(1, uids.size());
      assertArrayEquals(m, fetch(s, uids.get(0)));
    }
  }

  @Test
  void pipelinedAppends_areAnsweredByTag_andAllStored() throws Exception {
    try (ImapSession s = loggedIn()) {
      List<String> tags = new ArrayList<>();
      List<byte[]> sent = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        byte[] m = message("pipe-" + i, "message " + i);
        sent.add(m);
        tags.add(
            s.commands()
                .append("INBOX", new ImapCommands.Message(List.of(), null, LiteralSource.of(m))));
      }
      assertEquals(20, s.inFlight(), "all sent before any reply was read");
      List<Long> uids = new ArrayList<>();
      for (int i = tags.size() - 1; i >= 0; i--) { // read out of order: matched by tag
        TaggedReply r = s.await(tags.get(i));
        assertTrue(r.ok(), r.line().wire());
        uids.add(0, Long.parseLong(ImapCommands.appendUid(r).orElseThrow().uids()));
      }
      s.commands().select("INBOX");
      for (int i = 0; i < 20; i++) {
        assertArrayEquals(sent.get(i), fetch(s, uids.get(i)));
      }
    }
  }

  @Test
  void aWindowSmallerThanTheBatch_readsRepliesEarly_andStillAnswersEveryTag() throws Exception {
    ImapSettings p = server.plain();
    ImapSettings small =
        new ImapSettings(
            p.host(),
            p.port(),
            p.security(),
            null,
            ImapLimits.builder().maxCommandsInFlight(3).build(),
            p.user(),
            p.password(),
            null,
            true,
            null);
    try (ImapSession s = ImapSession.open(small)) {
      s.login(List.of(LoginMethod.LOGIN));
      List<String> tags = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        tags.add(
            s.commands()
                .append(
                    "INBOX",
                    new ImapCommands.Message(
                        List.of(), null, LiteralSource.of(message("window-" + i, "w")))));
      }
      for (String tag : tags) {
        assertTrue(s.await(tag).ok(), tag);
      }
      assertEquals(0, s.inFlight());
    }
  }

  @Test
  void create_thenAppendIntoIt_thenUidSearchFindsTheKeyHeader() throws Exception {
    try (ImapSession s = loggedIn()) {
      String folder = "Entw\u00fcrfe" + s.delimiter().orElse("/") + "Tom & Jerry";
      s.ok(s.commands().create("Entw\u00fcrfe"));
      s.ok(s.commands().create(folder));
      TaggedReply r = s.commands().list("", "*");
      assertTrue(
          r.untagged("LIST").stream()
              .anyMatch(l -> l.tokens().get(2).equals(ModifiedUtf7.encode(folder))),
          r.untagged().toString());
      byte[] m = message("folder", "in a folder");
      s.ok(
          s.await(
              s.commands()
                  .append(folder, new ImapCommands.Message(List.of(), null, LiteralSource.of(m)))));
      s.commands().select(folder);
      assertEquals(1, s.commands().uidSearchHeader("X-Mailfetch-Key", "key-folder").size());
      assertEquals(0, s.commands().uidSearchHeader("X-Mailfetch-Key", "key-none").size());
    }
  }

  @Test
  void aFolderThatDoesNotExist_isRefusedWithTryCreate_asSinkFailed() throws Exception {
    try (ImapSession s = loggedIn()) {
      TaggedReply r =
          s.await(
              s.commands()
                  .append(
                      "No such folder",
                      new ImapCommands.Message(
                          List.of(), null, LiteralSource.of(message("x", "x")))));
      assertFalse(r.ok());
      assertEquals("TRYCREATE", r.code() == null ? null : r.code().name(), r.line().wire());
      assertEquals(
          FetchError.SINK_FAILED,
          ImapFailures.refused(r, s.server(), ImapFailures.Role.DESTINATION).error());
    }
  }
}
