package dev.mailfetch.dedup;

import static dev.mailfetch.dedup.StateFiles.fsyncDirectory;
import static dev.mailfetch.dedup.StateFiles.stateProblem;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file {@code uids.journal}, append-only: records staged in memory go to the disk together,
 * with a commit mark, in one write and one {@code fdatasync} (one flush per batch, not per
 * message); at open it is read back into a {@link UidTable}, an unfinished write at its end cut off
 * and damage to saved data refused; when it holds far more records than the table has UIDs, it is
 * rewritten. Not thread-safe: the store calls it under its own lock.
 */
final class UidJournal {
  // The public class's category: a user's log settings for the store still apply.
  private static final Logger log = LoggerFactory.getLogger(JournalUidStore.class);

  private static final int COMPACT_MIN_RECORDS = 10_000;

  /** A rewrite puts a commit mark after at most this many records, or a MiB. */
  private static final int REWRITE_BATCH = 4096;

  private final Path dir;
  private final Path file;
  private final ByteArrayOutputStream staged = new ByteArrayOutputStream();
  private int stagedCount;
  private long records;
  private FileChannel out;

  UidJournal(Path dir) {
    this.dir = dir;
    this.file = dir.resolve("uids.journal");
  }

  Path path() {
    return file;
  }

  /**
   * Creates the file, or reads it into {@code table} and cuts off an unfinished write at its end;
   * then opens it for appending. The first run's epoch second, or 0.
   */
  long load(UidTable table) throws IOException {
    long firstRun = read(table);
    out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    return firstRun;
  }

  private long read(UidTable table) throws IOException {
    if (!Files.exists(file)) {
      try (FileChannel c =
          FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        c.write(ByteBuffer.wrap(JournalRecords.MAGIC));
        c.force(true);
      } catch (IOException e) {
        throw stateProblem("cannot create " + file, e);
      }
      fsyncDirectory(dir);
      return 0;
    }
    JournalReader.Result r;
    try {
      r = JournalReader.read(file, table);
    } catch (JournalReader.Damaged d) {
      throw new FetchException(
          FetchError.STATE_DAMAGED,
          "the state file "
              + file
              + " is damaged: "
              + d.getMessage()
              + ". mailfetch will not guess what it held, and has changed nothing",
          null,
          null,
          Remedy.of(
              "Restore "
                  + file
                  + " from a backup; or move it aside: the next run then takes every message on"
                  + " the server as new, and the messages already stored are recognised and not stored twice.",
              "Restore "
                  + file
                  + " from a backup; or move it aside: the next run then takes every message on"
                  + " the server as new, and a sink that passes the contract tests recognises the messages it"
                  + " holds by their delivery keys."));
    } catch (IOException e) {
      throw stateProblem("cannot read " + file, e);
    }
    records = r.records();
    if (r.validLength() < r.fileLength()) {
      log.warn(
          "{}: dropped {} bytes of an unfinished write at its end (a crash during the last save);"
              + " everything saved before it stands",
          file,
          r.fileLength() - r.validLength());
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
        c.truncate(r.validLength());
        c.force(true);
      } catch (IOException e) {
        throw stateProblem("cannot repair the end of " + file, e);
      }
    }
    table.trim();
    return r.firstRun();
  }

  /** Holds a framed record (from {@link JournalRecords}) until {@link #commit()}. */
  void stage(byte[] framed) {
    staged.writeBytes(framed);
    if (!JournalRecords.isCommit(framed)) {
      stagedCount++;
    }
    records++;
  }

  /** How many records wait for {@link #commit()}. */
  int stagedCount() {
    return stagedCount;
  }

  /** Appends the staged records and a commit mark, with one write and one flush to disk. */
  void commit() throws IOException {
    stage(JournalRecords.commit(stagedCount));
    stagedCount = 0;
    byte[] bytes = staged.toByteArray();
    staged.reset();
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        out.write(b);
      }
      out.force(false);
    } catch (IOException e) {
      throw stateProblem("cannot write " + file, e);
    }
  }

  /**
   * Whether the file holds more than twice as many records as there are {@code live} UIDs (and at
   * least 10,000 records): then a rewrite pays.
   */
  boolean wantsRewrite(long live) {
    return records > COMPACT_MIN_RECORDS && records > 2L * live;
  }

  /** How many records the file holds. */
  long records() {
    return records;
  }

  /**
   * Rewrites the file with only what {@code table} holds: a new file, flushed, renamed over the old
   * one, then the directory flushed, so a crash leaves the old journal or the new one, never
   * neither. Nothing may be staged. The table as read back from the new file, trimmed.
   */
  UidTable rewrite(UidTable table, Instant firstRun) throws IOException {
    Path next = dir.resolve("uids.journal.new");
    UidTable fresh = new UidTable();
    long written = 0;
    try (FileChannel c =
        FileChannel.open(
            next,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 20);
      buf.writeBytes(JournalRecords.MAGIC);
      int[] inBatch = {0};
      List<byte[]> chunks = new ArrayList<>();
      if (firstRun != null) {
        buf.writeBytes(JournalRecords.firstRun(firstRun.getEpochSecond()));
        inBatch[0]++;
      }
      if (table.mailboxMark() != null) {
        fresh.mailboxMark(table.mailboxMark());
        buf.writeBytes(JournalRecords.mailboxMark(table.mailboxMark()));
        inBatch[0]++;
      }
      long[] count = {inBatch[0]};
      table.forEach(
          (rec, gone) -> {
            fresh.put(rec);
            buf.writeBytes(JournalRecords.put(rec));
            inBatch[0]++;
            count[0]++;
            if (gone != 0) {
              fresh.gone(rec.uid(), gone);
              buf.writeBytes(JournalRecords.gone(rec.uid(), gone));
              inBatch[0]++;
              count[0]++;
            }
            if (inBatch[0] >= REWRITE_BATCH || buf.size() > (1 << 20)) {
              buf.writeBytes(JournalRecords.commit(inBatch[0]));
              count[0]++;
              inBatch[0] = 0;
              chunks.add(buf.toByteArray());
              buf.reset();
            }
          });
      buf.writeBytes(JournalRecords.commit(inBatch[0]));
      count[0]++;
      chunks.add(buf.toByteArray());
      for (byte[] chunk : chunks) {
        ByteBuffer b = ByteBuffer.wrap(chunk);
        while (b.hasRemaining()) {
          c.write(b);
        }
      }
      c.force(true);
      written = count[0];
    } catch (IOException e) {
      Files.deleteIfExists(next);
      throw stateProblem("cannot write " + next + " (compacting the state)", e);
    }
    out.close();
    try {
      Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
    }
    fsyncDirectory(dir);
    out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    fresh.trim();
    records = written;
    return fresh;
  }

  /** Closes the file; staged records not committed are dropped, as a crash would drop them. */
  void close() {
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException e) {
      log.warn("closing {}: {}", file, e.toString());
    }
  }
}
