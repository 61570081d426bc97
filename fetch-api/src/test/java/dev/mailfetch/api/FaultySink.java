package dev.mailfetch.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;

/** An {@link InMemorySink} whose operations count as fault steps and can fail on demand. */
final class FaultySink implements MessageSink {
  InMemorySink inner;
  private final Faults faults;
  private final List<String> events;

  FaultySink(InMemorySink inner, Faults faults, List<String> events) {
    this.inner = inner;
    this.faults = faults;
    this.events = events;
  }

  /** What a restart after a crash finds. */
  void crash() {
    inner = inner.reopen();
  }

  @Override
  public Delivery begin(Envelope envelope) throws IOException {
    if (faults.step("sink.begin")) {
      throw new IOException("test: cannot create file");
    }
    if (faults.placeBroken != null) {
      throw faults.placeBroken;
    }
    Delivery d = inner.begin(envelope);
    String uid = envelope.uid();
    return new Delivery() {
      @Override
      public void write(ByteBuffer bytes) throws IOException {
        if (faults.sinkWriteFails.contains(uid) || faults.step("sink.write")) {
          throw new IOException("test: the destination rejected this message");
        }
        if (faults.diskSpace >= 0) {
          if (bytes.remaining() > faults.diskSpace) {
            faults.diskSpace = 0;
            throw new IOException(
                "No space left on device"); // what FileChannel.write says for ENOSPC
          }
          faults.diskSpace -= bytes.remaining();
        }
        d.write(bytes);
      }

      @Override
      public DeliveryReceipt complete(DeliveryKey key) throws IOException {
        if (faults.step("sink.complete")) {
          throw new IOException("test: rename failed");
        }
        DeliveryReceipt r = d.complete(key);
        events.add("complete " + uid);
        return r;
      }

      @Override
      public void abort() {
        d.abort();
      }
    };
  }

  @Override
  public boolean contains(DeliveryKey key) throws IOException {
    if (faults.step("sink.contains")) {
      throw new IOException("test: cannot read directory");
    }
    return inner.contains(key);
  }

  @Override
  public boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
    if (faults.step("sink.addLabels") || faults.addLabelsFails) {
      throw new IOException("test: cannot link into the label folder");
    }
    return inner.addLabels(key, labels);
  }

  @Override
  public void sync() throws IOException {
    if (faults.sinkSyncFails || faults.step("sink.sync")) {
      throw new IOException("test: fsync failed: Input/output error");
    }
    inner.sync();
    events.add("sink.sync");
  }
}
