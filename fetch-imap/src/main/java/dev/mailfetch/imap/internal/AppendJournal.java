package dev.mailfetch.imap.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intent journal of an IMAP destination: a delivery is written "intended" (with the folders it
 * goes to and its Message-ID) before its {@code APPEND} is sent, and "done" (with where the server
 * put it) once the server answered {@code OK}. A key intended but not done when the process died is
 * in doubt: the sink looks it up on the server before appending it again. A delivery that failed
 * for good is "withdrawn". Each line ends with the CRC-32 of the rest ({@link AppendJournalLine});
 * a last line a crash cut short is dropped. The file is rewritten smaller when it has grown to
 * twice what it holds, keeping what is in doubt and the last {@link #KEEP_DONE} deliveries done
 * (those the state store may not have recorded yet; older ones it has). A file lock keeps a second
 * sink off it. Not thread-safe: the sink serializes its calls.
 */
public final class AppendJournal implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(AppendJournal.class);

  /** Deliveries done kept across a rewrite. */
  static final int KEEP_DONE = 20_000;

  /** A delivery written before its APPEND: where it goes, and how to find it. */
  public record Intent(List<String> folders, String messageId) {
    /** Keeps a copy. */
    public Intent {
      folders = List.copyOf(folders);
    }
  }

  /** Where the server put a delivery: its first folder and, with UIDPLUS, its UID there. */
  public record Placed(String folder, long uidValidity, long uid) {}

  private final Path file;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel out;
  private final Map<DeliveryKey, Intent> inDoubt = new LinkedHashMap<>();
  private final LinkedHashMap<DeliveryKey, Placed> done = new LinkedHashMap<>();
  private long linesWritten;

  private AppendJournal(Path file, FileChannel lockChannel, FileLock lock) {
    this.file = file;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Opens (or creates) the journal {@code file}, locks it and reads what it holds. */
  public static AppendJournal open(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw AppendSpool.failed("cannot create the directory of the IMAP journal " + abs, e);
    }
    Path lockFile = dir.resolve(abs.getFileName() + ".lock");
    FileChannel lc;
    try {
      lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw AppendSpool.failed("cannot open " + lockFile, e);
    }
    FileLock lock;
    try {
      lock = lc.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      lc.close();
      throw AppendSpool.failed("cannot lock " + lockFile, e);
    }
    if (lock == null) {
      lc.close();
      throw new FetchException(
          FetchError.CONFIGURATION,
          "another IMAP sink uses the journal "
              + abs
              + " right now; two at once could append a message twice",
          null,
          null,
          Remedy.of(
              "Let the other mailfetch delivering into this IMAP mailbox finish first: one run at a"
                  + " time per account.",
              "Close the other sink first, or give each sink a journal of its own"
                  + " (ImapAppendSink.Builder.journal)."));
    }
    AppendJournal j = new AppendJournal(abs, lc, lock);
    try {
      j.load();
    } catch (IOException | RuntimeException e) {
      j.close();
      throw e;
    }
    return j;
  }

  private void load() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw AppendSpool.failed("cannot read the IMAP journal " + file, e);
    }
    int start = 0;
    int kept = 0; // bytes of whole lines read
    while (start < all.length) {
      int nl = indexOf(all, (byte) '\n', start);
      if (nl < 0) {
        break; // a last line without its end: cut below
      }
      String line = new String(all, start, nl - start, StandardCharsets.UTF_8);
      String[] f = AppendJournalLine.parse(line);
      if (f == null) {
        log.warn("the IMAP journal {} has a damaged line at byte {}; it is skipped", file, start);
      } else {
        apply(f);
        linesWritten++;
      }
      start = nl + 1;
      kept = start;
    }
    if (kept < all.length) {
      log.info("the IMAP journal {} ends with a line a crash cut short; it is dropped", file);
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
        c.truncate(kept);
        c.force(true);
      } catch (IOException e) {
        throw AppendSpool.failed(
            "cannot cut the unfinished last line of the IMAP journal " + file, e);
      }
    }
  }

  private void apply(String[] f) {
    DeliveryKey key = DeliveryKey.parse(f[1]);
    switch (f[0]) {
      case "I" -> {
        if (!done.containsKey(key)) {
          inDoubt.put(key, AppendJournalLine.intentOf(f));
        }
      }
      case "D" -> {
        inDoubt.remove(key);
        done.put(key, AppendJournalLine.placedOf(f));
      }
      default -> inDoubt.remove(key); // "W": withdrawn
    }
  }

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Records that {@code key} is about to be appended (durable after {@link #force}). */
  public void intend(DeliveryKey key, Intent intent) throws IOException {
    write(AppendJournalLine.intent(key, intent));
    done.remove(key);
    inDoubt.put(key, intent);
  }

  /** Records that the server took {@code key} (durable after {@link #force}). */
  public void done(DeliveryKey key, Placed placed) throws IOException {
    write(AppendJournalLine.done(key, placed));
    inDoubt.remove(key);
    done.put(key, placed);
  }

  /** Records that {@code key} is neither held nor in doubt any more (refused, or not found). */
  public void withdraw(DeliveryKey key) throws IOException {
    if (inDoubt.remove(key) != null) {
      write(AppendJournalLine.withdrawal(key));
    }
  }

  /** Where the server put {@code key}, where the journal remembers it. */
  public Optional<Placed> placed(DeliveryKey key) {
    return Optional.ofNullable(done.get(key));
  }

  /** The deliveries in doubt: intended, neither done nor withdrawn. */
  public Map<DeliveryKey, Intent> inDoubt() {
    return new LinkedHashMap<>(inDoubt);
  }

  /** Forces what was written to disk, then rewrites the file smaller if it grew too long. */
  public void force() throws IOException {
    if (out != null) {
      try {
        out.force(false);
      } catch (IOException e) {
        throw AppendSpool.failed("cannot write the IMAP journal " + file, e);
      }
    }
    if (linesWritten > 2L * (inDoubt.size() + Math.min(done.size(), KEEP_DONE)) + 1000) {
      compact();
    }
  }

  /** How many lines the file holds now (for tests: it does not grow without bound). */
  long lines() {
    return linesWritten;
  }

  private void write(String line) throws IOException {
    try {
      if (out == null) {
        out =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
      }
      ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        out.write(b);
      }
      linesWritten++;
    } catch (IOException e) {
      throw AppendSpool.failed("cannot write the IMAP journal " + file, e);
    }
  }

  /** A new file written and forced, then renamed over the old one: never half old, half new. */
  private void compact() throws IOException {
    while (done.size() > KEEP_DONE) {
      Iterator<DeliveryKey> oldest = done.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    List<String> lines = new ArrayList<>();
    done.forEach((k, p) -> lines.add(AppendJournalLine.done(k, p)));
    inDoubt.forEach((k, i) -> lines.add(AppendJournalLine.intent(k, i)));
    Path tmp = file.resolveSibling(file.getFileName() + ".new");
    try {
      try (FileChannel c =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(String.join("", lines).getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
          c.write(b);
        }
        c.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw AppendSpool.failed("cannot rewrite the IMAP journal " + file, e);
    }
    try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory; the rename is as durable as they allow.
    }
    if (out != null) {
      out.close(); // it appended to the file just replaced
      out = null;
    }
    linesWritten = lines.size();
  }

  /** Forces and closes the file, and releases the lock. Safe to call more than once. */
  @Override
  public void close() throws IOException {
    try {
      if (out != null) {
        out.force(false);
        out.close();
        out = null;
      }
    } finally {
      try {
        if (lock.isValid()) {
          lock.release();
        }
      } finally {
        lockChannel.close();
      }
    }
  }
}
