package dev.mailfetch.testkit;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.MessageSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The contract run against the smallest honest file sink (temp file, then rename), to prove that
 * its disk checks catch what they should before the real file sinks exist.
 */
class FileSinkContractTest extends MessageSinkContract {

  /** One file per key under {@code dir}; written to {@code dir/tmp} first, renamed at complete. */
  static final class SimpleFileSink implements MessageSink {
    private final Path dir;
    private final Path tmp;

    SimpleFileSink(Path dir) throws IOException {
      this.dir = dir;
      this.tmp = dir.resolve("tmp");
      try {
        Files.createDirectories(tmp);
      } catch (IOException e) {
        throw new IOException("cannot create " + tmp + ": " + e, e);
      }
    }

    @Override
    public Delivery begin(Envelope envelope) throws IOException {
      Path part = tmp.resolve(System.nanoTime() + ".part");
      FileChannel ch;
      try {
        ch = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new IOException("cannot create " + part + ": " + e, e);
      }
      return new Delivery() {
        private long n;

        @Override
        public void write(ByteBuffer bytes) throws IOException {
          try {
            while (bytes.hasRemaining()) {
              n += ch.write(bytes);
            }
          } catch (IOException e) {
            throw new IOException("cannot write " + part + ": " + e.getMessage(), e);
          }
        }

        @Override
        public DeliveryReceipt complete(DeliveryKey key) throws IOException {
          Path target = dir.resolve(key.toString());
          try {
            ch.force(true);
            ch.close();
            if (Files.exists(target)) {
              Files.delete(part);
              return new DeliveryReceipt(key, n, true);
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            return new DeliveryReceipt(key, n, false);
          } catch (IOException e) {
            abort();
            throw new IOException("cannot store " + target + ": " + e.getMessage(), e);
          }
        }

        @Override
        public void abort() {
          try {
            ch.close();
            Files.deleteIfExists(part);
          } catch (IOException e) {
            // nothing more can be done; the part file is in tmp/, never taken for a message
          }
        }
      };
    }

    @Override
    public boolean contains(DeliveryKey key) {
      return Files.exists(dir.resolve(key.toString()));
    }

    @Override
    public void sync() throws IOException {
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        throw new IOException("cannot sync " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  protected SinkUnderTest open(Path location) throws IOException {
    SimpleFileSink sink = new SimpleFileSink(location);
    return new SinkUnderTest() {
      @Override
      public MessageSink sink() {
        return sink;
      }

      @Override
      public Optional<byte[]> read(DeliveryKey key) throws IOException {
        Path f = location.resolve(key.toString());
        return Files.exists(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty();
      }

      @Override
      public boolean fileBased() {
        return true;
      }
    };
  }
}
