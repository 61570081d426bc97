package dev.mailfetch.imap.internal;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.spool.MessageSpool;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code ImapAppendSink} holds between its calls: the deliveries completed and not yet taken
 * by the server ({@link AppendPending}), the keys taken, the refusals not yet reported, the journal
 * and the server ({@link AppendServer}). Every call is serialized on this object: one IMAP session
 * serves them all.
 */
public final class AppendCore implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(AppendCore.class);

  /** Spool files a crash left older than this are removed: a younger one may be another sink's. */
  private static final Duration LEFTOVER_AGE = Duration.ofHours(36);

  /**
   * What the sink was built with.
   *
   * @param folder the configured folder
   * @param journal the journal file, or null
   * @param keyHeader the name of the header carrying the key, or null where it is off
   * @param spoolDir where large messages are spooled
   * @param memorySpoolBytes the bytes of a message held in memory before its spool is a file
   */
  public record Options(
      String folder, Path journal, String keyHeader, Path spoolDir, int memorySpoolBytes) {}

  private final Options options;
  private final AppendServer server;
  private AppendJournal journal;
  private final Map<DeliveryKey, AppendPending> pending = new LinkedHashMap<>();

  /**
   * Where the server put each delivery taken, for a sink without a journal (with one, the journal
   * is where that is kept). Bounded as the journal is: the oldest are forgotten past {@link
   * AppendJournal#KEEP_DONE}, by then recorded in the engine's state store, and a lookup on the
   * server still finds them.
   */
  private final Map<DeliveryKey, AppendJournal.Placed> taken =
      new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<DeliveryKey, AppendJournal.Placed> eldest) {
          return size() > AppendJournal.KEEP_DONE;
        }
      };

  private final Map<DeliveryKey, FetchException> refused = new LinkedHashMap<>();
  private final StoredHeaders storedHeaders = new StoredHeaders();
  private boolean ready;
  private boolean closed;

  /** A core for {@code options}, delivering through {@code server}. Nothing is opened yet. */
  public AppendCore(Options options, AppendServer server) {
    this.options = options;
    this.server = server;
  }

  /**
   * Opens the journal and the session and settles the deliveries an earlier run left in doubt: each
   * one found on the server is taken, each one not found is forgotten (the engine fetches it again,
   * and it is appended then).
   */
  private void ensureReady() throws IOException {
    checkOpen();
    if (ready) {
      return;
    }
    if (options.journal() != null && journal == null) {
      journal = AppendJournal.open(options.journal());
      MessageSpool.removeLeftovers(options.spoolDir(), LEFTOVER_AGE);
    }
    if (journal != null && !journal.inDoubt().isEmpty()) {
      for (Map.Entry<DeliveryKey, AppendJournal.Intent> e : journal.inDoubt().entrySet()) {
        Optional<AppendJournal.Placed> found =
            server.find(e.getKey(), e.getValue().folders(), e.getValue().messageId());
        if (found.isPresent()) {
          // A crash between the copies leaves some folders without theirs: copied now.
          server.copyInto(e.getKey(), found.get(), e.getValue().folders());
          journal.done(e.getKey(), found.get());
          log.info("delivery {} was in doubt and is on the server: not appended again", e.getKey());
        } else {
          journal.withdraw(e.getKey());
          log.info(
              "delivery {} was in doubt and is not on the server: it is appended again",
              e.getKey());
        }
      }
      journal.force();
    }
    ready = true;
  }

  /** See {@code MessageSink.begin}: connects and settles what is in doubt on first use. */
  public synchronized Delivery begin(Envelope envelope) throws IOException {
    ensureReady();
    MessageSpool spool = new MessageSpool(options.spoolDir(), options.memorySpoolBytes());
    return new Delivery() {
      private boolean ended;

      @Override
      public void write(ByteBuffer bytes) throws IOException {
        spool.write(bytes);
      }

      @Override
      public DeliveryReceipt complete(DeliveryKey key) throws IOException {
        if (ended) {
          throw new IllegalStateException("this delivery was completed or aborted already");
        }
        ended = true;
        try {
          spool.finish();
          return AppendCore.this.complete(key, envelope, spool);
        } catch (IOException | RuntimeException e) {
          spool.close();
          throw e;
        }
      }

      @Override
      public void abort() {
        ended = true;
        spool.close();
      }
    };
  }

  private synchronized DeliveryReceipt complete(
      DeliveryKey key, Envelope envelope, MessageSpool spool) throws IOException {
    ensureReady();
    long bytes = spool.size();
    if (holds(key)) {
      spool.close();
      return new DeliveryReceipt(key, bytes, true);
    }
    byte[] prefix =
        options.keyHeader() == null
            ? new byte[0]
            : (options.keyHeader() + ": " + key + "\r\n").getBytes(StandardCharsets.US_ASCII);
    AppendFolders where = server.plan(options.folder(), envelope.labels(), envelope.archived());
    String header = spool.headerText();
    String messageId = HeaderFields.messageId(header);
    // The spool knows already whether any byte is 8-bit: most messages need no scan.
    int eightBit =
        spool.eightBit() && header.length() < MessageSpool.HEADER_CAP
            ? StoredHeaders.eightBitBytes(header)
            : 0;
    if (journal != null) {
      journal.intend(key, new AppendJournal.Intent(where.folders(), messageId));
    }
    pending.put(
        key,
        new AppendPending(
            key,
            spool,
            prefix,
            where,
            AppendDate.zoned(header, Instant.now()),
            messageId,
            eightBit));
    refused.remove(key);
    return new DeliveryReceipt(key, bytes, false);
  }

  private boolean holds(DeliveryKey key) {
    return pending.containsKey(key)
        || taken.containsKey(key)
        || (journal != null && journal.placed(key).isPresent());
  }

  /**
   * See {@code MessageSink.contains}: true while on its way and once taken; for a key this sink
   * never saw, without a journal, the server is asked.
   */
  public synchronized boolean contains(DeliveryKey key) throws IOException {
    ensureReady();
    if (holds(key)) {
      return true;
    }
    if (journal == null && options.keyHeader() != null) {
      Optional<AppendJournal.Placed> found = server.find(key, List.of(options.folder()), null);
      found.ifPresent(p -> taken.put(key, p));
      return found.isPresent();
    }
    return false;
  }

  /**
   * See {@code MessageSink.sync}: every pending APPEND sent at once, each answered; the refused
   * ones named in a {@link DeliveriesFailed}.
   */
  public synchronized void sync() throws IOException {
    ensureReady();
    if (journal != null) {
      journal.force(); // every intent on disk before its APPEND is sent
    }
    List<AppendPending> batch = new ArrayList<>(pending.values());
    AppendServer.Outcome outcome;
    try {
      outcome = server.appendAll(batch);
    } finally {
      if (journal != null) {
        journal.force();
      }
    }
    List<StoredHeaders.Sent> eightBit = new ArrayList<>();
    for (Map.Entry<DeliveryKey, AppendJournal.Placed> e : outcome.taken().entrySet()) {
      AppendPending p = pending.get(e.getKey());
      if (p != null && p.eightBitHeaderBytes() > 0) {
        eightBit.add(new StoredHeaders.Sent(e.getKey(), e.getValue(), p.eightBitHeaderBytes()));
      }
      settle(e.getKey());
      if (journal != null) {
        journal.done(e.getKey(), e.getValue());
      } else {
        taken.put(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<DeliveryKey, FetchException> e : outcome.refused().entrySet()) {
      settle(e.getKey());
      refused.put(e.getKey(), e.getValue());
      if (journal != null) {
        journal.withdraw(e.getKey());
      }
    }
    if (journal != null) {
      journal.force();
    }
    if (outcome.failure() == null && !eightBit.isEmpty()) {
      storedHeaders.check(server, eightBit);
    }
    if (outcome.failure() != null && outcome.taken().isEmpty()) {
      throw outcome.failure(); // the destination's own trouble: the run stops
    }
    if (outcome.failure() != null) {
      // Some were taken: only the others are named, with the destination's failure (which stops
      // the run), so the engine deletes the taken ones now (MessageSink, DeliveriesFailed). The
      // intent of one whose answer was lost stays in the journal: looked up on the next run.
      Map<DeliveryKey, FetchException> failed = new LinkedHashMap<>(refused);
      refused.clear();
      for (DeliveryKey k : List.copyOf(pending.keySet())) {
        failed.put(k, outcome.failure());
        settle(k);
      }
      throw new DeliveriesFailed(failed);
    }
    if (!refused.isEmpty()) {
      Map<DeliveryKey, FetchException> failed = new LinkedHashMap<>(refused);
      refused.clear();
      throw new DeliveriesFailed(failed);
    }
  }

  private void settle(DeliveryKey key) {
    AppendPending p = pending.remove(key);
    if (p != null) {
      p.spool().close();
    }
  }

  /** See {@code MessageSink.addLabels}. */
  public synchronized boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
    ensureReady();
    AppendPending p = pending.get(key);
    if (p != null) {
      // A copy found in the source's junk does not send the copy on its way to the junk folder.
      Set<String> all = new LinkedHashSet<>(AppendFolders.withoutJunk(labels));
      if (!all.isEmpty()) {
        pending.put(key, p.withMoreLabels(server.plan(options.folder(), all, true)));
      }
      return true;
    }
    Optional<AppendJournal.Placed> placed =
        Optional.ofNullable(taken.get(key))
            .or(() -> journal == null ? Optional.empty() : journal.placed(key));
    if (placed.isEmpty()) {
      return false;
    }
    server.addLabels(key, placed.get(), labels);
    return true;
  }

  /** See {@code MessageSink.takeWarnings}: headers the server stored altered. */
  public synchronized List<FetchException> takeWarnings() {
    return storedHeaders.take(server.serverName()).map(List::of).orElse(List.of());
  }

  /** Where the server put {@code key}, as far as this sink knows (for tests and the journal). */
  public synchronized Optional<AppendJournal.Placed> placed(DeliveryKey key) {
    return Optional.ofNullable(taken.get(key))
        .or(() -> journal == null ? Optional.empty() : journal.placed(key));
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this ImapAppendSink was closed");
    }
  }

  /** Logs out, closes the journal and discards what was never synced. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    for (AppendPending p : pending.values()) {
      p.spool().close();
    }
    pending.clear();
    try {
      server.close();
    } finally {
      if (journal != null) {
        journal.close();
      }
    }
  }
}
