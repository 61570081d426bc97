package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.imap.internal.AppendJournal;
import dev.mailfetch.testkit.MailCorpus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImapAppendSink against GreenMail's IMAP in the JVM: folders created on [TRYCREATE], labels as
 * folders, archive, APPENDUID, the key header, the Date as INTERNALDATE, and deliveries in doubt
 * after a crash. GreenMail keeps messages as parsed MIME, so the byte-exact read-back is the
 * Dovecot test's ({@code ImapAppendSinkDovecotTest}); here the text is compared.
 */
@Timeout(60)
class ImapAppendSinkGreenMailTest {
  private static final String ACCOUNT = "pop@example.org";
  private GreenMail greenMail;
  private GreenMailUser user;
  @TempDir Path tmp;

  @BeforeEach
  void start() {
    greenMail = new GreenMail(ServerSetupTest.IMAP.dynamicPort());
    greenMail.start();
    user = greenMail.setUser("alice@localhost", "alice", "greenmail-pw");
  }

  @AfterEach
  void stop() {
    greenMail.stop();
  }

  private ImapAppendSink.Builder sinkBuilder() {
    return ImapAppendSink.builder()
        .host("127.0.0.1")
        .port(greenMail.getImap().getPort())
        .security(ImapSecurity.NONE)
        .allowPlaintextAuthentication(true)
        .user("alice")
        .password(() -> "greenmail-pw");
  }

