package dev.mailfetch.dedup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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
          ByteBuffer.allocate(CHUNK + JournalRecords.MAX_RECORD + 8).order(ByteOrder.LITTLE_ENDIAN);
      fill(c, buf);
      byte[] magic = JournalRecords.MAGIC;
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
        if (buf.remaining() < 8 + JournalRecords.MAX_RECORD
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
          if (len < 1 || len > JournalRecords.MAX_RECORD) {
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
          String wrong = JournalRecords.apply(a, start + 8, len, table);
          if (wrong == null) {
            if (a[start + 8] == JournalRecords.FIRST_RUN) {
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
            && a[i + 8] == JournalRecords.COMMIT) {
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
