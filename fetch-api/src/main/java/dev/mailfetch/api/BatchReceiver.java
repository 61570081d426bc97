package dev.mailfetch.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the bytes of one batch and streams each message into the sink. Until the policies have
 * decided, a message's header section is held back ({@link HeaderHoldBack}); after that the
 * source's slices go to the sink as they are, without a copy. Each message ends {@link
 * RunItem.Phase#RECEIVED}, {@link RunItem.Phase#DUPLICATE} or {@link RunItem.Phase#SETTLED}; the
 * batch's barrier does the rest.
 */
final class BatchReceiver implements MessageHandler {
  // Named after the public class: users configure logging by the names they know.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  /**
   * Thrown from the handler, through the source, to leave a batch: after the message in progress
   * when a stop is asked for, or at once when the sink's place failed ({@code placeFailed}).
   */
  static final class LeaveBatch extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient FetchException placeFailed;

    LeaveBatch(FetchException placeFailed) {
      super("stop requested", null, false, false);
      this.placeFailed = placeFailed;
    }

    /**
     * Why the batch was left: a place that failed stops the run at once, as what follows would fail
     * alike (SinkPlace); else the stop that was asked for.
     */
    FetchException why() {
      return placeFailed != null ? placeFailed : RunFailures.stopped();
    }
  }

  private final RunConfig config;
  private final List<RunItem> batchItems;
  private final HeaderHoldBack holdBack;
  private final DuplicateDecision decision;
  private final List<FetchException> warnings;
  private final BooleanSupplier stopRequested;
  private final String server;
  private final Instant now;
  private final boolean needsHeaders;
  private final long maxMessageSize;
  private int next;
  private RunItem current;
  private Delivery delivery;
  private boolean inHeaders;
  private long bytes;
  private MessageDigest digest;

  /** Fed with the body when the dedup policy judges by content. */
  private ContentDigest content;

  private final EmptyMessageCheck emptiness = new EmptyMessageCheck();
  private FetchException failure;

  /** The sink's place failed (SinkPlace): the batch is left at once, and the run stops. */
  private FetchException placeFailed;

  BatchReceiver(
      RunConfig config,
      List<RunItem> batchItems,
      HeaderHoldBack holdBack,
      DuplicateDecision decision,
      List<FetchException> warnings,
      BooleanSupplier stopRequested,
      String server,
      Instant now) {
    this.config = config;
    this.batchItems = batchItems;
    this.holdBack = holdBack;
    this.decision = decision;
    this.warnings = warnings;
    this.stopRequested = stopRequested;
    this.server = server;
    this.now = now;
    this.needsHeaders = config.needsHeaders();
    this.maxMessageSize = config.limits().maxMessageSize();
  }

  @Override
  public void start(MessageRef ref) {
    leaveIfPlaceFailed();
    if (current == null && stopRequested.getAsBoolean()) {
      throw new LeaveBatch(null);
    }
    if (current != null) {
      fail(
          new FetchException(
              FetchError.PROTOCOL, "the source started a message before ending the last"));
      settleCurrent();
    }
    RunItem item = find(ref);
    if (item == null || item.isSettled() || item.isHeld()) {
      log.warn(
          "{} - the source sent message {} that this batch did not ask for, or twice; ignored",
          config.account(),
          ref.number());
      current = null;
      return;
    }
    current = item;
    item.receiving();
    bytes = 0;
    failure = null;
    delivery = null;
    holdBack.clear();
    digest = item.byUid ? null : Sha256.newDigest();
    content = config.dedupPolicy().needsContentDigest() ? ContentDigest.start() : null;
    emptiness.reset();
    config.listener().messageStarted(ref);
    inHeaders = needsHeaders;
    if (!inHeaders) {
      decide(HeaderBlock.empty());
    }
    leaveIfPlaceFailed();
  }

  /** Leaves the batch once the sink's place failed: the messages after it would fail alike. */
  private void leaveIfPlaceFailed() {
    if (placeFailed != null) {
      throw new LeaveBatch(placeFailed);
    }
  }

  @Override
  public void data(ByteBuffer slice) {
    RunItem item = current;
    if (item == null || failure != null) {
      return; // discarding: a message we did not ask for, a failed or a duplicate one
    }
    if (!slice.hasRemaining()) {
      // Nothing to count, hash or hold. Passed on, an empty slice reached the sink's write late in
      // a run, a branch its compiled code had never seen: the JIT threw that code away and
      // compiled the whole per-message path again (docs/cli.md, "The launcher").
      return;
    }
    bytes += slice.remaining();
    item.bytesSeen = bytes;
    if (bytes > maxMessageSize) {
      fail(LimitAdvice.tooLargeReceived(item.ref, maxMessageSize));
      return;
    }
    if (!emptiness.hasContent()) {
      emptiness.feed(slice);
    }
    if (digest != null) {
      int p = slice.position();
      digest.update(slice);
      slice.position(p);
    }
    if (inHeaders) {
      if (holdBack.hold(slice)) {
        decide(holdBack.section());
        if (content != null) {
          content.body(holdBack.bodyHeld()); // body bytes that came with the end of the headers
        }
        flushHeader();
      }
    } else if (item.phase() != RunItem.Phase.DUPLICATE) {
      if (content != null) {
        content.body(slice);
      }
      write(slice);
    }
    leaveIfPlaceFailed();
  }

  @Override
  public void end() {
    RunItem item = current;
    if (item == null) {
      return;
    }
    config.listener().messageReceived(item.ref, bytes);
    if (inHeaders && failure == null) {
      holdBack.messageEnded(); // quirk Q09: all of it is headers
      decide(holdBack.section());
      flushHeader();
    }
    if (item.recheckEmpty && item.phase() == RunItem.Phase.DUPLICATE && emptiness.isEmpty()) {
      // Still served empty: no verdict makes it safe to delete (said at the barrier, still empty).
      item.notDuplicate();
    }
    if (failure == null && item.phase() != RunItem.Phase.DUPLICATE && !complete(item)) {
      settleCurrent(); // a place that failed in the dedup checks is left at the next message
      return;
    }
    settleCurrent();
    leaveIfPlaceFailed();
  }

  /**
   * The message is in whole: delivered, or found a copy, or (served empty again) seen. Returns
   * false where it ended before the sink was asked to complete the delivery.
   */
  private boolean complete(RunItem item) {
    if (item.key == null) {
      item.key = DeliveryKey.ofContent(config.account(), digest.digest());
    }
    // Every empty message has one digest: never judged by it, or each would be a copy of the
    // first.
    item.servedEmpty = emptiness.isEmpty();
    if (item.recheckEmpty) {
      if (item.servedEmpty) { // as before: the copy stored then stays the only one
        if (delivery != null) {
          delivery.abort();
        }
        delivery = null;
        item.settle(MessageOutcome.alreadySeen(item.ref, item.record.deliveryKey(), bytes));
        warnings.add(EmptyMessageCheck.stillEmpty(item.ref, bytes));
        return false;
      }
      item.key = EmptyMessageCheck.wholeKey(config.account(), item.ref);
    }
    if (content != null && !item.servedEmpty) {
      item.contentDigest = content.digest();
      content = null;
      DedupVerdict copy;
      try {
        copy = decision.secondLook(item);
      } catch (FetchException e) {
        fail(e, true);
        return false;
      }
      if (copy != null) { // a duplicate by content: aborted in the sink, never stored
        delivery.abort();
        delivery = null;
        accept(item, copy, item.envelope.labels());
        return false;
      }
    }
    try {
      item.received(delivery.complete(item.key));
      delivery = null;
    } catch (IOException | RuntimeException e) {
      fail(RunFailures.sink("completing message " + item.ref.number(), e), true);
    }
    DeliveryReceipt receipt = item.receipt();
    if (receipt != null && !receipt.alreadyHeld() && !item.servedEmpty) {
      // Remembered now, not at the barrier, so that a second copy in the same batch is caught;
      // a verdict is acted on only while the sink holds the first copy, so this costs nothing
      // if a crash loses it. An empty copy is never a first copy: its copies would be deleted
      // from the server while only the stub is held.
      decision.remember(item);
    }
    return true;
  }

  @Override
  public void failed(MessageRef ref, FetchException error) {
    RunItem item = current != null && current.ref.equals(ref) ? current : find(ref);
    if (item == null || item.isSettled()) {
      return;
    }
    if (item == current) {
      fail(error);
      settleCurrent();
    } else if (item.phase() == RunItem.Phase.PLANNED) {
      // One the sink holds already keeps its place: its barrier decides it.
      item.settle(MessageOutcome.failed(ref, error, true, 0));
    }
  }

  /** After retrieve returned or threw: whatever is unfinished fails. */
  void close(FetchException sessionError) {
    if (current != null) {
      fail(
          sessionError != null
              ? sessionError
              : new FetchException(
                  FetchError.PROTOCOL,
                  "the source did not finish message " + current.ref.number()));
      settleCurrent();
    }
    for (RunItem item : batchItems) {
      if (!item.isSettled() && !item.isHeld()) {
        item.settle(
            sessionError != null
                ? MessageOutcome.failed(item.ref, sessionError, false, 0)
                : MessageOutcome.failed(
                    item.ref,
                    new FetchException(
                        FetchError.PROTOCOL,
                        "the source did not return message " + item.ref.number()),
                    true,
                    0));
      }
    }
  }

  private RunItem find(MessageRef ref) {
    if (next < batchItems.size() && batchItems.get(next).ref.equals(ref)) {
      return batchItems.get(next++);
    }
    for (RunItem item : batchItems) {
      if (item.ref.equals(ref)) {
        return item;
      }
    }
    return null;
  }

  private void fail(FetchException e) {
    fail(e, false);
  }

  /**
   * As {@link #fail(FetchException)}; {@code fromSink} when the sink said it, whose place may stop
   * the run.
   */
  private void fail(FetchException e, boolean fromSink) {
    if (failure == null) {
      FetchException stops = fromSink && placeFailed == null ? SinkPlace.stopping(e) : e;
      if (stops != e) {
        placeFailed = stops;
      }
      failure = stops;
    }
    if (delivery != null) {
      delivery.abort();
      delivery = null;
    }
  }

  private void settleCurrent() {
    RunItem item = current;
    if (failure != null) {
      item.settle(MessageOutcome.failed(item.ref, failure, true, bytes));
      log.warn(
          "{} - message {} failed: {}", config.account(), item.ref.number(), failure.getMessage());
    } else {
      item.receivedNothing();
    }
    current = null;
    failure = null;
    delivery = null;
    digest = null;
  }

  /** Decides labels and duplicates, then opens the delivery (or not, for a duplicate). */
  private void decide(HeaderBlock headers) {
    RunItem item = current;
    inHeaders = false;
    LabelDecision labels = decision.labels(item, headers);
    if (content != null) {
      content.headers(headers);
    }
    Envelope envelope =
        new Envelope(
            config.account(),
            item.byUid ? item.ref.uid() : null,
            item.ref.size(),
            labels.labels(),
            labels.archived());
    item.envelope = envelope;
    item.headers = headers;
    DedupVerdict copy;
    try {
      copy = decision.firstLook(item, envelope, headers);
    } catch (FetchException e) {
      fail(e, true);
      return;
    }
    if (copy != null) {
      accept(item, copy, labels.labels());
      return;
    }
    try {
      delivery = config.sink().begin(envelope);
      if (config.provenanceHeader()) {
        delivery.write(
            ByteBuffer.wrap(
                new ProvenanceHeader(
                        config.account(), server, item.byUid ? item.ref.uid() : null, now)
                    .toBytes()));
      }
    } catch (IOException | RuntimeException e) {
      fail(RunFailures.sink("starting message " + item.ref.number(), e), true);
    }
  }

  private void accept(RunItem item, DedupVerdict verdict, Set<String> labels) {
    try {
      decision.accept(item, verdict, labels);
    } catch (FetchException e) {
      fail(e, true);
    }
  }

  private void flushHeader() {
    if (failure == null && current.phase() != RunItem.Phase.DUPLICATE && holdBack.length() > 0) {
      write(holdBack.held());
    }
    holdBack.clear();
  }

  private void write(ByteBuffer slice) {
    try {
      delivery.write(slice);
    } catch (IOException | RuntimeException e) {
      fail(RunFailures.sink("writing message " + current.ref.number(), e), true);
    }
  }
}
