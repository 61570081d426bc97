package dev.mailfetch.dedup;

import static dev.mailfetch.dedup.StateFiles.stateProblem;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease on one account's state directory: the operating system's lock on {@code lease} (gone
 * with its process, however it ends) and the owner record in it ({@link LeaseOwner}), so that one
 * account is fetched by one process at a time and a second opener can say who is in its way. Where
 * file locks do not work (some network mounts), the owner record alone decides, and a record that
 * shows no sign of life for {@code staleAfter} may be taken over.
 */
final class AccountLease {
  // The public class's category: a user's log settings for the store still apply.
  private static final Logger log = LoggerFactory.getLogger(JournalUidStore.class);

  /** The owner record is refreshed at most this often: it is a hint, not worth a write per sync. */
  private static final long HEARTBEAT_NANOS = 30_000_000_000L;

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;
  private final Instant since;
  private long lastHeartbeat;

  private AccountLease(Path dir, FileChannel channel, FileLock lock, Instant since) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
    this.since = since;
  }

  /**
   * Takes the lease on {@code dir} and writes this process's owner record; fails with LOCKED naming
   * the holder, or STATE_FAILED if the lease file cannot be opened.
   */
  static AccountLease take(Path dir, Duration staleAfter) throws IOException {
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
          staleAfter);
    }
    LeaseOwner owner = LeaseOwner.read(lc);
    if (lock == null) {
      boolean stale = owner != null && owner.alive().isBefore(Instant.now().minus(staleAfter));
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
    AccountLease lease = new AccountLease(dir, lc, lock, Instant.now());
    try {
      LeaseOwner.thisProcess(lease.since, lease.since).write(lc);
    } catch (IOException | RuntimeException e) {
      lease.release();
      throw e;
    }
    lease.lastHeartbeat = System.nanoTime();
    return lease;
  }

  /** Refreshes the owner record's sign of life, at most every 30 s (no flush: it is a hint). */
  void heartbeat() {
    long now = System.nanoTime();
    if (now - lastHeartbeat < HEARTBEAT_NANOS) {
      return;
    }
    lastHeartbeat = now;
    try {
      LeaseOwner.thisProcess(since, Instant.now()).write(channel);
    } catch (IOException e) {
      log.debug("refreshing the owner record in {}: {}", dir, e.toString());
    }
  }

  void release() {
    try {
      if (lock != null) {
        lock.release();
      }
      channel.truncate(0); // no owner: the next opener, on any file system, may take it
    } catch (IOException e) {
      log.warn("releasing the lease in {}: {}", dir, e.toString());
    }
    try {
      channel.close();
    } catch (IOException e) {
      log.warn("closing the lease in {}: {}", dir, e.toString());
    }
  }
}
