package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.spool.MessageSpool;
import dev.mailfetch.gmail.OAuthFailure;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The working parts of {@code GmailImportSink}: the journal, the spool, the pool of imports on
 * their way ({@link ImportsUnderWay}), the refusals to report at the barrier, the destination's own
 * failure, remembered so that a run stops fast ({@link DestinationLatch}), and the history id the
 * intents record ({@link HistoryMark}). See the sink's Javadoc and docs/gmail.md for the rules it
 * keeps.
 */
public final class ImportCore {
  private static final Logger log = LoggerFactory.getLogger(ImportCore.class);

  private final Config config;
  private final Journal journal;
  private final GmailApi api;
  private final Upload upload;
  private final InDoubt inDoubt;

  private final HistoryMark historyMark;
  private final DestinationLatch latch;
  private final ImportsUnderWay underWay;
  private final Labels labels;
  private final Path spoolDir;
  private final ExecutorService pool;
  private final Semaphore slots;
  private final Refusals refusals = new Refusals();
  private final Object readyLock = new Object();
  private volatile boolean ready;
  private volatile boolean closed;
  private volatile boolean modifyRefusedSaid;

  private ImportCore(Config config, Journal journal, RateLimiter.Clock clock) {
    this.config = config;
    this.journal = journal;
    this.api =
        new GmailApi(
            config,
            new RateLimiter(config.quotaUnits(), config.quotaWindow().toNanos(), clock),
            clock);
    this.inDoubt = new InDoubt(api, journal, config.searchSettleTime().toMillis(), clock);
    this.upload = new Upload(api, inDoubt);
    this.labels = new Labels(api);
    this.historyMark = new HistoryMark(clock);
    this.latch = new DestinationLatch(config.mailbox(), clock);
    this.underWay = new ImportsUnderWay(config, clock, refusals);
    this.spoolDir = config.journalDirectory().resolve("spool");
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            config.parallelism(),
            r -> {
              Thread t = new Thread(r, "gmail-import-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.slots = new Semaphore(2 * config.parallelism());
  }

  /** Opens the journal in the configured directory and clears spool files a crash left behind. */
  public static ImportCore open(Config config) throws IOException {
    Journal j = Journal.open(config.journalDirectory(), config.mailbox(), config.journalKeeps());
    ImportCore core = new ImportCore(config, j, RateLimiter.Clock.SYSTEM);
    core.clearSpool();
    return core;
  }

  private void clearSpool() {
    if (!Files.isDirectory(spoolDir)) {
      return;
    }
    try (DirectoryStream<Path> left = Files.newDirectoryStream(spoolDir)) {
      for (Path p : left) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("cannot clear the Gmail spool {}: {}", spoolDir, e.getMessage());
    }
  }

  // ---- the destination's state ----

  private void checkLatch() throws FetchException {
    checkLatch(null);
  }

  /** Throws the destination's failure remembered from an earlier request (see DestinationLatch). */
  private void checkLatch(String what) throws FetchException {
    if (latch.check(what)) {
      ready = false; // check the account again: the token may be another now
    }
  }

  /**
   * Before the first import: the token's account must be the configured one, and every import a
   * crash left in doubt is resolved by asking Gmail.
   */
  private void ensureReady() throws IOException {
    if (ready) {
      return;
    }
    synchronized (readyLock) {
      if (ready) {
        return;
      }
      checkLatch();
      try {
        GmailApi.Profile profile = api.profile();
        String address = profile.address();
        historyMark.offer(profile.historyId());
        if (!address.trim().equalsIgnoreCase(config.mailbox())) {
          throw new OAuthFailure(
              OAuthFailure.Reason.ANOTHER_MAILBOX,
              FetchError.CONFIGURATION,
              "the access token opens the Gmail mailbox "
                  + address
                  + ", not "
                  + config.mailbox()
                  + ": mailfetch imports into no other mailbox than the one configured,"
                  + " and imported nothing",
              null,
              Remedy.of(
                  "Authorize mailfetch again signed in to Google as "
                      + config.mailbox()
                      + " (mailfetch oauth), or"
                      + " deliver to gmail:"
                      + address
                      + " if that is the mailbox you meant.",
                  "Get a token for "
                      + config.mailbox()
                      + " (authorize again signed in as that account), or set"
                      + " GmailImportSink.Builder.mailbox(\""
                      + address
                      + "\") if that is the mailbox you meant."));
        }
        resolveInDoubt();
      } catch (FetchException e) {
        latch.latch(e);
        throw e;
      }
      ready = true;
    }
  }

  private void resolveInDoubt() throws IOException {
    for (Map.Entry<DeliveryKey, Journal.Intent> d : journal.inDoubtAtOpen().entrySet()) {
      Journal.Intent in = d.getValue();
      if (in.messageId() == null && (in.historyId() < 0 || in.sha256() == null)) {
        log.warn(
            "an import into {} was in doubt after a crash; its message has no Message-ID and its intent no"
                + " history id, so Gmail cannot be asked whether it has it: it is imported again when delivered again,"
                + " and may then be there twice (docs/gmail.md, \"Exactly once, and its window\")",
            config.mailbox());
      }
      Optional<String> held = inDoubt.find(d.getKey(), in);
      if (held.isPresent()) {
        journal.answered(d.getKey(), held.get());
      } else {
        journal.withdrawn(d.getKey());
      }
    }
    journal.force();
  }

  // ---- the sink ----

  /** See GmailImportSink#begin. */
  public Delivery begin(Envelope envelope) throws IOException {
    checkOpen();
    Labels.refuseSystemLabels(envelope.labels());
    checkLatch("message " + envelope.uid() + " of " + envelope.account());
    ensureReady();
    refusals.startThread();
    return new GmailDelivery(envelope);
  }

  /** See GmailImportSink#contains. */
  public boolean contains(DeliveryKey key) throws IOException {
    checkOpen();
    if (!ready && journal.hasInDoubt()) {
      ensureReady();
    }
    return underWay.contains(key) || journal.gmailId(key).isPresent();
  }

  /** Gmail's id of the message delivered under {@code key}, where the journal remembers it. */
  public Optional<String> gmailId(DeliveryKey key) {
    return journal.gmailId(key);
  }

  /** See GmailImportSink#sync. */
  public void sync() throws IOException {
    checkOpen();
    underWay.awaitAll();
    journal.force();
    Map<DeliveryKey, FetchException> failed = refusals.sinceLastSync();
    if (!failed.isEmpty()) {
      throw new DeliveriesFailed(failed);
    }
  }

  /** See GmailImportSink#addLabels. */
  public boolean addLabels(DeliveryKey key, Set<String> names) throws IOException {
    checkOpen();
    Labels.refuseSystemLabels(names);
    checkLatch();
    ensureReady();
    Optional<String> id = journal.gmailId(key);
    if (id.isEmpty()) {
      return false;
    }
    List<String> ids = new ArrayList<>();
    // A copy found in the source's junk does not move the copy Gmail holds to Spam.
    for (String n : Labels.userLabels(names)) {
      ids.add(labels.idOf(n));
    }
    if (ids.isEmpty()) {
      return true;
    }
    try {
      return api.addLabelIds(id.get(), ids);
    } catch (FetchException e) {
      if (e instanceof GmailApi.ScopeMissing) {
        // The narrow scopes (gmail.insert, gmail.labels, gmail.readonly) import but cannot modify:
        // the
        // duplicate's labels are not added, which must not stop the run.
        if (!modifyRefusedSaid) {
          modifyRefusedSaid = true;
          log.warn(
              "labels of a duplicate were not added to the copy in {}: {}",
              config.mailbox(),
              e.getMessage());
        }
        return false;
      }
      throw e;
    } catch (GmailApi.Refusal r) {
      throw new FetchException(
          FetchError.SINK_FAILED,
          "Gmail refused to add labels to a message it holds: "
              + GmailError.words(r.status, r.reason, r.gmailMessage));
    }
  }

  /** See GmailImportSink#close. */
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    pool.shutdown();
    try {
      long wait = config.retryBudget().plus(config.requestTimeout()).toMillis();
      if (!pool.awaitTermination(wait, TimeUnit.MILLISECONDS)) {
        log.warn(
            "imports into {} still on their way at close were abandoned; they are resolved at the next start",
            config.mailbox());
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      journal.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the Gmail sink of " + config.mailbox() + " is closed");
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** One message on its way: spooled as it is written, handed to the pool at {@code complete}. */
  private final class GmailDelivery implements Delivery {
    private final Envelope envelope;
    private final MessageSpool spool;
    // Gmail's own: the digest an intent records, to tell a message in doubt from its twin.
    private final MessageDigest sha256 = newSha256();
    private boolean ended;

    GmailDelivery(Envelope envelope) {
      this.envelope = envelope;
      this.spool = new MessageSpool(spoolDir, config.memorySpoolBytes());
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
      if (ended) {
        throw new IllegalStateException("the delivery has ended");
      }
      sha256.update(bytes.duplicate());
      spool.write(bytes);
    }

    @Override
    public DeliveryReceipt complete(DeliveryKey key) throws IOException {
      if (ended) {
        throw new IllegalStateException("the delivery has ended");
      }
      ended = true;
      boolean handedOver = false;
      try {
        checkOpen();
        spool.finish();
        long size = spool.size();
        if (underWay.contains(key) || journal.gmailId(key).isPresent()) {
          return new DeliveryReceipt(key, size, true);
        }
        checkLatch(what());
        if (size > config.maxMessageBytes()) {
          throw new FetchException(
              FetchError.SINK_REJECTED,
              what()
                  + " is "
                  + size
                  + " bytes, more than Gmail takes ("
                  + config.maxMessageBytes()
                  + " bytes); it was not sent");
        }
        String messageId = spool.messageId();
        try {
          slots.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException(
              "interrupted while waiting for room among the imports on their way");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!underWay.claim(key, done)) {
          slots.release();
          return new DeliveryReceipt(
              key, size, true); // another fetcher completed the same key meanwhile
        }
        boolean inDoubt = journal.isOpen(key); // an earlier try may have reached Gmail
        Journal.Intent intent;
        try {
          journal.intent(
              key,
              new Journal.Intent(
                  messageId,
                  size,
                  historyMark.value(),
                  HexFormat.of().formatHex(sha256.digest()),
                  System.currentTimeMillis()));
          intent = journal.openIntent(key).orElseThrow();
        } catch (IOException | RuntimeException e) {
          underWay.unclaim(key);
          done.complete(null);
          slots.release();
          throw e;
        }
        refusals.forget(key);
        try {
          pool.execute(() -> importOne(key, envelope, spool, intent, inDoubt, done));
        } catch (RuntimeException e) { // the sink was closed meanwhile: nothing was sent
          journal.withdrawn(key);
          underWay.unclaim(key);
          done.complete(null);
          slots.release();
          throw new IllegalStateException(
              "the Gmail sink of " + config.mailbox() + " is closed", e);
        }
        handedOver = true;
        return new DeliveryReceipt(key, size, false);
      } finally {
        if (!handedOver) {
          spool.close();
        }
      }
    }

    private String what() {
      return "message " + envelope.uid() + " of " + envelope.account();
    }

    @Override
    public void abort() {
      ended = true;
      spool.close();
    }
  }

  /** The import itself, on a pool thread; every outcome is journalled or recorded as a refusal. */
  private void importOne(
      DeliveryKey key,
      Envelope envelope,
      MessageSpool spool,
      Journal.Intent intent,
      boolean inDoubt,
      CompletableFuture<Void> done) {
    String what = "message " + envelope.uid() + " of " + envelope.account();
    boolean mayBeInGmail = inDoubt;
    ImportsUnderWay.Running me = underWay.started(key, spool.size());
    try {
      checkLatch(what);
      List<String> labelIds = labels.idsFor(envelope.labels(), envelope.archived());
      historyMark.refresh(api);
      mayBeInGmail = true;
      String gmailId = upload.importMessage(what, spool, labelIds, key, intent, inDoubt);
      journal.answered(key, gmailId);
    } catch (FetchException e) {
      refused(key, e, mayBeInGmail && e.error() != FetchError.SINK_REJECTED);
    } catch (IOException e) {
      refused(
          key,
          new FetchException(
              FetchError.SINK_FAILED,
              "importing " + what + " into Gmail failed: " + GmailFailures.reason(e),
              e),
          mayBeInGmail);
    } catch (RuntimeException e) {
      refused(
          key,
          new FetchException(
              FetchError.SINK_FAILED, "importing " + what + " into Gmail failed: " + e, e),
          mayBeInGmail);
    } finally {
      underWay.ended(key, me, done);
      slots.release();
      spool.close();
      done.complete(null);
      Thread.interrupted(); // an abandoned import's interrupt must not reach the pool's next task
    }
  }

  private void refused(DeliveryKey key, FetchException e, boolean mayBeInGmail) {
    if (underWay.wasAbandoned(key)) {
      // sync already reported it failed; the intent stays open (it may be in Gmail)
      return;
    }
    latch.latch(e);
    if (!mayBeInGmail) {
      try {
        journal.withdrawn(key);
      } catch (IOException | RuntimeException w) {
        log.debug("cannot withdraw an intent from the Gmail journal: {}", w.toString());
      }
    }
    // else the intent stays open: a new try, now or after a restart, first asks Gmail for the
    // message
    refusals.add(key, e);
  }
}
