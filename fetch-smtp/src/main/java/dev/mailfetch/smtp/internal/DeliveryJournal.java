package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.journal.IntentJournal;
import dev.mailfetch.api.internal.journal.JournalLine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the sink sent, over the shared {@link IntentJournal}: {@code I key} before a message is sent
 * (not forced: an intent lost in a crash changes nothing sent), {@code D key} after the server's
 * {@code 250} (forced before {@code complete} returns). LMTP's partial success is its own: when a
 * recipient took the message while another did not, the intent is written again, forced, with the
 * recipients that took it as its fields ({@code I key a@example.org}), so the message is sent again
 * to the others alone. A key with an intent and no {@code D} is in doubt: the server may or may not
 * have it, and it is sent again.
 *
 * <p>Without a file it keeps the same in memory, for the sink's own life. Not thread-safe on its
 * own: the sink calls it under its own lock.
 */
final class DeliveryJournal {
  /** Deliveries done remembered (the state store records older ones). */
  private static final int KEEP_DONE = 20_000;

  private final IntentJournal journal;

  private DeliveryJournal(IntentJournal journal) {
    this.journal = journal;
  }

  static DeliveryJournal inMemory(Settings s) {
    return new DeliveryJournal(IntentJournal.inMemory(shape(s, null)));
  }

  static DeliveryJournal open(Settings s, Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    return new DeliveryJournal(
        IntentJournal.open(abs, abs.resolveSibling(abs.getFileName() + ".lock"), shape(s, abs)));
  }

  private static IntentJournal.Shape shape(Settings s, Path file) {
    return new IntentJournal.Shape(
        "delivery journal",
        "the " + s.protocol() + " server",
        null,
        "D",
        KEEP_DONE,
        DeliveryJournal::wellFormed,
        () -> heldElsewhere(s, file),
        null); // no header line
  }

  private static boolean wellFormed(JournalLine rec) {
    return rec.kind().equals(IntentJournal.INTENDED)
        ? !rec.fields().contains(null)
        : rec.fields().isEmpty();
  }

  boolean delivered(DeliveryKey key) {
    return journal.done(key).isPresent();
  }

  /** Keys the journal holds an intent for and no 250: sent again, possibly a second time. */
  Set<String> inDoubt() {
    Set<String> keys = new LinkedHashSet<>();
    journal.open().keySet().forEach(k -> keys.add(k.toString()));
    return Set.copyOf(keys);
  }

  /** The LMTP recipients that already took the message under {@code key}. */
  Set<String> recipientsDone(DeliveryKey key) {
    return new LinkedHashSet<>(journal.intent(key).orElse(List.of()));
  }

  /** Before the message is sent; not forced: an intent lost in a crash changes nothing sent. */
  void intent(DeliveryKey key) throws IOException {
    journal.intend(key, new ArrayList<>(recipientsDone(key)), false);
  }

  /** An LMTP recipient took the message while another did not; forced. */
  void recipientTook(DeliveryKey key, String recipient) throws IOException {
    Set<String> took = recipientsDone(key);
    took.add(recipient);
    journal.intend(key, new ArrayList<>(took), true);
  }

  /** The server's 250 (every recipient's, for LMTP); forced before the sink reports success. */
  void delivered(DeliveryKey key, boolean force) throws IOException {
    journal.done(key, List.of(), force);
  }

  void force() throws IOException {
    journal.force();
  }

  void close() throws IOException {
    journal.close();
  }

  private static FetchException heldElsewhere(Settings s, Path file) {
    return new FetchException(
        FetchError.CONFIGURATION,
        "another "
            + s.protocol()
            + " sink uses the delivery journal "
            + file
            + " right now; two at once could deliver a message twice",
        null,
        null,
        Remedy.of(
            "Let the other mailfetch delivering to this server finish first: one run at a time per"
                + " account.",
            "Close the other sink first, or give each sink a journal of its own ("
                + (s.lmtp() ? "LmtpSink" : "SmtpSink")
                + ".Builder.journal)."));
  }
}
