package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidRecord.State;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The journal's record codec: what is written reads back as what the table keeps. */
class JournalRecordsTest {

  @Provide
  Arbitrary<String> uids() {
    return Arbitraries.strings()
        .withCharRange('!', '~')
        .withChars("äß日本")
        .ofMinLength(1)
        .ofMaxLength(70);
  }

  @Provide
  Arbitrary<UidRecord> records() {
    return Combinators.combine(
            uids(),
            Arbitraries.of(State.values()),
            Arbitraries.longs().between(-5_000_000_000L, 9_000_000_000L),
            Arbitraries.integers().between(0, 500),
            Arbitraries.of(FetchError.values()).injectNull(0.5),
            Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars(" ü")
                .ofMinLength(1)
                .ofMaxLength(400)
                .injectNull(0.3),
            Arbitraries.longs().between(UidRecord.UNKNOWN_SIZE, 1L << 40))
        .as(
            (uid, st, sec, fails, err, words, size) ->
                new UidRecord(
                    uid,
                    st,
                    Instant.ofEpochSecond(sec),
                    st == State.DELIVERED || st == State.DELETED || sec % 3 == 0
                        ? DeliveryKey.of("acct", uid)
                        : null,
                    fails,
                    err,
                    words,
                    size));
  }

  @Property(tries = 500)
  void aMessagesRecord_readsBackAsWhatTheTableKeeps(@ForAll("records") UidRecord r) {
    UidTable read = new UidTable();
    assertNull(applied(JournalRecords.put(r), read));
    UidTable direct = new UidTable();
    direct.put(r);
    assertEquals(direct.get(r.uid()), read.get(r.uid()));
  }

  @Test
  void emptyErrorWords_readBackAsNone() {
    UidRecord r =
        new UidRecord(
            "u", State.FAILED, Instant.ofEpochSecond(7), null, 1, FetchError.READ_ERROR, "", 9);
    UidTable read = new UidTable();
    assertNull(applied(JournalRecords.put(r), read));
    assertNull(read.get("u").lastErrorDetail());
    assertEquals(9, read.get("u").size());
  }

  @Property(tries = 200)
  void aGoneMarkAndAForgetting_readBackAsTheTableMarksThem(
      @ForAll("records") UidRecord r,
      @ForAll @LongRange(min = 0, max = 9_000_000_000L) long since) {
    UidTable read = new UidTable();
    read.put(r);
    assertNull(applied(JournalRecords.gone(r.uid(), since), read));
    UidTable direct = new UidTable();
    direct.put(r);
    direct.gone(r.uid(), since);
    assertEquals(direct.goneSince(r.uid()), read.goneSince(r.uid()));

    assertNull(applied(JournalRecords.forget(r.uid()), read));
    assertNull(read.get(r.uid()));
  }

  @Property(tries = 200)
  void everyRecord_isFramedWithItsLengthAndCrc32c(@ForAll("records") UidRecord r) {
    for (byte[] framed :
        new byte[][] {
          JournalRecords.put(r),
          JournalRecords.gone(r.uid(), 1),
          JournalRecords.forget(r.uid()),
          JournalRecords.firstRun(r.firstSeen().getEpochSecond()),
          JournalRecords.commit(r.failures())
        }) {
      ByteBuffer b = ByteBuffer.wrap(framed).order(ByteOrder.LITTLE_ENDIAN);
      int len = b.getInt(0);
      assertEquals(framed.length - JournalRecords.TYPE_AT, len);
      assertTrue(len <= JournalRecords.MAX_RECORD);
      CRC32C crc = new CRC32C();
      crc.update(framed, JournalRecords.TYPE_AT, len);
      assertEquals((int) crc.getValue(), b.getInt(4));
    }
  }

  @Test
  void onlyTheCommitMark_isACommit() {
    assertTrue(JournalRecords.isCommit(JournalRecords.commit(3)));
    assertFalse(JournalRecords.isCommit(JournalRecords.firstRun(3)));
    assertFalse(JournalRecords.isCommit(JournalRecords.forget("u")));
  }

  @Test
  void aRecordOfATypeNoVersionWrote_isNamedAsSuch() {
    byte[] framed = JournalRecords.frame(JournalRecords.record((byte) 'Z', 0));
    String wrong = applied(framed, new UidTable());
    assertNotNull(wrong);
    assertTrue(wrong.contains("does not know"), wrong);
  }

  @Test
  void everyState_isWrittenAsItsLetter_andReadsBack() {
    for (State s : State.values()) {
      UidRecord r =
          new UidRecord(
              "u",
              s,
              Instant.ofEpochSecond(7),
              s == State.DELIVERED || s == State.DELETED ? DeliveryKey.of("acct", "u") : null,
              0,
              null);
      byte[] framed = JournalRecords.put(r);
      // the state letter follows the type letter, the UID's length (2 bytes) and the UID ("u")
      assertEquals(s.letter(), (char) framed[JournalRecords.TYPE_AT + 1 + 2 + 1]);
      UidTable read = new UidTable();
      assertNull(applied(framed, read));
      assertEquals(s, read.get("u").state());
    }
  }

  @Test
  void aStateLetterNoVersionWrote_isDamage() {
    UidRecord r = new UidRecord("u", State.BASELINE, Instant.ofEpochSecond(7), null, 0, null);
    byte[] framed = JournalRecords.put(r);
    framed[JournalRecords.TYPE_AT + 1 + 2 + 1] = 'Q';
    CRC32C crc = new CRC32C();
    crc.update(framed, JournalRecords.TYPE_AT, framed.length - JournalRecords.TYPE_AT);
    ByteBuffer.wrap(framed).order(ByteOrder.LITTLE_ENDIAN).putInt(4, (int) crc.getValue());
    assertNotNull(applied(framed, new UidTable()));
  }

  private static String applied(byte[] framed, UidTable table) {
    return JournalRecords.apply(
        framed, JournalRecords.TYPE_AT, framed.length - JournalRecords.TYPE_AT, table);
  }
}
