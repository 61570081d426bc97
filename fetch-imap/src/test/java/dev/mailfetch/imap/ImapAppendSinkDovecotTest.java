package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.imap.internal.AppendJournal;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.RequiresDovecot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImapAppendSink into a private Dovecot: every message of a generated corpus (large ones spooled to
 * a file) read back from Dovecot's own Maildir files byte for byte, the key header first; a crash
 * left in doubt settled against what Dovecot holds.
 */
@Timeout(120)
@RequiresDovecot(PrivateDovecot.Service.IMAP)
class ImapAppendSinkDovecotTest {
  private static final String ACCOUNT = "pop@dovecot-test";
  @TempDir static Path dir;
  private static DovecotImap imap;

  @BeforeAll
  static void startDovecot() throws Exception {
    imap = DovecotImap.start(dir);
  }

  @AfterAll
  static void stopDovecot() throws Exception {
    if (imap != null) {
      imap.stop();
    }
  }

  @Test
  void everyMessage_isStoredByteForByte_afterTheKeyHeader_inOneRoundOfAppends() throws Exception {
    MailCorpus corpus = MailCorpus.generate(19, 40);
    Map<String, byte[]> sent = new LinkedHashMap<>();
    for (MailCorpus.Message m : corpus.messages()) {
      sent.put(m.uid(), MailCorpus.toLf(m.content()));
    }
    byte[] large = new byte[ImapAppendSink.MEMORY_SPOOL_BYTES + 500_000]; // spooled to a file
    byte[] head = "Subject: large\n\n".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, large, 0, head.length);
    for (int i = head.length; i < large.length; i++) {
      large[i] = (byte) (i % 77 == 76 ? '\n' : 'a' + i % 26);
    }
    sent.put("large", large);
    try (ImapAppendSink sink = imap.sink("Exact").journal(dir.resolve("exact/journal")).build()) {
      for (Map.Entry<String, byte[]> m : sent.entrySet()) {
        Delivery d = sink.begin(new Envelope(ACCOUNT, m.getKey(), 0, Set.of(), false));
        byte[] bytes = m.getValue();
        for (int off = 0; off < bytes.length; off += 4096) {
          d.write(ByteBuffer.wrap(bytes, off, Math.min(4096, bytes.length - off)));
        }
        d.complete(DeliveryKey.of(ACCOUNT, m.getKey()));
      }
      sink.sync();
      assertTrue(
          sent.values().stream().anyMatch(m -> ImapSourceCyrusTest.eightBitHeaderBytes(m) > 0));
      assertEquals(List.of(), sink.takeWarnings(), "Dovecot keeps 8-bit header bytes: no warning");
    }
    for (Map.Entry<String, byte[]> m : sent.entrySet()) {
      DeliveryKey k = DeliveryKey.of(ACCOUNT, m.getKey());
      byte[] stored = imap.stored("Exact", k).orElseThrow(() -> new AssertionError("missing " + k));
      byte[] line = DovecotImap.keyLine(k);
      assertArrayEquals(
          m.getValue(),
          Arrays.copyOfRange(stored, line.length, stored.length),
          "message " + m.getKey() + " (" + m.getValue().length + " bytes)");
    }
    assertEquals(sent.size(), imap.dovecot.files("Exact").size());
  }

  @Test
  void inDoubtAfterACrash_onTheServer_isNotAppendedAgain_elseAppendedOnce() throws Exception {
    Path journal = dir.resolve("doubt/journal");
    byte[] a = "Subject: a\nMessage-ID: <a@x>\n\na\n".getBytes(StandardCharsets.US_ASCII);
    byte[] b = "Subject: b\nMessage-ID: <b@x>\n\nb\n".getBytes(StandardCharsets.US_ASCII);
    DeliveryKey ka = DeliveryKey.of(ACCOUNT, "a");
    DeliveryKey kb = DeliveryKey.of(ACCOUNT, "b");
    try (ImapAppendSink first = imap.sink("Doubt").build()) { // a's APPEND went through
      deliver(first, "a", a);
      first.sync();
    }
    try (AppendJournal j = AppendJournal.open(journal)) { // then the crash
      j.intend(ka, new AppendJournal.Intent(List.of("Doubt"), "<a@x>"));
      j.intend(kb, new AppendJournal.Intent(List.of("Doubt"), "<b@x>"));
      j.force();
    }
    try (ImapAppendSink again = imap.sink("Doubt").journal(journal).build()) {
      assertTrue(again.contains(ka));
      assertFalse(again.contains(kb));
      assertFalse(deliver(again, "a", a), "a is held: not appended again");
      assertTrue(deliver(again, "b", b), "b was not there: appended");
      again.sync();
    }
    assertEquals(1, imap.count("Doubt", ka));
    assertEquals(1, imap.count("Doubt", kb));
  }

  private static boolean deliver(ImapAppendSink sink, String uid, byte[] m) throws Exception {
    Delivery d = sink.begin(new Envelope(ACCOUNT, uid, m.length, Set.of(), false));
    d.write(ByteBuffer.wrap(m));
    return !d.complete(DeliveryKey.of(ACCOUNT, uid)).alreadyHeld();
  }
}
