package dev.mailfetch.dedup;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.UidRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads a journal into a {@link UidTable}, record by record, applying each whole record as it goes,
 * and tells an unfinished write at the end (dropped) from damage to saved data (refused).
 */
final class JournalReader {
  /** Saved data does not check out. */
  static final class Damaged extends IOException {
    private static final long serialVersionUID = 1L;

    Damaged(String message) {
      super(message);
    }
  }

  /**
   * What was read.
   *
   * @param validLength where the last whole record ends: the file is cut back here if longer
   * @param records how many records were applied
   * @param firstRun the first run's epoch second, or 0
   */
  record Result(long fileLength, long validLength, long records, long firstRun) {}

  private static final int CHUNK = 1 << 20;

  private JournalReader() {}

  static Result read(Path journal, UidTable table) throws IOException {
    try (FileChannel c = FileChannel.open(journal, StandardOpenOption.READ)) {
      long fileLength = c.size();
      ByteBuffer buf =
          ByteBuffer.allocate(CHUNK + JournalUidStore.MAX_RECORD + 8)
              .order(ByteOrder.LITTLE_ENDIAN);
      fill(c, buf);
      byte[] magic = JournalUidStore.MAGIC;
      if (buf.remaining() < magic.length) {
        byte[] head = new byte[buf.remaining()];
        buf.get(head);
        if (Arrays.equals(head, Arrays.copyOf(magic, head.length))) {
          return new Result(fileLength, 0, 0, 0); // cut short while being created
        }
        throw new Damaged("it does not start as a mailfetch state file");
      }
      byte[] head = new byte[magic.length];
      buf.get(head);
      if (!Arrays.equals(head, magic)) {
        throw new Damaged(
            "it does not start as a mailfetch state file (version 1 starts with \"MFUIDS01\")");
      }
      long offset = magic.length; // file offset of buf.position()
      long records = 0;
      long firstRun = 0;
      CRC32C crc = new CRC32C();
      byte[] a = buf.array();
      while (true) {
        if (buf.remaining() < 8 + JournalUidStore.MAX_RECORD
            && offset + buf.remaining() < fileLength) {
          buf.compact(); // what is left moves to the front; offset still names buf.position()
          fill(c, buf);
        }
        if (buf.remaining() == 0) {
          return new Result(fileLength, offset, records, firstRun);
        }
        String bad = null;
        int start = buf.position();
        int len = 0;
        if (buf.remaining() < 8) {
          bad = "a record is cut short";
        } else {
          len = buf.getInt(start);
          int sum = buf.getInt(start + 4);
          if (len < 1 || len > JournalUidStore.MAX_RECORD) {
            bad = "a record has an impossible length (" + len + ")";
          } else if (buf.remaining() < 8 + len) {
            bad = "a record is cut short";
          } else {
            crc.reset();
            crc.update(a, start + 8, len);
            if ((int) crc.getValue() != sum) {
              bad = "a record's checksum does not match";
            }
          }
        }
        if (bad == null) {
          String wrong = apply(a, start + 8, len, table);
          if (wrong == null) {
            if (a[start + 8] == JournalUidStore.FIRST_RUN) {
              firstRun = ByteBuffer.wrap(a, start + 9, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            }
            buf.position(start + 8 + len);
            offset += 8 + len;
            records++;
            continue;
          }
          bad = wrong;
        }
        // The first record that does not check out: the end of an unfinished write, or damage?
        if (committedAfter(c, offset + 1, fileLength)) {
          throw new Damaged(
              "at byte " + offset + ", " + bad + ", and records saved after it are intact");
        }
        return new Result(fileLength, offset, records, firstRun);
      }
    }
  }

  /** Applies one checked record; a description of what is wrong with it, or null. */
  private static String apply(byte[] a, int p, int len, UidTable table) {
    int end = p + len;
    byte type = a[p];
    ByteBuffer b = ByteBuffer.wrap(a, p + 1, len - 1).order(ByteOrder.LITTLE_ENDIAN);
    try {
      switch (type) {
        case JournalUidStore.PUT:
        case JournalUidStore.PUT2:
          {
            int uidLen = b.getShort() & 0xFFFF;
            int uidOff = b.position();
            b.position(uidOff + uidLen);
            UidRecord.State st = JournalUidStore.stateOf(b.get());
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
            if (type == JournalUidStore.PUT2) {
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
        case JournalUidStore.GONE:
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
        case JournalUidStore.FORGET:
          {
            int uidLen = b.getShort() & 0xFFFF;
            int uidOff = b.position();
            if (uidOff + uidLen != end) {
              return "a record does not read as a forgotten UID";
            }
            table.forgetRaw(a, uidOff, uidLen);
            return null;
          }
        case JournalUidStore.FIRST_RUN:
          return len == 9 ? null : "a record does not read as the first run";
        case JournalUidStore.COMMIT:
          return len == 5 ? null : "a record does not read as a commit mark";
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

  /**
   * Whether a whole commit mark lies anywhere in {@code [from, fileLength)}: then what came before
   * it was saved, and a bad record before it is damage rather than an unfinished write.
   */
  private static boolean committedAfter(FileChannel c, long from, long fileLength)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK + 16).order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    long base = from;
    while (base < fileLength) {
      buf.clear();
      int n = 0;
      while (buf.hasRemaining()) {
        int r = c.read(buf, base + n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      byte[] a = buf.array();
      for (int i = 0; i + 13 <= n; i++) {
        if (a[i] == 5
            && a[i + 1] == 0
            && a[i + 2] == 0
            && a[i + 3] == 0
            && a[i + 8] == JournalUidStore.COMMIT) {
          crc.reset();
          crc.update(a, i + 8, 5);
          int sum = ByteBuffer.wrap(a, i + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
          if ((int) crc.getValue() == sum) {
            return true;
          }
        }
      }
      if (n < buf.capacity()) {
        return false;
      }
      base += n - 12; // overlap, so a mark across two reads is seen
    }
    return false;
  }

  private static void fill(FileChannel c, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      if (c.read(buf) < 0) {
        break;
      }
    }
    buf.flip();
  }
}