  static byte[] message(int i) {
    return ("From: a@example.org\r\nSubject: message "
            + i
            + "\r\nMessage-ID: <"
            + i
            + "@greenmail.test>\r\nDate: Sat, 21 Nov 2026 20:48:2"
            + (i % 10)
            + " +0100\r\n\r\nBody "
            + i
            + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static DeliveryKey key(int i) {
    return DeliveryKey.of(ACCOUNT, "uid-" + i);
  }

  static boolean deliver(ImapAppendSink sink, int i, Set<String> labels, boolean archived)
      throws IOException {
    Delivery d = sink.begin(new Envelope(ACCOUNT, "uid-" + i, 0, labels, archived));
    d.write(ByteBuffer.wrap(MailCorpus.toLf(message(i)))); // as the engine hands it: LF
    return !d.complete(key(i)).alreadyHeld();
  }

  private List<String> texts(String folder) throws Exception {
    MailFolder f = greenMail.getManagers().getImapHostManager().getFolder(user, folder);
    List<String> out = new ArrayList<>();
    if (f == null) {
      return out;
    }
    for (StoredMessage m : f.getMessages()) {
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      m.getMimeMessage().writeTo(o);
      out.add(o.toString(StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  @Test
  void aMessageItsSourceFiledAsJunk_goesIntoAJunkFolderMadeForIt_only() throws Exception {
    try (ImapAppendSink sink = sinkBuilder().build()) {
      assertTrue(deliver(sink, 1, Set.of(LabelDecision.JUNK, "Lists/Work"), true));
      assertTrue(deliver(sink, 2, Set.of(), false));
      sink.sync();
      assertTrue(sink.placement(key(1)).orElseThrow().startsWith("Junk/"));
    }
    List<String> junk = texts("Junk");
    assertEquals(1, junk.size(), "GreenMail has no \\Junk folder: Junk was created");
    assertTrue(junk.get(0).contains("Subject: message 1\r\n"));
    assertEquals(1, texts("INBOX").size(), "the junk is not in the inbox");
    assertEquals(0, texts("Lists/Work").size(), "nor in a folder a person reads");
  }

  @Test
  void eachMessage_arrivesWithTheKeyHeaderFirst_itsDateAsInternalDate_andAnAppendUid()
      throws Exception {
    try (ImapAppendSink sink = sinkBuilder().build()) {
      for (int i = 0; i < 5; i++) {
        assertTrue(deliver(sink, i, Set.of(), false));
      }
      sink.sync();
      for (int i = 0; i < 5; i++) {
        String where = sink.placement(key(i)).orElseThrow();
        assertTrue(where.startsWith("INBOX/") && !where.endsWith("/0"), "APPENDUID kept: " + where);
      }
    }
    List<String> inbox = texts("INBOX");
    assertEquals(5, inbox.size());
    MailFolder f = greenMail.getManagers().getImapHostManager().getFolder(user, "INBOX");
    for (int i = 0; i < 5; i++) {
      String text = inbox.get(i);
      assertTrue(
          text.startsWith(ImapAppendSink.KEY_HEADER + ": " + key(i) + "\r\n"),
          "the key header comes first: " + text);
      assertTrue(text.contains("Subject: message " + i + "\r\n"));
      assertTrue(text.endsWith("Body " + i + "\r\n"), text);
      assertEquals(
          Instant.parse("2026-11-21T19:48:2" + i + "Z"),
          f.getMessages().get(i).getReceivedDate().toInstant(),
          "INTERNALDATE is the Date header");
    }
  }

  @Test
  void labels_becomeFolders_createdOnTryCreate_andArchivedMeansNotInTheInbox() throws Exception {
    try (ImapAppendSink sink = sinkBuilder().build()) {
      deliver(sink, 1, Set.of("Work", "Lists/News"), false);
      deliver(sink, 2, Set.of("Work"), true);
      deliver(sink, 3, Set.of(), true);
      sink.sync();
    }
    assertEquals(1, texts("INBOX").size(), "only the message not archived is in the inbox");
    assertEquals(2, texts("Work").size());
    assertEquals(1, texts("Lists.News").size(), "Lists/News nests with the server's delimiter");
    assertEquals(1, texts("Archive").size(), "archived without labels goes to Archive");
  }

  @Test
  void addLabels_copiesAHeldMessage_intoTheNewFoldersOnly() throws Exception {
    try (ImapAppendSink sink = sinkBuilder().journal(tmp.resolve("journal")).build()) {
      deliver(sink, 1, Set.of("Work"), false);
      sink.sync();
      assertFalse(sink.addLabels(key(9), Set.of("Lists")));
      assertTrue(sink.addLabels(key(1), Set.of("Work", "Lists")));
    }
    assertEquals(1, texts("Work").size(), "no second copy where it was already");
    assertEquals(1, texts("Lists").size());
  }

  @Test
  void aDeliveryInDoubt_thatIsOnTheServer_isNotAppendedAgain() throws Exception {
    Path journal = tmp.resolve("journal");
    try (ImapAppendSink first = sinkBuilder().build()) { // the APPEND went through ...
      deliver(first, 1, Set.of(), false);
      first.sync();
    }
    try (AppendJournal j = AppendJournal.open(journal)) { // ... and the crash came before "done"
      j.intend(key(1), new AppendJournal.Intent(List.of("INBOX"), "<1@greenmail.test>"));
      j.force();
    }
    try (ImapAppendSink again = sinkBuilder().journal(journal).build()) {
      assertTrue(again.contains(key(1)), "looked up on the server");
      assertFalse(deliver(again, 1, Set.of(), false), "not stored again");
      again.sync();
    }
    assertEquals(1, texts("INBOX").size());
  }

  @Test
  void aDeliveryInDoubt_foundInItsFirstFolder_getsTheLabelCopiesACrashCutShort() throws Exception {
    Path journal = tmp.resolve("journal");
    try (ImapAppendSink first = sinkBuilder().build()) { // the INBOX copy went through ...
      deliver(first, 1, Set.of(), false);
      first.sync();
    }
    try (AppendJournal j = AppendJournal.open(journal)) { // ... the Work copy did not
      j.intend(key(1), new AppendJournal.Intent(List.of("INBOX", "Work"), "<1@greenmail.test>"));
      j.force();
    }
    try (ImapAppendSink again = sinkBuilder().journal(journal).build()) {
      assertTrue(again.contains(key(1)));
    }
    assertEquals(1, texts("INBOX").size());
    assertEquals(1, texts("Work").size(), "the missing copy was made, once");
    assertTrue(texts("Work").get(0).startsWith(ImapAppendSink.KEY_HEADER + ": " + key(1)));
  }

  @Test
  void aDeliveryInDoubt_thatIsNotOnTheServer_isAppended() throws Exception {
    Path journal = tmp.resolve("journal");
    try (AppendJournal j = AppendJournal.open(journal)) { // the crash came before the APPEND
      j.intend(key(1), new AppendJournal.Intent(List.of("INBOX"), "<1@greenmail.test>"));
      j.force();
    }
    try (ImapAppendSink again = sinkBuilder().journal(journal).build()) {
      assertFalse(again.contains(key(1)));
      assertTrue(deliver(again, 1, Set.of(), false));
      again.sync();
      assertTrue(again.contains(key(1)));
    }
    assertEquals(1, texts("INBOX").size());
  }

  @Test
  void aWrongPassword_isAuthFailed_andCheckSaysWhatPassed() throws Exception {
    try (ImapAppendSink sink = sinkBuilder().build()) {
      List<String> steps = sink.check();
      assertTrue(steps.get(0).startsWith("connected to 127.0.0.1:"), steps.toString());
      assertTrue(steps.get(1).startsWith("logged in as alice with "), steps.toString());
      assertTrue(steps.contains("folder INBOX exists"), steps.toString());
      assertTrue(String.join("\n", steps).contains("UIDPLUS"), steps.toString());
    }
    ImapAppendSink bad =
        ImapAppendSink.builder()
            .host("127.0.0.1")
            .port(greenMail.getImap().getPort())
            .security(ImapSecurity.NONE)
            .allowPlaintextAuthentication(true)
            .user("alice")
            .password(() -> "wrong")
            .build();
    FetchException e = assertThrows(FetchException.class, bad::check);
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertFalse(e.getMessage().contains("wrong"), "no password in the words");
    bad.close();
  }

  @Test
  void theBuilder_refusesASettingGivenTwice_andContradictions() {
    ImapAppendSink.Builder b = ImapAppendSink.builder().host("imap.example.org");
    IllegalStateException twice = assertThrows(IllegalStateException.class, () -> b.host("x"));
    assertEquals("host was already set to imap.example.org", twice.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> ImapAppendSink.builder().folder("IN\r\nBOX"));
    assertThrows(
        IllegalStateException.class,
        () ->
            ImapAppendSink.builder()
                .host("h")
                .user("u")
                .password(() -> "p")
                .security(ImapSecurity.NONE)
                .build(),
        "plain text needs the opt-in");
    assertThrows(
        IllegalStateException.class, () -> ImapAppendSink.builder().host("h").user("u").build());
    assertInstanceOf(
        ImapAppendSink.class,
        ImapAppendSink.builder().host("h").user("u").password(() -> "p").build());
  }
}
