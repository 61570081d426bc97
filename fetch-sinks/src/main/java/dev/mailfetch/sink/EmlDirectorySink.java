package dev.mailfetch.sink;

import static dev.mailfetch.sink.SinkFiles.deleteQuietly;
import static dev.mailfetch.sink.SinkFiles.failure;
import static dev.mailfetch.sink.SinkFiles.fsyncDirectory;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A directory of {@code .eml} files, one per message, named {@code <delivery key>.eml}: what mail
 * programs open and save one message as, with the message's bytes exactly as sent (CRLF line
 * ends, RFC 5322). A message is written to a hidden {@code .mailfetch-*.tmp} file, flushed at
 * {@link Delivery#complete}, then linked to its name, so a reader never sees half a message; a
 * name that exists is a message already held. {@link #sync()} flushes the directory. No labels.
 * Failures name the file and the system's reason. Safe for concurrent use.
 */
public final class EmlDirectorySink implements MessageSink {
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final Duration STALE_TMP = Duration.ofHours(36);
  private final Path dir;
  private final KeySet held = new KeySet();
  private volatile boolean dirty;

  private EmlDirectorySink(Path dir) throws IOException {
    this.dir = dir;
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
          DeliveryKey k = MaildirSink.keyOf(name.substring(0, 64));
          if (k != null) {
            held.add(k);
          }
        } else if (name.startsWith(".mailfetch-") && name.endsWith(".tmp")
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
    Path tmp = dir.resolve(".mailfetch-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".tmp");
    FileChannel channel;
    try {
      channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw failure("cannot create " + tmp, e);
    }
    return new Delivery() {
      private long bytes;
      private boolean done;

      @Override
      public void write(ByteBuffer buffer) throws IOException {
        if (done) {
          throw new IllegalStateException("this delivery has ended");
        }
        try {
          while (buffer.hasRemaining()) {
            bytes += channel.write(buffer);
          }
        } catch (IOException e) {
          throw failure("cannot write " + tmp, e);
        }
      }

      @Override
      public DeliveryReceipt complete(DeliveryKey key) throws IOException {
        if (done) {
          throw new IllegalStateException("this delivery has ended");
        }
        if (held.contains(key)) {
          abort();
          return new DeliveryReceipt(key, bytes, true);
        }
        try {
          channel.force(false);
          channel.close();
          Files.createLink(fileOf(key), tmp);
        } catch (FileAlreadyExistsException e) {
          abort();
          held.add(key);
          return new DeliveryReceipt(key, bytes, true);
        } catch (IOException e) {
          abort();
          throw failure("cannot store a message in " + dir, e);
        }
        done = true;
        deleteQuietly(tmp);
        held.add(key);
        dirty = true;
        return new DeliveryReceipt(key, bytes, false);
      }

      @Override
      public void abort() {
        done = true;
        try {
          channel.close();
        } catch (IOException ignored) {
          // closing a file we are about to remove
        }
        deleteQuietly(tmp);
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
