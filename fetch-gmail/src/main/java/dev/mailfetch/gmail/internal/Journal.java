package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.journal.IntentJournal;
import dev.mailfetch.api.internal.journal.JournalLine;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Gmail sink's record of what Gmail has, over the shared {@link IntentJournal}: for each
 * delivery an intent (written and forced before its import is sent), then either Gmail's answer
 * (key → Gmail's message id) or a withdrawal (Gmail did not take it). An intent with neither is in
 * doubt after a crash. What is Gmail's own: the fields of an intent ({@code I key size msgid
 * historyId sha256 millis}; journals written before history ids were kept: {@code I key size
 * msgid}), the answer's letter and field ({@code A key gmailId}), and the first line naming the
 * mailbox ({@code H mailbox}), so a journal is never read for another account. Thread-safe.
 */
public final class Journal implements Closeable {
  static final String FILE = "gmail.journal";

  /** The answer's letter in Gmail journals. */
  static final String ANSWER = "A";

  /**
   * An intent: what the sink knew of the message when it decided to import it.
   *
   * @param messageId the message's Message-ID (with its angle brackets), or null if it has none
   * @param size its size in bytes
   * @param historyId the mailbox's history id taken before the import ({@code users.getProfile}),
   *     -1 if unknown
   * @param sha256 the SHA-256 of its bytes (lower-case hex), or null if unknown
   * @param atMillis when the intent was written (epoch milliseconds), 0 if unknown
   */
  public record Intent(String messageId, long size, long historyId, String sha256, long atMillis) {
    /** An intent of a journal written before history ids and digests were recorded. */
    public Intent(String messageId, long size) {
      this(messageId, size, -1, null, 0);
    }

    List<String> fields() {
      return Arrays.asList(
          Long.toString(size),
          messageId,
          Long.toString(historyId),
          sha256,
          Long.toString(atMillis));
    }

    static Intent of(List<String> f) {
      long size = Long.parseLong(f.get(0));
      if (f.size() == 2) {
        return new Intent(f.get(1), size);
      }
      return new Intent(
          f.get(1), size, Long.parseLong(f.get(2)), f.get(3), Long.parseLong(f.get(4)));
    }
  }

  private final IntentJournal journal;

  private Journal(IntentJournal journal) {
    this.journal = journal;
  }

  /**
   * Opens (or creates) the journal of {@code mailbox} in {@code dir}, taking the directory's lock.
   *
   * @throws FetchException of {@code STATE_DAMAGED} for a damaged journal, of {@code CONFIGURATION}
   *     for a journal of another mailbox or a directory another sink holds, of {@code SINK_FAILED}
   *     when it cannot be read or written
   */
  public static Journal open(Path dir, String mailbox, int keeps) throws IOException {
    Path file = dir.resolve(FILE);
    IntentJournal.Shape shape =
        new IntentJournal.Shape(
            "Gmail journal",
            "Gmail",
            mailbox,
            ANSWER,
            keeps,
            Journal::wellFormed,
            () -> heldElsewhere(dir),
            other -> otherMailbox(file, dir, other, mailbox));
    return new Journal(IntentJournal.open(file, dir.resolve("lock"), shape));
  }

  /** Whether a record whose CRC is right has the fields of a Gmail journal's record of its kind. */
  static boolean wellFormed(JournalLine rec) {
    List<String> f = rec.fields();
    switch (rec.kind()) {
      case IntentJournal.INTENDED:
        if (f.size() != 2 && f.size() != 5) {
          return false;
        }
        try {
          if (f.size() == 5) {
            Long.parseLong(f.get(2));
            Long.parseLong(f.get(4));
            if (f.get(3) != null && !f.get(3).matches("[0-9a-f]{64}")) {
              return false;
            }
          }
          return Long.parseLong(f.get(0)) >= 0;
        } catch (NumberFormatException e) {
          return false;
        }
      case ANSWER:
        return f.size() == 1 && f.get(0) != null && !f.get(0).isEmpty();
      case IntentJournal.WITHDRAWN:
        return f.isEmpty();
      default:
        return false;
    }
  }

  /** A Gmail journal's record of {@code line} (no line end), or null for a bad or unknown one. */
  static JournalLine record(String line) {
    JournalLine rec = JournalLine.parse(line);
    return rec != null && wellFormed(rec) ? rec : null;
  }

