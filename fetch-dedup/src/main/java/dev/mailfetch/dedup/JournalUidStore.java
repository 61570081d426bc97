package dev.mailfetch.dedup;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidStore;
import dev.mailfetch.api.internal.Require;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link UidStore}: one directory per account holding an append-only journal of what
 * happened to each message, and a lease so that one account is fetched by one process at a time.
 *
 * <p><b>The journal</b> ({@code uids.journal}) is a sequence of records, each with its length and a
 * CRC-32C of its bytes. {@link #put} only stages a record (and stages nothing when the record is
 * already held exactly, so a poll with no new mail writes nothing); {@link #sync()} appends every
 * staged record and a commit marker in one write and one {@code fdatasync}: one flush per batch,
 * not per message. The format is in docs/state.md.
 *
 * <p><b>Recovery.</b> At open, the journal is read from the start. A record that does not check out
 * (cut short, wrong checksum, zeros where a crash left the file longer than its data) after the
 * last commit marker is the unfinished write of a crash: it and what follows are dropped, the file
 * is cut back there, and everything committed stands. A bad record followed by a good commit is
 * damage to saved data: opening fails with {@link FetchError#STATE_DAMAGED}, naming the file and
 * how to recover, and the file is left as it is. A damaged store is never replaced by an empty one,
 * which would download the whole mailbox again.
 *
 * <p><b>Forgetting.</b> {@link #retainListed} notes the UIDs the server no longer lists; a UID gone
 * for {@link Builder#forgetAfter} (30 days by default) is forgotten. A message that comes back
 * before then is still known; one that comes back later is recognised by the sink's delivery key.
 *
 * <p><b>Compaction.</b> When the journal holds more than twice as many records as there are UIDs
 * (and at least 10,000 records), it is rewritten: the live records go to a new file, which is
 * flushed, renamed over the journal, and the directory flushed, so a crash leaves the old journal
 * or the new one, never neither.
 *
 * <p><b>The lease.</b> Opening takes an exclusive lock on {@code lease} in the directory (the
 * operating system's file lock, released when the process ends, however it ends) and writes an
 * owner record there (process, host, time). A second opener, in this process or another, gets
 * {@link FetchError#LOCKED} naming the owner. {@link #close()} releases it.
 *
 * <p>Safe for use by several threads; one store is one account's.
 */
public final class JournalUidStore implements UidStore, AutoCloseable {
  /** Default of {@link Builder#forgetAfter}: 30 days. */
  public static final Duration DEFAULT_FORGET_AFTER = Duration.ofDays(30);

  /** Default of {@link Builder#staleAfter}: 1 hour. */
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(JournalUidStore.class);
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

  /** No record is longer: a length beyond it is damage, not a record. */
  static final int MAX_RECORD = 70_000;

  private static final int COMPACT_MIN_RECORDS = 10_000;

  private final Path dir;
  private final Path journal;
  private final Path fingerprintFile;
  private final Map<String, byte[]> stagedFingerprints = new LinkedHashMap<>();
  private final Duration forgetAfter;
  private final FileChannel leaseChannel;
  private final FileLock lease;
  private final Instant since;
  private long lastHeartbeat;
  private UidTable table = new UidTable();
  private Instant firstRun;
  private FileChannel out;
  private long records;
  private final ByteArrayOutputStream staged = new ByteArrayOutputStream();
  private int stagedCount;
  private boolean closed;

  private JournalUidStore(Builder b) throws IOException {
    this.dir = b.dir;
    this.journal = dir.resolve("uids.journal");
    this.fingerprintFile = dir.resolve("headers.journal");
    this.forgetAfter = b.forgetAfter;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw stateProblem("cannot create the state directory " + dir, e);
    }
    Path leaseFile = dir.resolve("lease");
    FileChannel lc;
    try {
      lc =
          FileChannel.open(
              leaseFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw stateProblem("cannot open " + leaseFile, e);
    }
    FileLock lock;
    boolean locksWork = true;
    boolean sameProcess = false;
    try {
      lock = lc.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
      sameProcess = true; // a JournalUidStore of this process holds it
    } catch (IOException e) {
      // A file system without working locks (some network mounts): the owner record alone decides.
      locksWork = false;
      lock = null;
      log.warn(
          "file locks do not work on {} ({}); the account lease relies on its owner record, stale after {}",
          leaseFile,
          e.getMessage(),
          b.staleAfter);
    }
    LeaseOwner owner = LeaseOwner.read(lc);
    if (lock == null) {
      boolean stale = owner != null && owner.alive().isBefore(Instant.now().minus(b.staleAfter));
      if (locksWork || (owner != null && !stale && !owner.isThisProcess())) {
        lc.close();
        throw LeaseOwner.locked(
            "the account whose state is in " + dir,
            "JournalUidStore",
            leaseFile,
            owner,
            sameProcess,
            "Close the other JournalUidStore of "
                + dir
                + " first: one store per account, one at a time.",
            owner != null && stale
                ? "; it has shown no sign of life since "
                    + owner.alive()
                    + ", so if"
                    + " that process hangs, stop it"
                : "");
      }
    }
    this.leaseChannel = lc;
    this.lease = lock;
    this.since = Instant.now();
    try {
      LeaseOwner.thisProcess(since, since).write(lc);
      lastHeartbeat = System.nanoTime();
      load();
      out = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      if (records > COMPACT_MIN_RECORDS && records > 2L * table.live()) {
        compact();
      }
    } catch (IOException | RuntimeException e) {
      releaseLease();
      throw e;
    }
  }

  /** The store in {@code directory} (one account's), with the defaults; created if missing. */
  public static JournalUidStore open(Path directory) throws IOException {
    return builder(directory).build();
  }

  /** A builder for the store in {@code directory}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /**
   * The directory for {@code account} under {@code stateRoot}: the account name with every
   * character but letters, digits, '.', '_', '-' and '@' as {@code %XX} of its UTF-8 bytes, so that
   * any account name is one safe directory name ("." and ".." included).
   */
  public static Path directoryFor(Path stateRoot, String account) {
    StringBuilder name = new StringBuilder();
    for (byte b : account.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '@'
              || (c == '.' && name.length() > 0);
      name.append(plain ? String.valueOf(c) : String.format("%%%02X", b & 0xFF));
    }
    return stateRoot.resolve(name.length() == 0 ? "%" : name.toString());
  }

  /** Where the journal is. */
  public Path journal() {
    return journal;
  }

  @Override
  public synchronized Optional<UidRecord> get(String uid) throws IOException {
    open();
    return Optional.ofNullable(table.get(uid));
  }

  @Override
  public synchronized void put(UidRecord record) throws IOException {
    open();
    if (table.put(record)) {
      stage(putRecord(record));
    }
  }

  @Override
  public synchronized Optional<Instant> firstRun() throws IOException {
    open();
    return Optional.ofNullable(firstRun);
  }

  @Override
  public synchronized void recordFirstRun(Instant at) throws IOException {
    open();
    if (firstRun == null) {
      firstRun = Instant.ofEpochSecond(at.getEpochSecond());
      ByteBuffer r = record(FIRST_RUN, 8);
      r.putLong(firstRun.getEpochSecond());
      stage(r);
    }
  }

  /**
   * The server listed exactly {@code listed} at {@code now}: every other UID held is noted as gone
   * since {@code now} (if not already), UIDs listed again lose that note, and UIDs gone for longer
   * than {@link Builder#forgetAfter} are forgotten. Durable at the next {@link #sync()}.
   */
  @Override
  public synchronized Set<String> retainListed(Set<String> listed, Instant now) throws IOException {
    open();
    long nowSec = now.getEpochSecond();
    Set<String> gone = new HashSet<>();
    // Visited in place, not copied out first: a million UIDs as strings would cost some 60 MB.
    // Marking and forgetting change an entry, never the table's shape, so the walk stays valid.
    table.forEachUid(
        uid -> {
          long since = table.goneSince(uid);
          if (listed.contains(uid)) {
            if (since != 0 && table.gone(uid, 0)) {
              stage(goneRecord(uid, 0));
            }
          } else if (since == 0) {
            table.gone(uid, nowSec);
            stage(goneRecord(uid, nowSec));
            gone.add(uid);
          } else if (nowSec - since >= forgetAfter.getSeconds()) {
            table.forget(uid);
            stage(uidRecord(FORGET, uid, 0));
          } else {
            gone.add(uid);
          }
        });
    return gone;
  }

  /**
   * Yes: in {@code headers.journal}, read only when the engine suspects changed UIDs (quirk Q26).
   */
  @Override
  public boolean keepsFingerprints() {
    return true;
  }

  @Override
  public synchronized void recordFingerprint(String uid, byte[] fingerprint) throws IOException {
    open();
    stagedFingerprints.put(uid, fingerprint.clone());
  }

  /**
   * The fingerprints of {@code uids}: read from {@code headers.journal} (one line per delivered
   * message: CRC-32C, the UID's UTF-8 in hex, the fingerprint in hex), and those staged since the
   * last sync. A line that does not check out is skipped: a missing fingerprint only means that
   * message is downloaded again after a UID change.
   */
  @Override
  public synchronized Map<String, byte[]> fingerprints(Set<String> uids) throws IOException {
    open();
    Map<String, byte[]> out = new HashMap<>();
    if (Files.exists(fingerprintFile)) {
      try (BufferedReader r = Files.newBufferedReader(fingerprintFile, StandardCharsets.US_ASCII)) {
        String line;
        while ((line = r.readLine()) != null) {
          String[] f = line.split(" ");
          if (f.length != 3 || !f[0].equals(crc(f[1] + " " + f[2]))) {
            continue;
          }
          try {
            String uid = new String(HexFormat.of().parseHex(f[1]), StandardCharsets.UTF_8);
            if (uids.contains(uid)) {
              out.put(uid, HexFormat.of().parseHex(f[2]));
            }
          } catch (IllegalArgumentException damaged) {
            // skipped, as above
          }
        }
      } catch (IOException e) {
        throw stateProblem("cannot read " + fingerprintFile, e);
      }
    }
    for (Map.Entry<String, byte[]> e : stagedFingerprints.entrySet()) {
      if (uids.contains(e.getKey())) {
        out.put(e.getKey(), e.getValue().clone());
      }
    }
    return out;
  }

  private static String crc(String s) {
    CRC32C c = new CRC32C();
    c.update(s.getBytes(StandardCharsets.US_ASCII));
    return String.format("%08x", c.getValue());
  }

  private static String fingerprintLine(String uid, byte[] fp) {
    String rest =
        HexFormat.of().formatHex(uid.getBytes(StandardCharsets.UTF_8))
            + " "
            + HexFormat.of().formatHex(fp);
    return crc(rest) + " " + rest + "\n";
  }

  /** Rewrites {@code headers.journal} with the fingerprints of the UIDs still remembered. */
  private void compactFingerprints() throws IOException {
    if (!Files.exists(fingerprintFile)) {
      return;
    }
    Set<String> live = new HashSet<>();
    table.forEachUid(live::add);
    Map<String, byte[]> keep = fingerprints(live);
    Path next = dir.resolve("headers.journal.new");
    StringBuilder sb = new StringBuilder();
    keep.forEach((uid, fp) -> sb.append(fingerprintLine(uid, fp)));
    try (FileChannel c =
        FileChannel.open(
            next,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(next);
      throw stateProblem("cannot write " + next + " (compacting the fingerprints)", e);
    }
    Files.move(
        next, fingerprintFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory();
  }

  /** Appends the staged fingerprints (after the journal's flush: they only ever help). */
  private void syncFingerprints() throws IOException {
    if (stagedFingerprints.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    stagedFingerprints.forEach((uid, fp) -> sb.append(fingerprintLine(uid, fp)));
    try (FileChannel c =
        FileChannel.open(
            fingerprintFile,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(false);
    } catch (IOException e) {
      throw stateProblem("cannot write " + fingerprintFile, e);
    }
    stagedFingerprints.clear();
  }

  /** Appends what was recorded since the last sync, with one write and one flush to disk. */
  @Override
  public synchronized void sync() throws IOException {
    open();
    if (stagedCount == 0) {
      syncFingerprints();
      return;
    }
    ByteBuffer commit = record(COMMIT, 4);
    commit.putInt(stagedCount);
    stage(commit);
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
      throw stateProblem("cannot write " + journal, e);
    }
    syncFingerprints();
    if (records > COMPACT_MIN_RECORDS && records > 2L * table.live()) {
      compact();
    }
    heartbeat();
  }

  /** Refreshes the owner record's sign of life, at most every 30 s (no flush: it is a hint). */
  private void heartbeat() {
    long now = System.nanoTime();
    if (now - lastHeartbeat < 30_000_000_000L) {
      return;
    }
    lastHeartbeat = now;
    try {
      LeaseOwner.thisProcess(since, Instant.now()).write(leaseChannel);
    } catch (IOException e) {
      log.debug("refreshing the owner record in {}: {}", dir, e.toString());
    }
  }

  /**
   * Rewrites the journal with only what it holds now: a new file, flushed, renamed over the old
   * one, then the directory flushed. Staged records are synced first.
   */
  public synchronized void compact() throws IOException {
    open();
    if (stagedCount > 0) {
      sync();
    }
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
      buf.writeBytes(MAGIC);
      int[] inBatch = {0};
      List<byte[]> chunks = new ArrayList<>();
      if (firstRun != null) {
        ByteBuffer r = record(FIRST_RUN, 8);
        r.putLong(firstRun.getEpochSecond());
        buf.writeBytes(finish(r));
        inBatch[0]++;
      }
      long[] count = {inBatch[0]};
      table.forEach(
          (rec, gone) -> {
            fresh.put(rec);
            buf.writeBytes(finish(putRecord(rec)));
            inBatch[0]++;
            count[0]++;
            if (gone != 0) {
              fresh.gone(rec.uid(), gone);
              buf.writeBytes(finish(goneRecord(rec.uid(), gone)));
              inBatch[0]++;
              count[0]++;
            }
            if (inBatch[0] >= 4096 || buf.size() > (1 << 20)) {
              ByteBuffer commit = record(COMMIT, 4);
              commit.putInt(inBatch[0]);
              buf.writeBytes(finish(commit));
              count[0]++;
              inBatch[0] = 0;
              chunks.add(buf.toByteArray());
              buf.reset();
            }
          });
      ByteBuffer commit = record(COMMIT, 4);
      commit.putInt(inBatch[0]);
      buf.writeBytes(finish(commit));
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
      Files.move(
          next, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(next, journal, StandardCopyOption.REPLACE_EXISTING);
    }
    fsyncDirectory();
    out = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    fresh.trim();
    table = fresh;
    records = written;
    compactFingerprints();
    log.debug("compacted {} to {} records", journal, written);
  }

  /** Releases the lease. Staged records not synced are dropped, as a crash would drop them. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException e) {
      log.warn("closing {}: {}", journal, e.toString());
    }
    releaseLease();
  }

  @Override
  public String toString() {
    return "JournalUidStore[" + dir + "]";
  }

  // ---------------------------------------------------------------- records

  private void open() {
    if (closed) {
      throw new IllegalStateException("this store is closed");
    }
  }

  private void stage(ByteBuffer r) {
    staged.writeBytes(finish(r));
    if (r.get(8) != COMMIT) {
      stagedCount++;
    }
    records++;
  }

  /** A record buffer: room for length and CRC, then the type. */
  static ByteBuffer record(byte type, int payload) {
    ByteBuffer b = ByteBuffer.allocate(8 + 1 + payload).order(ByteOrder.LITTLE_ENDIAN);
    b.position(8);
    b.put(type);
    return b;
  }

  /** Fills in length and CRC-32C of what was put after them. */
  static byte[] finish(ByteBuffer b) {
    int end = b.position();
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 8, end - 8);
    b.putInt(0, end - 8);
    b.putInt(4, (int) crc.getValue());
    return Arrays.copyOf(b.array(), end);
  }

  private static ByteBuffer putRecord(UidRecord r) {
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
    b.put(stateCode(r.state()));
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
    return b;
  }

  /** A letter per state, so that the file does not depend on the order of an enum. */
  static byte stateCode(UidRecord.State s) {
    switch (s) {
      case BASELINE:
        return 'B';
      case DELIVERED:
        return 'D';
      case DUPLICATE:
        return 'U';
      case DELETED:
        return 'X';
      default:
        return 'F';
    }
  }

  /** The state of a letter, or null for a letter no version wrote. */
  static UidRecord.State stateOf(byte code) {
    switch (code) {
      case 'B':
        return UidRecord.State.BASELINE;
      case 'D':
        return UidRecord.State.DELIVERED;
      case 'U':
        return UidRecord.State.DUPLICATE;
      case 'X':
        return UidRecord.State.DELETED;
      case 'F':
        return UidRecord.State.FAILED;
      default:
        return null;
    }
  }

  private static ByteBuffer goneRecord(String uid, long since) {
    return uidRecord(GONE, uid, since);
  }

  private static ByteBuffer uidRecord(byte type, String uid, long value) {
    byte[] u = uid.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = record(type, 2 + u.length + (type == GONE ? 8 : 0));
    b.putShort((short) u.length).put(u);
    if (type == GONE) {
      b.putLong(value);
    }
    return b;
  }

  // ---------------------------------------------------------------- loading

  private void load() throws IOException {
    if (!Files.exists(journal)) {
      try (FileChannel c =
          FileChannel.open(journal, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        c.write(ByteBuffer.wrap(MAGIC));
        c.force(true);
      } catch (IOException e) {
        throw stateProblem("cannot create " + journal, e);
      }
      fsyncDirectory();
      return;
    }
    JournalReader.Result r;
    try {
      r = JournalReader.read(journal, table);
    } catch (JournalReader.Damaged d) {
      throw new FetchException(
          FetchError.STATE_DAMAGED,
          "the state file "
              + journal
              + " is damaged: "
              + d.getMessage()
              + ". mailfetch will not guess what it held, and has changed nothing",
          null,
          null,
          Remedy.of(
              "Restore "
                  + journal
                  + " from a backup; or move it aside: the next run then takes every message on"
                  + " the server as new, and the messages already stored are recognised and not stored twice.",
              "Restore "
                  + journal
                  + " from a backup; or move it aside: the next run then takes every message on"
                  + " the server as new, and a sink that passes the contract tests recognises the messages it"
                  + " holds by their delivery keys."));
    } catch (IOException e) {
      throw stateProblem("cannot read " + journal, e);
    }
    if (r.firstRun() != 0) {
      firstRun = Instant.ofEpochSecond(r.firstRun());
    }
    records = r.records();
    if (r.validLength() < r.fileLength()) {
      log.warn(
          "{}: dropped {} bytes of an unfinished write at its end (a crash during the last save);"
              + " everything saved before it stands",
          journal,
          r.fileLength() - r.validLength());
      try (FileChannel c = FileChannel.open(journal, StandardOpenOption.WRITE)) {
        c.truncate(r.validLength());
        c.force(true);
      } catch (IOException e) {
        throw stateProblem("cannot repair the end of " + journal, e);
      }
    }
    table.trim();
  }

  private void fsyncDirectory() throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException e) {
      throw stateProblem("cannot flush the directory " + dir, e);
    }
  }

  // ---------------------------------------------------------------- the lease

  private void releaseLease() {
    try {
      if (lease != null) {
        lease.release();
      }
      leaseChannel.truncate(0); // no owner: the next opener, on any file system, may take it
    } catch (IOException e) {
      log.warn("releasing the lease in {}: {}", dir, e.toString());
    }
    try {
      leaseChannel.close();
    } catch (IOException e) {
      log.warn("closing the lease in {}: {}", dir, e.toString());
    }
  }

  /** A state file that cannot be read or written, with the reason in words (not only the path). */
  static FetchException stateProblem(String what, IOException e) {
    String reason =
        e instanceof FileSystemException && ((FileSystemException) e).getReason() != null
            ? ((FileSystemException) e).getReason()
            : e.getMessage();
    if (e instanceof NoSuchFileException) {
      reason = "it does not exist";
    } else if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    }
    return new FetchException(FetchError.STATE_FAILED, what + ": " + reason, e);
  }

  /** Builds a {@link JournalUidStore}; settings are checked when set. */
  public static final class Builder {
    private final Path dir;
    private Duration forgetAfter = DEFAULT_FORGET_AFTER;
    private Duration staleAfter = DEFAULT_STALE_AFTER;
    private final Require.Once once = new Require.Once();

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "directory").toAbsolutePath().normalize();
    }

    /**
     * How long a UID gone from the server is remembered; {@link #DEFAULT_FORGET_AFTER} (30 days) by
     * default, at least one day.
     *
     * @throws IllegalArgumentException if shorter than a day; IllegalStateException if set before
     */
    public Builder forgetAfter(Duration d) {
      once.set("forgetAfter", this.forgetAfter);
      Objects.requireNonNull(d, "forgetAfter");
      Require.requireArgument(
          d.compareTo(Duration.ofDays(1)) >= 0, "forgetAfter must be at least one day: %s", d);
      this.forgetAfter = d;
      return this;
    }

    /**
     * How long an owner may show no sign of life (it refreshes its record at every sync, that is
     * every batch) before its lease counts as stale: {@link #DEFAULT_STALE_AFTER} (1 hour) by
     * default. Where file locks work, a live process's lease is never taken (a stale one is only
     * reported); where they do not, a stale lease is taken over.
     *
     * @throws IllegalArgumentException if shorter than a minute; IllegalStateException if set
     *     before
     */
    public Builder staleAfter(Duration d) {
      once.set("staleAfter", this.staleAfter);
      Objects.requireNonNull(d, "staleAfter");
      Require.requireArgument(
          d.compareTo(Duration.ofMinutes(1)) >= 0, "staleAfter must be at least a minute: %s", d);
      this.staleAfter = d;
      return this;
    }

    /**
     * Opens the store: takes the lease (LOCKED if another holds it), reads the journal (recovering
     * an unfinished write; STATE_DAMAGED if saved data is damaged).
     */
    public JournalUidStore build() throws IOException {
      return new JournalUidStore(this);
    }
  }
}
