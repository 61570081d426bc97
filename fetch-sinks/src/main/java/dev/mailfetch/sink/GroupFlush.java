package dev.mailfetch.sink;

import static dev.mailfetch.sink.SinkFiles.failure;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Flushes a batch of files to the disk from several threads at once: a file system commits flushes
 * that wait at the same time together (ext4's journal, XFS's log), so 10,000 messages cost far
 * fewer disk commits than one flush after another (docs/benchmarks.md, Maildir).
 */
final class GroupFlush {
  /**
   * Shared by every Maildir: at most 64 threads, each ended after 30 s without work; a flush that
   * finds them all busy runs in the syncing thread instead.
   */
  private static final ThreadPoolExecutor FLUSHERS = flushers();

  private GroupFlush() {}

  /**
   * Flushes {@code files} from up to {@code threads} threads, this one among them; the first
   * failure is thrown once all are done. {@code place} names what is flushed in a failure.
   */
  static void flush(List<Path> files, int threads, Path place) throws IOException {
    int n = Math.min(threads, files.size());
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> others = new ArrayList<>();
    for (int t = 1; t < n; t++) {
      others.add(
          FLUSHERS.submit(
              () -> {
                flushNext(files, next);
                return null;
              }));
    }
    IOException failed = null;
    try {
      flushNext(files, next);
    } catch (IOException e) {
      failed = e;
    }
    for (Future<?> f : others) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (failed == null) {
          failed =
              e.getCause() instanceof IOException
                  ? (IOException) e.getCause()
                  : new IOException("flushing " + place + " failed: " + e.getCause(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while flushing " + place);
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  /**
   * Flushes the next file not yet taken until none is left. Each thread takes one file at a time,
   * not a fixed share: on a busy disk one flush in ten waits several milliseconds and a few wait
   * 100 ms or more, and with fixed shares the files behind such a flush waited for it while the
   * other threads sat idle (a JFR profile under load: the batch's flushes took twice the bare
   * client's, docs/benchmarks.md "Under a heavy load").
   */
  private static void flushNext(List<Path> files, AtomicInteger next) throws IOException {
    for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
      Path f = files.get(i);
      try {
        SinkFiles.flushFile(f);
      } catch (IOException e) {
        throw failure("cannot write " + f + " to disk", e);
      }
    }
  }

  private static ThreadPoolExecutor flushers() {
    return new ThreadPoolExecutor(
        0,
        64,
        30,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, "mailfetch-maildir-flush");
          t.setDaemon(true);
          return t;
        },
        new ThreadPoolExecutor.CallerRunsPolicy());
  }
}