  /** The imports that were in doubt when the journal was opened (intent, no answer), in order. */
  public Map<DeliveryKey, Intent> inDoubtAtOpen() {
    Map<DeliveryKey, Intent> m = new LinkedHashMap<>();
    journal.inDoubtAtOpen().forEach((k, f) -> m.put(k, Intent.of(f)));
    return Map.copyOf(m);
  }

  /** Whether some import was still in doubt when the journal was opened. */
  public boolean hasInDoubt() {
    return !journal.inDoubtAtOpen().isEmpty();
  }

  /** Records, and forces to disk, that the message is about to be imported. */
  public void intent(DeliveryKey key, String messageId, long size) throws IOException {
    intent(key, new Intent(messageId, size));
  }

  /**
   * Records, and forces to disk, that the message is about to be imported. An intent still open for
   * the key keeps its earlier history id (an earlier try may have reached Gmail after it).
   */
  public void intent(DeliveryKey key, Intent intent) throws IOException {
    if (intent.sha256() != null && !intent.sha256().matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a SHA-256 in hex: " + intent.sha256());
    }
    synchronized (journal) {
      Intent before = openIntent(key).orElse(null);
      Intent in = intent;
      if (before != null
          && before.historyId() >= 0
          && (in.historyId() < 0 || before.historyId() < in.historyId())) {
        in = new Intent(in.messageId(), in.size(), before.historyId(), in.sha256(), in.atMillis());
      }
      journal.intend(key, in.fields(), true);
    }
  }

  /** The open intent of {@code key}, if any. */
  public Optional<Intent> openIntent(DeliveryKey key) {
    return journal.intent(key).map(Intent::of);
  }

  /** Records, and forces to disk, that Gmail holds the message under {@code gmailId}. */
  public void answered(DeliveryKey key, String gmailId) throws IOException {
    if (gmailId.isEmpty() || gmailId.indexOf(' ') >= 0 || gmailId.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("not a Gmail message id: " + gmailId);
    }
    journal.done(key, List.of(gmailId), true);
  }

  /**
   * Records that Gmail does not hold the message (refused, or never sent); forced at the next
   * {@link #force}.
   */
  public void withdrawn(DeliveryKey key) throws IOException {
    journal.withdraw(key);
  }

  /** Gmail's id of the message delivered under {@code key}, if the journal remembers it. */
  public Optional<String> gmailId(DeliveryKey key) {
    return journal.done(key).map(f -> f.get(0));
  }

  /**
   * The delivery the journal records {@code gmailId} as the answer for, if it remembers one: a
   * Gmail message that is one delivery's is never another's (see InDoubt).
   */
  public Optional<DeliveryKey> deliveryOf(String gmailId) {
    return journal.findDone(f -> f.get(0).equals(gmailId));
  }

  /** Whether an intent for {@code key} has no answer yet. */
  public boolean isOpen(DeliveryKey key) {
    return journal.intent(key).isPresent();
  }

  /**
   * Forces what was written to disk, and rewrites the journal smaller where it grew past its bound.
   */
  public void force() throws IOException {
    journal.force();
  }

  /** How many records the file holds (for tests of its bound). */
  long records() {
    return journal.records();
  }

  private static FetchException heldElsewhere(Path dir) {
    return new FetchException(
        FetchError.CONFIGURATION,
        "another Gmail sink uses the journal directory "
            + dir
            + " right now; two at once could import a message twice",
        null,
        null,
        Remedy.of(
            "Let the other mailfetch delivering to this Gmail address finish first (or stop it): one run at a time"
                + " per Gmail address and state directory.",
            "Close the other sink of "
                + dir
                + " first, or give each sink a directory of its own"
                + " (GmailImportSink.Builder.journalDirectory)."));
  }

  private static FetchException otherMailbox(Path file, Path dir, String other, String mailbox) {
    return new FetchException(
        FetchError.CONFIGURATION,
        "the Gmail journal "
            + file.toAbsolutePath()
            + " belongs to "
            + other
            + ", not to "
            + mailbox
            + "; its records would answer for the wrong mailbox",
        null,
        null,
        Remedy.of(
            "Move "
                + dir
                + " aside if "
                + mailbox
                + " is the address you meant: each Gmail address keeps a"
                + " journal of its own.",
            "Give the sink of "
                + mailbox
                + " a journal directory of its own"
                + " (GmailImportSink.Builder.journalDirectory)."));
  }

  /** Closes the file and releases the directory's lock. Safe to call more than once. */
  @Override
  public void close() throws IOException {
    journal.close();
  }
}
