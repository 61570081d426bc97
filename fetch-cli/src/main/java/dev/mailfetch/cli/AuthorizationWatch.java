package dev.mailfetch.cli;

import dev.mailfetch.poll.Poller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A poll's watch on the authorization files of its paused accounts (a Gmail token file, a POP3
 * grant file): when one is written anew while its account is paused (mailfetch oauth replaced it
 * after a refused grant), the account is checked again at once, and taken up again if it works. A
 * stat of a few files every {@link #EVERY_MILLIS}; nothing is read.
 */
final class AuthorizationWatch implements AutoCloseable {
  static final long EVERY_MILLIS = 2_000;

  /**
   * A second check this long after the file changed, where the first failed: Gmail's destination
   * remembers its failure for a minute (so as not to hammer a refusing Gmail), and a file written
   * within that minute is used only after it.
   */
  static final long AGAIN_MILLIS = 65_000;

  private final Poller poller;
  private final Map<String, List<Path>> files = new ConcurrentHashMap<>();

  /** A paused account's files as they were when it was paused (or last checked again). */
  private final Map<String, List<String>> paused = new ConcurrentHashMap<>();

  /** When a paused account whose file changed is checked once more (System.nanoTime). */
  private final Map<String, Long> again = new ConcurrentHashMap<>();

  private final Thread thread;
  private volatile boolean closed;

  AuthorizationWatch(Poller poller) {
    this.poller = poller;
    this.thread = new Thread(this::run, "mailfetch-poll-authorization-watch");
    thread.setDaemon(true);
  }

  /** The poller's account {@code account} reads its authorizations from {@code files}. */
  void watch(String account, List<Path> authorizationFiles) {
    if (!authorizationFiles.isEmpty()) {
      files.put(account, List.copyOf(authorizationFiles));
    }
  }

  /** The files the account's pause waits for, or none when it has none. */
  List<Path> filesOf(String account) {
    return files.getOrDefault(account, List.of());
  }

  void paused(String account) {
    List<Path> f = files.get(account);
    if (f != null) {
      paused.put(account, fingerprints(f));
    }
  }

  void resumed(String account) {
    paused.remove(account);
    again.remove(account);
  }

  void start() {
    thread.start();
  }

  private void run() {
    while (!closed) {
      try {
        Thread.sleep(EVERY_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      // Over a snapshot: accounts leave the map, and their fingerprints change, inside this loop.
      for (String account : new ArrayList<>(paused.keySet())) {
        List<String> now = fingerprints(files.get(account));
        Long at = again.get(account);
        boolean changed = !now.equals(paused.get(account));
        if (changed) {
          paused.put(account, now); // a check that fails twice waits for the next change
          again.put(account, System.nanoTime() + AGAIN_MILLIS * 1_000_000);
        } else if (at != null && System.nanoTime() - at >= 0) {
          again.remove(account);
        } else {
          continue;
        }
        try {
          // Its outcome reaches the poll's listener like any check's; nothing waits for it here.
          var unused = poller.checkNow(account);
        } catch (IllegalArgumentException | IllegalStateException e) {
          paused.remove(account); // removed, or the poll is ending
          again.remove(account);
        }
      }
    }
  }

  /** Each file's identity, size and time; a file written anew (moved over the old one) differs. */
  private static List<String> fingerprints(List<Path> files) {
    List<String> out = new ArrayList<>();
    for (Path f : files) {
      try {
        BasicFileAttributes a =
            Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        out.add(a.fileKey() + "/" + a.size() + "/" + a.lastModifiedTime().toMillis());
      } catch (IOException e) {
        out.add("absent");
      }
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
