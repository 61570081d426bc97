package dev.mailfetch.sink;

import static dev.mailfetch.sink.SinkFiles.deleteQuietly;
import static dev.mailfetch.sink.SinkFiles.failure;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message written to a temporary file that no reader looks at, flushed to the disk, and only then
 * published under its final name by the sink: a reader sees the whole message or nothing, whatever
 * moment a crash picks. The flush and the publishing happen at {@link #complete}, or, for a sink
 * that {@code flushesAtSync}, at the sink's sync, many files at once: at complete such a sink only
 * takes the closed file over ({@link #publish}), and removes it from tmp itself.
 */
abstract class TmpFileDelivery implements Delivery {
  private static final Logger log = LoggerFactory.getLogger(TmpFileDelivery.class);
  final Path tmp;
  private final FileChannel channel;

  /**
   * Slices gathered into one write, a system call per 64 kB rather than per slice (docs/
   * benchmarks.md), in a buffer from {@link WriteBuffers}; null once the delivery ended and gave it
   * back.
   */
  private ByteBuffer gathered;

  private final boolean flushesAtSync;
  private long bytes;
  private boolean done;

  /** {@code flushesAtSync}: the sink flushes and publishes the file at its sync, not here. */
  TmpFileDelivery(Path tmp, boolean flushesAtSync) throws IOException {
    this.tmp = tmp;
    this.flushesAtSync = flushesAtSync;
    try {
      this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw failure("cannot create " + tmp, e);
    }
    this.gathered = WriteBuffers.take();
  }

  /** Whether the sink already holds {@code key} (then nothing is published). */
  abstract boolean held(DeliveryKey key);

  /**
   * Publishes the closed file as the message under {@code key}: links or moves it where readers
   * look (flushed already), or, for a sink that {@code flushesAtSync}, takes it over to do so at
   * its sync. False if the key turned out to be held meanwhile. Must leave nothing published when
   * it throws.
   */
  abstract boolean publish(DeliveryKey key, long size) throws IOException;

  @Override
  public final void write(ByteBuffer buffer) throws IOException {
    if (done) {
      throw new IllegalStateException("this delivery has ended");
    }
    bytes += buffer.remaining();
    if (buffer.remaining() > gathered.remaining()) {
      writeGathered();
      if (buffer.remaining() >= gathered.capacity()) {
        writeFully(buffer);
        return;
      }
    }
    if (buffer.hasArray()) {
      // A heap slice (the reader's): copied with System.arraycopy, an intrinsic from the JIT's
      // first tier on, where put(ByteBuffer) made five calls of checks per slice
      // (docs/benchmarks.md, "A short run's time, profiled").
      int n = buffer.remaining();
      System.arraycopy(
          buffer.array(),
          buffer.arrayOffset() + buffer.position(),
          gathered.array(),
          gathered.arrayOffset() + gathered.position(),
          n);
      gathered.position(gathered.position() + n);
      buffer.position(buffer.limit());
    } else {
      gathered.put(buffer);
    }
  }

  private void writeGathered() throws IOException {
    gathered.flip();
    writeFully(gathered);
    gathered.clear();
  }

  private void writeFully(ByteBuffer buffer) throws IOException {
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw failure("cannot write " + tmp, e);
    }
  }

  @Override
  public final DeliveryReceipt complete(DeliveryKey key) throws IOException {
    if (done) {
      throw new IllegalStateException("this delivery has ended");
    }
    if (held(key)) {
      abort();
      return new DeliveryReceipt(key, bytes, true);
    }
    try {
      writeGathered();
    } catch (IOException e) {
      abort();
      throw e;
    }
    try {
      if (!flushesAtSync) {
        channel.force(false);
      }
      channel.close();
    } catch (IOException e) {
      abort();
      throw failure("cannot write " + tmp + " to disk", e);
    }
    boolean published;
    try {
      published = publish(key, bytes);
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
    done = true;
    giveBackBuffer();
    if (!flushesAtSync || !published) {
      deleteQuietly(tmp); // the published names are links to it, or copies
    }
    return new DeliveryReceipt(key, bytes, !published);
  }

  @Override
  public final void abort() {
    done = true;
    giveBackBuffer();
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing {}: {}", tmp, e.toString());
    }
    deleteQuietly(tmp);
  }

  /** Once the delivery ended (nothing writes to the buffer after {@code done}). */
  private void giveBackBuffer() {
    ByteBuffer b = gathered;
    if (b != null) {
      gathered = null;
      WriteBuffers.giveBack(b);
    }
  }
}
