package dev.mailfetch.sink;

import static dev.mailfetch.sink.SinkFiles.deleteQuietly;
import static dev.mailfetch.sink.SinkFiles.failure;
import static dev.mailfetch.sink.SinkFiles.fsyncDirectory;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageSink;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A directory of {@code .eml} files, one per message, named {@code <delivery key>.eml}: what mail
 * programs open and save one message as, with the message's bytes exactly as sent (CRLF line ends,
 * RFC 5322). A message is written to a hidden {@code .mailfetch-*.tmp} file, flushed at {@link
 * Delivery#complete}, then linked to its name, so a reader never sees half a message; a name that
 * exists is a message already held. {@link #sync()} flushes the directory. No labels. Failures name
 * the file and the system's reason. Safe for concurrent use.
 */
public final class EmlDirectorySink implements MessageSink {
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final Duration STALE_TMP = Duration.ofHours(36);
  private final Path dir;
  private final KeySet held = new KeySet();
  private volatile boolean dirty;

  private EmlDirectorySink(Path dir) throws IOException {
    this.dir = dir;
    OpeningPlace.check("the directory for .eml files " + dir, dir, true);
    try {
      open();
    } catch (IOException e) {
      throw OpeningPlace.failed(e);
    }
  }

  private void open() throws IOException {
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw failure("cannot create " + dir, e);
      }
      fsyncDirectory(dir.getParent());
    }
    Instant stale = Instant.now().minus(STALE_TMP);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(".eml") && name.length() == 68) {
          DeliveryKey k = MaildirNames.keyOf(name.substring(0, 64));
          if (k != null) {
            held.add(k);
          }
        } else if (name.startsWith(".mailfetch-")
            && name.endsWith(".tmp")
            && Files.getLastModifiedTime(f).toInstant().isBefore(stale)) {
          deleteQuietly(f); // a crash's left-over: never visible under a message's name
        }
      }
    } catch (IOException e) {
      throw failure("cannot read " + dir, e);
    }
  }

  /** The directory {@code dir}, created if missing. */
  public static EmlDirectorySink open(Path dir) throws IOException {
    return new EmlDirectorySink(Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize());
  }

  /** The file that holds {@code key}'s message, whether or not it is there. */
  public Path fileOf(DeliveryKey key) {
    return dir.resolve(key + ".eml");
  }

  @Override
  public LineEnding lineEnding() {
    return LineEnding.CRLF;
  }

  @Override
  public Delivery begin(Envelope envelope) throws IOException {
    Objects.requireNonNull(envelope, "envelope");
    Path tmp =
        dir.resolve(
            ".mailfetch-"
                + ProcessHandle.current().pid()
                + "-"
                + SEQUENCE.incrementAndGet()
                + ".tmp");
    return new TmpFileDelivery(tmp, false) {
      @Override
      boolean held(DeliveryKey key) {
        return held.contains(key);
      }

      /** Links the file to {@code <key>.eml}; a name that exists is the message already held. */
      @Override
      boolean publish(DeliveryKey key, long size) throws IOException {
        try {
          Files.createLink(fileOf(key), tmp);
        } catch (FileAlreadyExistsException e) {
          held.add(key);
          return false;
        } catch (IOException e) {
          throw failure("cannot store a message in " + dir, e);
        }
        held.add(key);
        dirty = true;
        return true;
      }
    };
  }

  @Override
  public boolean contains(DeliveryKey key) {
    return held.contains(key);
  }

  @Override
  public void sync() throws IOException {
    if (dirty) {
      dirty = false;
      fsyncDirectory(dir);
    }
  }

  @Override
  public String toString() {
    return "EmlDirectorySink[" + dir + "]";
  }
}
