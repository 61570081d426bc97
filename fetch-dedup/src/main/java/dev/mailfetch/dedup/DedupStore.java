package dev.mailfetch.dedup;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.internal.Require;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dedup policies remember: for each dedup key (a Message-ID, a content digest, a UID), the
 * delivery key of the first copy and when it was delivered, within a window of time and size. The
 * first copy wins: a key remembered is never replaced.
 *
 * <p>One store usually serves every account that delivers into one sink, so that a message that
 * arrives twice by different ways (forwarded to one account, fetched from another) is caught.
 *
 * <p><b>The window.</b> Entries older than {@link Window#maxAge} are forgotten, and beyond {@link
 * Window#maxEntries} the oldest go first. Forgetting costs at most a duplicate, never a message.
 *
 * <p><b>On disk</b> ({@link #open}): one line per entry, {@code <crc32c> <epoch second> <delivery
 * key> <dedup key>}, appended; flushed to disk every 64 entries, at {@link #sync()} and at {@link
 * #close()}. The file is read when the store is first asked or told about a message, not when it is
 * opened: a run with nothing new never reads it (its lock is taken at {@link #open}, so a second
 * process is still refused there). A line that does not check out (cut by a crash, or damaged) is
 * skipped with a warning: losing an entry can only let a duplicate through. The file is rewritten
 * (temporary file, flush, rename, directory flush) when it holds more than twice the live entries.
 * An exclusive lock on the file keeps a second process out: {@link FetchError#LOCKED}.
 *
 * <p>Safe for concurrent use.
 */
public final class DedupStore implements FirstCopies, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DedupStore.class);
  private static final int SYNC_EVERY = 64;

  /**
   * How much is remembered.
   *
   * @param maxAge entries older than this are forgotten
   * @param maxEntries beyond this many, the oldest are forgotten
   */
  public record Window(Duration maxAge, int maxEntries) {
    /** 90 days and 1,000,000 entries: a year of busy mail in under 200 MB of heap. */
    public static final Window DEFAULT = new Window(Duration.ofDays(90), 1_000_000);

    /**
     * Checks the components.
     *
     * @param maxAge entries older than this are forgotten
     * @param maxEntries beyond this many, the oldest are forgotten
     * @throws NullPointerException if {@code maxAge} is null
     * @throws IllegalArgumentException if {@code maxAge} is not positive or {@code maxEntries} is
     *     less than 1
     */
    public Window {
      Require.positive("maxAge", maxAge);
      Require.requireArgument(maxEntries >= 1, "maxEntries must be at least 1: %d", maxEntries);
    }
  }

  private record Entry(DeliveryKey key, long at) {}

  private final Window window;
  private final Path file;
  private FileChannel channel;

  /** On {@code <file>.lock}, so that rewriting the file does not drop it. */
  private final FileChannel lockChannel;

  private final FileLock lock;

  /** In delivery order, so the oldest are first. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  private long lines;
  private int unsynced;

  /** Whether the file has been read into {@link #entries} (at the first question, not at open). */
  private boolean loaded;

  private DedupStore(
      Window window, Path file, FileChannel channel, FileChannel lockChannel, FileLock lock) {
    this.window = window;
    this.file = file;
    this.channel = channel;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** A store that lives as long as the process. */
  public static DedupStore inMemory(Window window) {
    return new DedupStore(Objects.requireNonNull(window, "window"), null, null, null, null);
  }

  /** The store in {@code file} (created if missing), with its lock ({@code <file>.lock}). */
  public static DedupStore open(Path file, Window window) throws IOException {
    Path f = file.toAbsolutePath().normalize();
    Path lockFile = f.resolveSibling(f.getFileName() + ".lock");
    FileChannel lc;
    try {
      Files.createDirectories(f.getParent());
      lc =
          FileChannel.open(
              lockFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw StateFiles.stateProblem("cannot open " + lockFile, e);
    }
    FileLock l;
    boolean sameProcess = false;
    try {
      l = lc.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
      sameProcess = true;
    }
    if (l == null) {
      LeaseOwner owner = LeaseOwner.read(lc);
      lc.close();
      throw LeaseOwner.locked(
          "the dedup store " + f,
          "DedupStore",
          lockFile,
          owner,
          sameProcess,
          "Share one DedupStore between the fetchers of one process: open " + f + " once.",
          "");
    }
    try {
      Instant now = Instant.now();
      LeaseOwner.thisProcess(now, now).write(lc); // so that a second opener can say whose it is
    } catch (IOException e) {
      log.debug("writing the owner into {}: {}", lockFile, e.toString());
    }
    FileChannel c;
    try {
      c =
          FileChannel.open(
              f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      l.release();
      lc.close();
      throw StateFiles.stateProblem("cannot open the dedup store " + f, e);
    }
    // Not read yet: a run that delivers nothing never asks (see loaded()).
    return new DedupStore(window, f, c, lc, l);
  }

  /**
   * The first copy remembered under {@code dedupKey}, if within the window.
   *
   * @throws UncheckedIOException if the store's file, read at the first question, cannot be read
   *     (the policies of {@link Dedup} get the {@link IOException} itself)
   */
  @Override
  public synchronized Optional<DeliveryKey> firstCopy(String dedupKey, Instant now) {
    try {
      return firstCopyRead(dedupKey, now);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As {@link #firstCopy}, a failure to read the file as itself (for {@link Dedup}'s policies). */
  synchronized Optional<DeliveryKey> firstCopyRead(String dedupKey, Instant now)
      throws IOException {
    loaded();
    Entry e = entries.get(dedupKey);
    if (e == null || e.at < now.minus(window.maxAge()).getEpochSecond()) {
      return Optional.empty();
    }
    return Optional.of(e.key);
  }

  /** Remembers {@code key} as the first copy under {@code dedupKey}, unless one is remembered. */
  @Override
  public synchronized void remember(String dedupKey, DeliveryKey key, Instant at)
      throws IOException {
    loaded();
    String k = dedupKey.replace('\r', ' ').replace('\n', ' ');
    if (entries.containsKey(k)) {
      return;
    }
    entries.put(k, new Entry(key, at.getEpochSecond()));
    evict(at);
    if (channel != null) {
      append(line(k, key, at.getEpochSecond()));
      if (++unsynced >= SYNC_EVERY) {
        sync();
      }
      if (lines > 2L * entries.size() + 1000) {
        rewrite();
      }
    }
  }

  /**
   * This store as the policies of {@link Dedup} use it: a file that cannot be read at the first
   * question is an {@link IOException}, as any other failure of the store, not an unchecked one.
   */
  FirstCopies reading() {
    DedupStore store = this;
    return new FirstCopies() {
      @Override
      public Optional<DeliveryKey> firstCopy(String dedupKey, Instant now) throws IOException {
        return store.firstCopyRead(dedupKey, now);
      }

      @Override
      public void remember(String dedupKey, DeliveryKey key, Instant at) throws IOException {
        store.remember(dedupKey, key, at);
      }

      @Override
      public void sync() throws IOException {
        store.sync();
      }

      @Override
      public String toString() {
        return store.toString();
      }
    };
  }

  /**
   * How many entries are remembered.
   *
   * @throws UncheckedIOException if the store's file, read at the first question, cannot be read
   */
  public synchronized int size() {
    try {
      loaded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries.size();
  }

  /** Flushes what was remembered to the disk. */
  @Override
  public synchronized void sync() throws IOException {
    if (channel != null && unsynced > 0) {
      channel.force(false);
      unsynced = 0;
    }
  }

  @Override
  public synchronized void close() {
    if (channel == null) {
      return;
    }
    try {
      sync();
    } catch (IOException e) {
      log.warn("flushing the dedup store {}: {}", file, e.toString());
    }
    try {
      channel.close();
      lockChannel.truncate(0); // no owner any more
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      log.warn("closing the dedup store {}: {}", file, e.toString());
    }
  }

  @Override
  public String toString() {
    return "DedupStore[" + (file == null ? "in memory" : file) + ", " + window + "]";
  }

  // ---------------------------------------------------------------- inside

  private void evict(Instant now) {
    long oldest = now.minus(window.maxAge()).getEpochSecond();
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Entry> e = it.next();
      if (entries.size() > window.maxEntries() || e.getValue().at < oldest) {
        it.remove();
      } else {
        break; // in delivery order: the rest are younger
      }
    }
  }

  private static String line(String dedupKey, DeliveryKey key, long at) {
    String rest = at + " " + key + " " + dedupKey;
    CRC32C crc = new CRC32C();
    crc.update(rest.getBytes(StandardCharsets.UTF_8));
    String hex = Long.toHexString(crc.getValue());
    return "00000000".substring(hex.length()) + hex + " " + rest + "\n";
  }

  /** The 8 hex digits at {@code at} as a number, or -1 if they are not 8 hex digits. */
  private static long hex8(byte[] b, int at) {
    long v = 0;
    for (int i = at; i < at + 8; i++) {
      int d = Character.digit(b[i], 16);
      if (d < 0 || b[i] < 0) {
        return -1;
      }
      v = v << 4 | d;
    }
    return v;
  }

  private void append(String line) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
    long at = channel.size();
    while (b.hasRemaining()) {
      at += channel.write(b, at);
    }
    lines++;
  }

  /**
   * Reads the file once, at the first question: what the store remembers matters only to a message
   * that is being fetched, and a poll of a mailbox with nothing new (the cron case) should not pay
   * for reading a year of entries. The lock, taken at open, keeps the file as it is meanwhile.
   */
  private void loaded() throws IOException {
    if (loaded || channel == null) {
      return;
    }
    try {
      load();
    } catch (IOException | RuntimeException e) {
      entries.clear(); // read again, whole, at the next question
      lines = 0;
      throw e;
    }
    loaded = true;
  }

  private void load() throws IOException {
    byte[] all = Files.readAllBytes(file);
    int skipped = 0;
    int pos = 0;
    while (pos < all.length) {
      int nl = pos;
      while (nl < all.length && all[nl] != '\n') {
        nl++;
      }
      if (nl == all.length) {
        skipped++; // cut by a crash
        break;
      }
      int start = pos;
      pos = nl + 1;
      // "crc at key dedupKey\n", the CRC-32C (8 hex digits) over what follows it and its space:
      // checked on the bytes, and only a line that checks out is made into strings.
      long crc = nl - start > 9 && all[start + 8] == ' ' ? hex8(all, start) : -1;
      Entry parsed = null;
      String dedupKey = null;
      if (crc >= 0) {
        CRC32C c = new CRC32C();
        c.update(all, start + 9, nl - start - 9);
        String rest =
            c.getValue() == crc
                ? new String(all, start + 9, nl - start - 9, StandardCharsets.UTF_8)
                : "";
        int s1 = rest.indexOf(' ');
        int s2 = s1 < 0 ? -1 : rest.indexOf(' ', s1 + 1);
        if (s2 >= 0) {
          try {
            parsed =
                new Entry(
                    DeliveryKey.parse(rest.substring(s1 + 1, s2)), Long.parseLong(rest, 0, s1, 10));
            dedupKey = rest.substring(s2 + 1);
          } catch (IllegalArgumentException bad) {
            parsed = null;
          }
        }
      }
      if (parsed == null) {
        skipped++;
        continue;
      }
      entries.putIfAbsent(dedupKey, parsed);
      lines++;
    }
    if (skipped > 0) {
      log.warn(
          "dedup store {}: {} line(s) did not check out and were skipped (a crash during a write, or"
              + " damage); at worst a duplicate gets through",
          file,
          skipped);
    }
    evict(Instant.now());
    if (skipped > 0 || lines > 2L * entries.size() + 1000) {
      rewrite(); // also drops a cut last line, so appends start on a line of their own
    }
  }

  /** Writes the live entries to a new file, flushed, renamed over the old one. */
  private void rewrite() throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".new");
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      sb.append(line(e.getKey(), e.getValue().key, e.getValue().at));
    }
    try (FileChannel c =
        FileChannel.open(
            next,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(true);
    }
    channel.close();
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    lines = entries.size();
    unsynced = 0;
  }
}
