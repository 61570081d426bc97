package dev.mailfetch.dedup;

import static dev.mailfetch.dedup.StateFiles.stateProblem;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidStore;
import dev.mailfetch.api.internal.Require;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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

  private final Path dir;
  private final Duration forgetAfter;
  private final AccountLease lease;
  private final UidJournal journal;
  private final FingerprintJournal fingerprints;
  private UidTable table = new UidTable();
  private Instant firstRun;
  private boolean closed;

  private JournalUidStore(Builder b) throws IOException {
    this.dir = b.dir;
    this.forgetAfter = b.forgetAfter;
    this.journal = new UidJournal(dir);
    this.fingerprints = new FingerprintJournal(dir);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw stateProblem("cannot create the state directory " + dir, e);
    }
    this.lease = AccountLease.take(dir, b.staleAfter);
    try {
      long first = journal.load(table);
      if (first != 0) {
        firstRun = Instant.ofEpochSecond(first);
      }
      if (journal.wantsRewrite(table.live())) {
        compact();
      }
    } catch (IOException | RuntimeException e) {
      lease.release();
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
    return journal.path();
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
      journal.stage(JournalRecords.put(record));
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
      journal.stage(JournalRecords.firstRun(firstRun.getEpochSecond()));
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
              journal.stage(JournalRecords.gone(uid, 0));
            }
          } else if (since == 0) {
            table.gone(uid, nowSec);
            journal.stage(JournalRecords.gone(uid, nowSec));
            gone.add(uid);
          } else if (nowSec - since >= forgetAfter.toSeconds()) {
            table.forget(uid);
            journal.stage(JournalRecords.forget(uid));
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
    fingerprints.stage(uid, fingerprint);
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
    return fingerprints.read(uids);
  }

  /**
   * The mailbox mark, kept in the journal as a record of its own ({@code M}, docs/state.md), so
   * that it is durable with the records it describes, in the same write.
   */
  @Override
  public synchronized Optional<String> mailboxMark() throws IOException {
    open();
    return Optional.ofNullable(table.mailboxMark());
  }

  @Override
  public synchronized void recordMailboxMark(Optional<String> mark) throws IOException {
    Require.mailboxMark(mark);
    open();
    if (table.mailboxMark(mark.orElse(null))) {
      journal.stage(JournalRecords.mailboxMark(mark.orElse(null)));
    }
  }

  /** Appends what was recorded since the last sync, with one write and one flush to disk. */
  @Override
  public synchronized void sync() throws IOException {
    open();
    if (journal.stagedCount() == 0) {
      fingerprints.sync();
      return;
    }
    journal.commit();
    fingerprints.sync(); // after the journal's flush: they only ever help
    if (journal.wantsRewrite(table.live())) {
      compact();
    }
    lease.heartbeat();
  }

  /**
   * Rewrites the journal with only what it holds now: a new file, flushed, renamed over the old
   * one, then the directory flushed. Staged records are synced first.
   */
  public synchronized void compact() throws IOException {
    open();
    if (journal.stagedCount() > 0) {
      sync();
    }
    table = journal.rewrite(table, firstRun);
    fingerprints.compact(table);
    log.debug("compacted {} to {} records", journal.path(), journal.records());
  }

  /** Releases the lease. Staged records not synced are dropped, as a crash would drop them. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    journal.close();
    lease.release();
  }

  @Override
  public String toString() {
    return "JournalUidStore[" + dir + "]";
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("this store is closed");
    }
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
