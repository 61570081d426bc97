package dev.mailfetch.dedup;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * Who holds a store's lock: the process, its host, since when, and its last sign of life, written
 * into the lock file by the holder ({@code pid=… host=… since=… alive=…}) so that a second opener
 * can say who is in its way. The lock itself is the operating system's file lock, which goes with
 * its process however it ends; this record only names it.
 *
 * @param pid the holder's process id
 * @param host the holder's host name
 * @param since when it took the lock, to the second
 * @param alive its last sign of life
 */
record LeaseOwner(long pid, String host, Instant since, Instant alive) {

  /** This process, from {@code since} (to the second), alive at {@code alive}. */
  static LeaseOwner thisProcess(Instant since, Instant alive) {
    return new LeaseOwner(
        ProcessHandle.current().pid(),
        hostName(),
        since.truncatedTo(ChronoUnit.SECONDS),
        alive.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The record in {@code lockFile}, or null if it holds none (a new lock file, or written by
   * something else).
   */
  static LeaseOwner read(FileChannel lockFile) {
    try {
      ByteBuffer b = ByteBuffer.allocate(1024);
      lockFile.read(b, 0);
      String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
      Map<String, String> f = new HashMap<>();
      for (String part : text.split(" ")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          f.put(part.substring(0, eq), part.substring(eq + 1));
        }
      }
      return new LeaseOwner(
          Long.parseLong(f.get("pid")),
          f.get("host"),
          Instant.parse(f.get("since")),
          Instant.parse(f.get("alive")));
    } catch (IOException | RuntimeException unreadable) {
      return null;
    }
  }

  /** Writes this record over whatever {@code lockFile} held. */
  void write(FileChannel lockFile) throws IOException {
    byte[] owner =
        ("pid=" + pid + " host=" + host + " since=" + since + " alive=" + alive + "\n")
            .getBytes(StandardCharsets.UTF_8);
    lockFile.truncate(0);
    lockFile.write(ByteBuffer.wrap(owner), 0);
  }

  boolean isThisProcess() {
    return pid == ProcessHandle.current().pid() && host.equals(hostName());
  }

  /** "process 4242 on mail.example, since 2026-11-21T12:00:00Z". */
  String describe() {
    return "process " + pid + " on " + host + ", since " + since;
  }

  /**
   * {@link FetchError#LOCKED} for a store another holder has: whose it is, in words that fit
   * (another mailfetch process, or a store of this very process not yet closed), and what to do.
   *
   * @param what the store in words ("the dedup store /s/dedup")
   * @param type the store's class, for the library's advice ("DedupStore")
   * @param lockFile the lock file, named where its holder left no record
   * @param owner the holder's record, or null
   * @param sameProcess whether this process holds it (an overlapping lock)
   * @param inOneProcess the library's advice when this process holds it already
   * @param note more about the holder (a missing sign of life), or ""
   */
  static FetchException locked(
      String what,
      String type,
      Path lockFile,
      LeaseOwner owner,
      boolean sameProcess,
      String inOneProcess,
      String note) {
    // The record names the holder; without one, an overlapping lock says it is this process.
    if (owner == null ? sameProcess : owner.isThisProcess()) {
      return new FetchException(
          FetchError.LOCKED,
          what
              + " is already open in this process (pid "
              + ProcessHandle.current().pid()
              + ") by a "
              + type
              + " not yet closed; two at once would race",
          null,
          null,
          Remedy.of(
              "Give each account of this command a state directory of its own: two of them share "
                  + what
                  + ".",
              inOneProcess));
    }
    if (owner == null) {
      return new FetchException(
          FetchError.LOCKED,
          what
              + " is held by another process, which left no record of"
              + " itself in "
              + lockFile
              + "; two at once would race"
              + note,
          null,
          null,
          Remedy.of(
              "Wait for the other mailfetch to end, or stop it (the program that holds "
                  + lockFile
                  + " open), then"
                  + " run again.",
              "Wait for the other process to close its "
                  + type
                  + " (the one that holds "
                  + lockFile
                  + " open), or"
                  + " stop it; one process at a time may hold it."));
    }
    String who =
        "process " + owner.pid + (owner.host.equals(hostName()) ? "" : " on " + owner.host);
    return new FetchException(
        FetchError.LOCKED,
        what
            + " is held by another mailfetch: "
            + owner.describe()
            + " (a poll holds its accounts as long as it runs, a fetch until it ends); two at once would race"
            + note,
        null,
        null,
        Remedy.of(
            "Wait for that mailfetch to end, or stop it ("
                + who
                + ") if it is a poll you no longer need: while a poll"
                + " runs, it fetches this account itself. The lock goes with its process, however it ends.",
            "Wait for "
                + who
                + " to close its "
                + type
                + ", or stop it; one process at a time may hold it, and"
                + " the lock goes with the process, however it ends."));
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "this-host";
    }
  }
}
