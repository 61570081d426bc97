package dev.mailfetch.dedup;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.internal.Require;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The records of {@code uids.journal} in bytes, both ways: each is its length and a CRC-32C of its
 * bytes (little-endian), then a type letter and its fields (docs/state.md). Writing and reading
 * live together so that a field added on one side cannot be forgotten on the other; {@link
 * JournalReader} frames the file around {@link #apply}.
 */
final class JournalRecords {
  static final byte[] MAGIC = "MFUIDS01".getBytes(StandardCharsets.US_ASCII);

  /** A message's record as version 1 wrote it: read, never written any more. */
  static final byte PUT = 'P';

  /**
   * A message's record, version 2: version 1's fields, then the listed size and the last error's
   * words.
   */
  static final byte PUT2 = 'R';

  static final byte GONE = 'G';
  static final byte FORGET = 'X';
  static final byte FIRST_RUN = 'F';
  static final byte COMMIT = 'C';

  /**
   * The account's mailbox mark ({@code UidStore#mailboxMark}), replacing any before; empty forgets
   * it. Written since mailfetch had an IMAP source: a file without one reads as it did.
   */
  static final byte MARK = 'M';

  /** No record is longer: a length beyond it is damage, not a record. */
  static final int MAX_RECORD = 70_000;

  /** Where a framed record's type letter is: after its length and its CRC. */
  static final int TYPE_AT = 8;

  private JournalRecords() {}

  // ---------------------------------------------------------------- writing

  /** A message's state ({@link #PUT2}), framed. */
  static byte[] put(UidRecord r) {
    byte[] uid = r.uid().getBytes(StandardCharsets.UTF_8);
    byte[] err =
        r.lastError() == null
            ? new byte[0]
            : r.lastError().name().getBytes(StandardCharsets.US_ASCII);
    byte[] words =
        r.lastErrorDetail() == null
            ? new byte[0]
            : r.lastErrorDetail().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        record(
            PUT2,
            2
                + uid.length
                + 1
                + 8
                + 1
                + (r.deliveryKey() != null ? 32 : 0)
                + 4
                + 1
                + err.length
                + 8
                + 2
                + words.length);
    b.putShort((short) uid.length).put(uid);
    b.put((byte) r.state().letter()); // ASCII (UidRecord.State#letter)
    b.putLong(r.firstSeen().getEpochSecond());
    if (r.deliveryKey() != null) {
      b.put((byte) 1).put(HexFormat.of().parseHex(r.deliveryKey().toString()));
    } else {
      b.put((byte) 0);
    }
    b.putInt(r.failures());
    b.put((byte) err.length).put(err);
    b.putLong(r.size());
    b.putShort((short) words.length)
        .put(words); // UTF-8, at most 300 characters (UidRecord.boundedDetail)
    return frame(b);
  }

  /** {@code uid} gone from the listing since {@code since} (epoch second; 0: listed again). */
  static byte[] gone(String uid, long since) {
    ByteBuffer b = uidRecord(GONE, uid, 8);
    b.putLong(since);
    return frame(b);
  }

  /** {@code uid} forgotten. */
  static byte[] forget(String uid) {
    return frame(uidRecord(FORGET, uid, 0));
  }

  /** The first run's epoch second. */
  static byte[] firstRun(long epochSecond) {
    ByteBuffer r = record(FIRST_RUN, 8);
    r.putLong(epochSecond);
    return frame(r);
  }

  /** The mailbox mark, printable ASCII; null or empty forgets it. */
  static byte[] mailboxMark(String mark) {
    byte[] m = mark == null ? new byte[0] : mark.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer r = record(MARK, 2 + m.length);
    r.putShort((short) m.length).put(m);
    return frame(r);
  }

  /** The commit mark after {@code count} records: what came before it is saved. */
  static byte[] commit(int count) {
    ByteBuffer r = record(COMMIT, 4);
    r.putInt(count);
    return frame(r);
  }

  static boolean isCommit(byte[] framed) {
    return framed[TYPE_AT] == COMMIT;
  }

  private static ByteBuffer uidRecord(byte type, String uid, int more) {
    byte[] u = uid.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = record(type, 2 + u.length + more);
    b.putShort((short) u.length).put(u);
    return b;
  }

  /** A record buffer: room for length and CRC, then the type. */
  static ByteBuffer record(byte type, int payload) {
    ByteBuffer b = ByteBuffer.allocate(TYPE_AT + 1 + payload).order(ByteOrder.LITTLE_ENDIAN);
    b.position(TYPE_AT);
    b.put(type);
    return b;
  }

  /** Fills in length and CRC-32C of what was put after them. */
  // Only buffers from record(), allocated here with their array at offset 0, come in.
  @SuppressWarnings("ByteBufferBackingArray")
  static byte[] frame(ByteBuffer b) {
    int end = b.position();
    CRC32C crc = new CRC32C();
    crc.update(b.array(), TYPE_AT, end - TYPE_AT);
    b.putInt(0, end - TYPE_AT);
    b.putInt(4, (int) crc.getValue());
    return Arrays.copyOf(b.array(), end);
  }

  // ---------------------------------------------------------------- reading

  /**
   * Applies one checked record (its {@code len} bytes from the type letter at {@code p}) to {@code
   * table}; a description of what is wrong with it, or null. Fields are handed to the table as
   * offsets into {@code a}: a million records read without a string or a record object each.
   */
  static String apply(byte[] a, int p, int len, UidTable table) {
    int end = p + len;
    byte type = a[p];
    ByteBuffer b = ByteBuffer.wrap(a, p + 1, len - 1).order(ByteOrder.LITTLE_ENDIAN);
    try {
      switch (type) {
        case PUT:
        case PUT2:
          {
            int uidLen = b.getShort() & 0xFFFF;
            int uidOff = b.position();
            b.position(uidOff + uidLen);
            UidRecord.State st = UidRecord.State.fromLetter((char) b.get()).orElse(null);
            long seen = b.getLong();
            int keyOff = -1;
            if (b.get() == 1) {
              keyOff = b.position();
              b.position(keyOff + 32);
            }
            int fails = b.getInt();
            int errLen = b.get() & 0xFF;
            FetchError err = null;
            if (errLen > 0) {
              String name = new String(a, b.position(), errLen, StandardCharsets.US_ASCII);
              b.position(b.position() + errLen);
              err = errorNamed(name);
            }
            long size = UidRecord.UNKNOWN_SIZE;
            String words = null;
            if (type == PUT2) {
              size = b.getLong();
              int wordsLen = b.getShort() & 0xFFFF;
              if (wordsLen > 0) {
                words = new String(a, b.position(), wordsLen, StandardCharsets.UTF_8);
                b.position(b.position() + wordsLen);
              }
            }
            if (st == null
                || b.position() != end
                || size < UidRecord.UNKNOWN_SIZE
                || (keyOff < 0
                    && (st == UidRecord.State.DELIVERED || st == UidRecord.State.DELETED))) {
              return "a record does not read as a message's state";
            }
            table.putRaw(a, uidOff, uidLen, st, seen, keyOff, fails, err, words, size);
            return null;
          }
        case GONE:
          {
            int uidLen = b.getShort() & 0xFFFF;
            int uidOff = b.position();
            b.position(uidOff + uidLen);
            long since = b.getLong();
            if (b.position() != end) {
              return "a record does not read as a gone mark";
            }
            table.goneRaw(a, uidOff, uidLen, since);
            return null;
          }
        case FORGET:
          {
            int uidLen = b.getShort() & 0xFFFF;
            int uidOff = b.position();
            if (uidOff + uidLen != end) {
              return "a record does not read as a forgotten UID";
            }
            table.forgetRaw(a, uidOff, uidLen);
            return null;
          }
        case FIRST_RUN:
          return len == 9 ? null : "a record does not read as the first run";
        case COMMIT:
          return len == 5 ? null : "a record does not read as a commit mark";
        case MARK:
          {
            int markLen = b.getShort() & 0xFFFF;
            String mark = new String(a, b.position(), markLen, StandardCharsets.US_ASCII);
            if (b.position() + markLen != end || (markLen > 0 && !Require.keepableMark(mark))) {
              return "a record does not read as a mailbox mark";
            }
            table.mailboxMark(markLen == 0 ? null : mark);
            return null;
          }
        default:
          return "a record has a type this version of mailfetch does not know (was the file written by a newer"
              + " one?)";
      }
    } catch (RuntimeException e) {
      return "a record does not read as any known record";
    }
  }

  /** An error named by a later version is kept as no error rather than failing the whole file. */
  private static FetchError errorNamed(String name) {
    try {
      return FetchError.valueOf(name);
    } catch (IllegalArgumentException unknown) {
      return null;
    }
  }
}
