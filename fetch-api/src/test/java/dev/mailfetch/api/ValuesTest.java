package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void serverReplies_areEscapedAndTruncated_soAHostileServerCannotForgeLogLines() {
    FetchException e =
        new FetchException(
            FetchError.PROTOCOL, "bad reply", "-ERR x\r\nINFO forged\u0000\u00ff\"", null);
    assertEquals("-ERR x\\r\\nINFO forged\\x00\\xFF\\\"", e.serverReply().orElseThrow());
    assertEquals(
        "PROTOCOL: bad reply (server said: \"-ERR x\\r\\nINFO forged\\x00\\xFF\\\"\")",
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"));

    String huge = "+OK " + "A".repeat(100_000);
    String escaped = FetchException.escape(huge);
    assertTrue(escaped.length() < FetchException.MAX_REPLY_CHARS + 30, () -> "" + escaped.length());
    assertTrue(
        escaped.endsWith("…(" + (huge.length() - FetchException.MAX_REPLY_CHARS) + " more)"),
        escaped);
  }

  @Property
  void escapedText_isAlwaysOneLineOfPrintableAscii(@ForAll String s) {
    String e = FetchException.escape(s);
    assertTrue(e.chars().allMatch(c -> (c >= 0x20 && c < 0x7f) || c == '…'), e);
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings()
        .withCharRange(' ', '~')
        .withChars('é', 'ß', '中', '"', '\\', ';', '=')
        .ofMinLength(1)
        .ofMaxLength(120);
  }

  @Property
  void provenanceHeader_roundTrips(
      @ForAll("texts") String account,
      @ForAll("texts") String server,
      @ForAll boolean hasUid,
      @ForAll("texts") String uid) {
    ProvenanceHeader p =
        new ProvenanceHeader(
            account, server, hasUid ? uid : null, Instant.parse("2026-11-21T20:48:21Z"));
    String field = p.format();
    assertTrue(field.startsWith(ProvenanceHeader.NAME + ": v=1;\r\n"));
    for (String line : field.split("\r\n")) {
      assertTrue(line.getBytes(StandardCharsets.UTF_8).length <= 998, "RFC 5322 line limit");
    }
    HeaderBlock h = HeaderBlock.of((field + "\r\n").getBytes(StandardCharsets.UTF_8), true);
    assertEquals(p, ProvenanceHeader.parse(h.first(ProvenanceHeader.NAME).orElseThrow()));
  }

  @Test
  void provenanceHeader_rejectsWhatWouldBreakTheHeader_andOldOrBrokenValues() {
    Instant t = Instant.EPOCH;
    assertThrows(
        IllegalArgumentException.class, () -> new ProvenanceHeader("a\r\nBcc: x", "s", null, t));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ProvenanceHeader.parse(
                "v=2; account=\"a\"; server=\"s\"; fetched=1970-01-01T00:00:00Z"));
    assertThrows(IllegalArgumentException.class, () -> ProvenanceHeader.parse("v=1; account=\"a"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ProvenanceHeader.parse("v=1; account=\"a\"; server=\"s\"; fetched=yesterday"));
    ProvenanceHeader later =
        ProvenanceHeader.parse(
            "v=1; future=\"x\"; account=\"a\"; server=\"s\"; fetched=1970-01-01T00:00:00Z");
    assertEquals("a", later.account());
  }

  @Test
  void headerBlock_unfoldsFields_ignoresCase_andSurvivesGarbage() {
    byte[] raw =
        ("Subject: hello\r\n world\r\nFROM: a@b\r\nnot a field\r\n\u00ff\u00fe: x\r\n"
                + "Received: one\r\nReceived: two\r\n\r\nBody: not a header\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    HeaderBlock h = HeaderBlock.of(raw, true);
    assertEquals("hello world", h.first("subject").orElseThrow());
    assertEquals("a@b", h.first("From").orElseThrow());
    assertEquals(List.of("one", "two"), h.values("received"));
    assertTrue(h.first("Body").isEmpty());
    assertEquals(0, HeaderBlock.empty().fields().size());
  }

  @Test
  void deliveryKeys_areStable_distinct_fileNameSafe_andRevealNothing() {
    DeliveryKey k = DeliveryKey.of("alice@example.com", "UID1");
    assertEquals(k, DeliveryKey.of("alice@example.com", "UID1"));
    assertEquals(k, DeliveryKey.parse(k.toString()));
    assertNotEquals(k, DeliveryKey.of("alice@example.com", "UID2"));
    assertNotEquals(k, DeliveryKey.of("bob@example.com", "UID1"));
    // No confusion between the parts: ("a\0b", "c") and ("a", "b\0c") cannot both occur, but the
    // separator keeps ("ab","c") and ("a","bc") apart.
    assertNotEquals(DeliveryKey.of("ab", "c"), DeliveryKey.of("a", "bc"));
    assertTrue(k.toString().matches("[0-9a-f]{64}"));
    assertFalse(k.toString().contains("alice"));
    assertNotEquals(k, DeliveryKey.ofContent("alice@example.com", new byte[32]));
    assertThrows(IllegalArgumentException.class, () -> DeliveryKey.parse("../../etc/passwd"));
    assertThrows(IllegalArgumentException.class, () -> DeliveryKey.ofContent("a", new byte[31]));
  }

  /** 40 bytes holding every nibble, and bytes of 0x80 and above (negative in Java). */
  private static byte[] keyBytes() {
    byte[] b = new byte[40];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (i * 37 + 0x7B);
    }
    return b;
  }

  @Test
  void aDeliveryKeyFromItsBytes_isTheKeyOfTheirHexDigits() {
    byte[] b = keyBytes();
    for (int off : new int[] {0, 3, 8}) {
      String hex = HexFormat.of().formatHex(b, off, off + 32);
      DeliveryKey k = DeliveryKey.fromBytes(b, off);
      assertEquals(hex, k.toString());
      assertEquals(DeliveryKey.parse(hex), k);
    }
    DeliveryKey k = DeliveryKey.of("alice@example.com", "UID1");
    assertEquals(k, DeliveryKey.fromBytes(HexFormat.of().parseHex(k.toString()), 0));
    assertThrows(IndexOutOfBoundsException.class, () -> DeliveryKey.fromBytes(b, 9));
    assertThrows(IndexOutOfBoundsException.class, () -> DeliveryKey.fromBytes(new byte[31], 0));
  }

  @Test
  void aDeliveryKeyWritesItsBytes_andMatchesThemOnly() {
    byte[] b = keyBytes();
    for (int off : new int[] {0, 3, 8}) {
      DeliveryKey k = DeliveryKey.fromBytes(b, off);
      byte[] copy = new byte[36];
      k.copyTo(copy, 4);
      assertArrayEquals(Arrays.copyOfRange(b, off, off + 32), Arrays.copyOfRange(copy, 4, 36));
      assertTrue(k.matches(b, off));
      assertTrue(k.matches(copy, 4));
      for (int i = 0; i < 32; i++) {
        byte[] other = copy.clone();
        other[4 + i] ^= 0x10; // one nibble of one byte
        assertFalse(k.matches(other, 4), "byte " + i);
      }
      assertFalse(k.matches(b, off == 0 ? 1 : off - 1));
    }
    DeliveryKey k = DeliveryKey.of("alice@example.com", "UID1");
    byte[] bytes = new byte[32];
    k.copyTo(bytes, 0);
    assertEquals(k.toString(), HexFormat.of().formatHex(bytes));
    assertThrows(IndexOutOfBoundsException.class, () -> k.copyTo(new byte[40], 9));
    assertThrows(IndexOutOfBoundsException.class, () -> k.matches(new byte[31], 0));
  }

  @Test
  void messageRefs_rejectWhatPop3CannotSend() {
    assertThrows(IllegalArgumentException.class, () -> new MessageRef(0, "a", 1));
    assertThrows(IllegalArgumentException.class, () -> new MessageRef(1, "a", -1));
    assertThrows(IllegalArgumentException.class, () -> new MessageRef(1, "", 1));
    assertThrows(IllegalArgumentException.class, () -> new MessageRef(1, "a b", 1));
    assertThrows(IllegalArgumentException.class, () -> new MessageRef(1, "a\r\nDELE 1", 1));
    String all = new StringBuilder().appendCodePoint('!').toString().repeat(70);
    assertEquals(70, new MessageRef(1, all, 0).uid().length());
  }

  @Property
  void messageRefs_areEqualExactlyWhenNumberUidAndSizeAre_withEqualHashes(
      @ForAll("smallRefs") MessageRef a, @ForAll("smallRefs") MessageRef b) {
    boolean same =
        a.number() == b.number() && a.size() == b.size() && Objects.equals(a.uid(), b.uid());
    assertEquals(same, a.equals(b), a + " " + b);
    assertEquals(same, b.equals(a), b + " " + a);
    if (same) {
      assertEquals(a.hashCode(), b.hashCode(), a + " " + b);
    }
    assertNotEquals(a, (Object) a.uid());
    assertEquals(a, new MessageRef(a.number(), a.uid(), a.size()));
    assertEquals(
        new HashSet<>(List.of(a, b)).size(),
        same ? 1 : 2,
        "as a set element, the record's equality: " + a + b);
  }

  @Provide
  Arbitrary<MessageRef> smallRefs() {
    // few values each, so that equal and nearly equal references come up often
    return Combinators.combine(
            Arbitraries.integers().between(1, 3),
            Arbitraries.of("A", "B").injectNull(0.3),
            Arbitraries.longs().between(0, 2))
        .as(MessageRef::new);
  }

  @Test
  void aFetchException_serializes_withItsRemedyAndQuirk() throws Exception {
    FetchException e =
        new FetchException(
                FetchError.TLS_FAILED,
                "the certificate is not trusted",
                "-ERR no",
                null,
                Remedy.of("--ca-file FILE", "Pop3Source.Builder.trustPem"))
            .withQuirk(QuirkId.Q23);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(e);
    }
    FetchException back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (FetchException) in.readObject();
    }
    assertEquals(e.getMessage(), back.getMessage());
    assertEquals(e.remedy(), back.remedy());
    assertEquals("--ca-file FILE", back.remedy().commandLine());
    assertEquals(e.quirk(), back.quirk());
  }

  @Test
  void retention_decidesWhenDeletionIsDue() {
    Instant first = Instant.parse("2026-01-01T00:00:00Z");
    assertFalse(Retention.KEEP.deletionDue(first, first.plusSeconds(1_000_000_000)));
    assertTrue(Retention.DELETE_AFTER_DELIVERY.deletionDue(first, first));
    Retention week = Retention.deleteAfter(Duration.ofDays(7));
    assertFalse(week.deletionDue(first, first.plus(Duration.ofDays(7)).minusSeconds(1)));
    assertTrue(week.deletionDue(first, first.plus(Duration.ofDays(7))));
    assertTrue(week.leavesMailOnServer());
    assertFalse(Retention.DELETE_AFTER_DELIVERY.leavesMailOnServer());
    assertEquals(Retention.DELETE_AFTER_DELIVERY, Retention.deleteAfter(Duration.ZERO));
  }

  @Test
  void inMemorySink_isIdempotentByKey_abortLeavesNothing_andOnlySyncedMessagesSurviveReopen()
      throws Exception {
    InMemorySink sink = InMemorySink.create();
    Envelope env = new Envelope("a", "u1", 3, Set.of(), false);
    DeliveryKey k1 = DeliveryKey.of("a", "u1");
    Delivery d = sink.begin(env);
    d.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)));
    assertFalse(d.complete(k1).alreadyHeld());
    Delivery again = sink.begin(env);
    again.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)));
    assertTrue(again.complete(k1).alreadyHeld());
    Delivery aborted = sink.begin(env);
    aborted.write(ByteBuffer.wrap("zz".getBytes(StandardCharsets.US_ASCII)));
    aborted.abort();
    aborted.abort();
    assertEquals(1, sink.size());
    assertEquals(0, sink.reopen().size(), "not synced: lost in a crash");
    sink.sync();
    InMemorySink reopened = sink.reopen();
    assertTrue(reopened.contains(k1));
    assertEquals(
        "abc", new String(reopened.messages().get(0).content(), StandardCharsets.US_ASCII));
  }

  @Test
  void aRecordKeepsTheLastErrorsWords_escapedAndBounded_andTheListedSize() {
    UidRecord r =
        UidRecord.of("u", UidRecord.State.FAILED, Instant.EPOCH, null)
            .withSize(42)
            .failedOnce(
                new FetchException(
                    FetchError.READ_ERROR, "line\r\nforged \u202e\u00e9 " + "y".repeat(500)));
    assertEquals(42, r.size());
    assertEquals(1, r.failures());
    assertEquals(FetchError.READ_ERROR, r.lastError());
    assertTrue(
        r.lastErrorDetail().startsWith("line\\x0D\\x0Aforged \\u202E\u00e9 yyy"),
        r.lastErrorDetail());
    assertEquals(UidRecord.MAX_DETAIL_CHARS, r.lastErrorDetail().length());
    assertEquals(
        r.lastErrorDetail(),
        UidRecord.boundedDetail(r.lastErrorDetail()),
        "applying it twice changes nothing");
    assertEquals(
        null, r.delivered(DeliveryKey.of("a", "u")).lastErrorDetail(), "delivered: no error left");
    assertEquals(42, r.delivered(DeliveryKey.of("a", "u")).size());
    assertEquals(
        null,
        new UidRecord("u", UidRecord.State.FAILED, Instant.EPOCH, null, 1, null, "words", -1)
            .lastErrorDetail(),
        "no words without an error");
    assertThrows(IllegalArgumentException.class, () -> r.withSize(-2));
  }
}
