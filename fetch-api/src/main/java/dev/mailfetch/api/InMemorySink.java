package dev.mailfetch.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link MessageSink} that keeps messages in memory: for tests, examples, and embedders that hand
 * each message on themselves.
 *
 * <p>It models durability honestly, so that crash tests mean something: completed messages are
 * pending until {@link #sync()}, and {@link #reopen()} returns a new sink over the same storage
 * that holds only what was synced, as a new sink over the same directory would after a crash.
 *
 * <p>Memory grows with every message kept; it is not meant for large mailboxes. Safe for concurrent
 * use.
 */
public final class InMemorySink implements MessageSink {
  /**
   * A message the sink holds.
   *
   * @param key the key it was delivered under
   * @param envelope what the sink was told about it when its delivery began
   * @param content its bytes as delivered (the accessor returns a copy)
   */
  public record StoredMessage(DeliveryKey key, Envelope envelope, byte[] content) {
    /**
     * Checks the components and keeps a copy of {@code content}.
     *
     * @param key the key it was delivered under
     * @param envelope what the sink was told about it when its delivery began
     * @param content its bytes as delivered (the accessor returns a copy)
     * @throws NullPointerException if a component is null
     */
    public StoredMessage {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(envelope, "envelope");
      content = content.clone();
    }

    /** A copy of the bytes, as delivered. */
    @Override
    public byte[] content() {
      return content.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof StoredMessage
          && ((StoredMessage) o).key.equals(key)
          && ((StoredMessage) o).envelope.equals(envelope)
          && Arrays.equals(((StoredMessage) o).content, content);
    }

    @Override
    public int hashCode() {
      return key.hashCode();
    }

    @Override
    public String toString() {
      return "StoredMessage[key="
          + key
          + ", uid="
          + envelope.uid()
          + ", "
          + content.length
          + " bytes]";
    }
  }

  /** What survives a crash: shared by every sink reopened over it. */
  private static final class Storage {
    final Map<DeliveryKey, StoredMessage> durable = new LinkedHashMap<>();
  }

  private final Storage storage;
  private final Map<DeliveryKey, StoredMessage> pending = new LinkedHashMap<>();

  private InMemorySink(Storage storage) {
    this.storage = storage;
  }

  /** An empty sink. */
  public static InMemorySink create() {
    return new InMemorySink(new Storage());
  }

  /**
   * A new sink over the same storage, holding only what was synced: what a process would find after
   * a crash and a restart.
   */
  public InMemorySink reopen() {
    return new InMemorySink(storage);
  }

  @Override
  public Delivery begin(Envelope envelope) {
    Objects.requireNonNull(envelope, "envelope");
    return new MemoryDelivery(envelope);
  }

  @Override
  public boolean contains(DeliveryKey key) {
    synchronized (storage) {
      return pending.containsKey(key) || storage.durable.containsKey(key);
    }
  }

  @Override
  public void sync() {
    synchronized (storage) {
      storage.durable.putAll(pending);
      pending.clear();
    }
  }

  /**
   * Adds {@code labels} to the envelope of the message held under {@code key}. Like a delivery, the
   * change is durable at the next {@link #sync()}.
   */
  @Override
  public boolean addLabels(DeliveryKey key, Set<String> labels) {
    synchronized (storage) {
      StoredMessage m = pending.containsKey(key) ? pending.get(key) : storage.durable.get(key);
      if (m == null) {
        return false;
      }
      Set<String> all = new TreeSet<>(m.envelope().labels());
      all.addAll(labels);
      Envelope e = m.envelope();
      pending.put(
          key,
          new StoredMessage(
              key, new Envelope(e.account(), e.uid(), e.size(), all, e.archived()), m.content()));
      return true;
    }
  }

  /** Every message held, durable ones first, each in the order it was completed. */
  public List<StoredMessage> messages() {
    synchronized (storage) {
      Map<DeliveryKey, StoredMessage> all = new LinkedHashMap<>(storage.durable);
      all.putAll(pending); // a held message whose labels changed is listed once, as it now is
      return new ArrayList<>(all.values());
    }
  }

  /** How many messages the sink holds. */
  public int size() {
    synchronized (storage) {
      int n = storage.durable.size();
      for (DeliveryKey k : pending.keySet()) {
        if (!storage.durable.containsKey(k)) {
          n++;
        }
      }
      return n;
    }
  }

  private final class MemoryDelivery implements Delivery {
    private final Envelope envelope;
    private byte[] buf = new byte[256];
    private int len;
    private boolean open = true;

    MemoryDelivery(Envelope envelope) {
      this.envelope = envelope;
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
      requireOpen();
      int n = bytes.remaining();
      if (len + n > buf.length) {
        if (len + n < 0 || len + n > Integer.MAX_VALUE - 8) {
          throw new IOException("in-memory sink: message larger than 2 GiB");
        }
        buf =
            Arrays.copyOf(buf, Math.max(len + n, Math.min(buf.length * 2, Integer.MAX_VALUE - 8)));
      }
      bytes.get(buf, len, n);
      len += n;
    }

    @Override
    public DeliveryReceipt complete(DeliveryKey key) throws IOException {
      requireOpen();
      open = false;
      synchronized (storage) {
        if (pending.containsKey(key) || storage.durable.containsKey(key)) {
          return new DeliveryReceipt(key, len, true);
        }
        pending.put(key, new StoredMessage(key, envelope, Arrays.copyOf(buf, len)));
      }
      buf = null;
      return new DeliveryReceipt(key, len, false);
    }

    @Override
    public void abort() {
      open = false;
      buf = null;
    }

    private void requireOpen() throws IOException {
      if (!open) {
        throw new IOException("in-memory sink: delivery already completed or aborted");
      }
    }
  }
}
