package dev.mailfetch.imap.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.journal.IntentJournal;
import dev.mailfetch.api.internal.journal.JournalLine;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The IMAP sink's fields over the shared {@link IntentJournal}: a delivery is intended with the
 * folders it goes to and its Message-ID ({@code I key msgid folder...}) before its {@code APPEND}
 * is sent, and done with where the server put it ({@code D key folder uidvalidity uid}) once the
 * server answered {@code OK}. A key intended but not done when the process died is in doubt: the
 * sink looks it up on the server before appending it again. A delivery that failed for good is
 * withdrawn. It remembers the last {@link #KEEP_DONE} deliveries done (those the state store may
 * not have recorded yet; older ones it has). Records are durable after {@link #force}.
 */
public final class AppendJournal implements Closeable {
  /** Deliveries done kept across a rewrite. */
  static final int KEEP_DONE = 20_000;

  /** A delivery written before its APPEND: where it goes, and how to find it. */
  public record Intent(List<String> folders, String messageId) {
    /** Keeps a copy. */
    public Intent {
      folders = List.copyOf(folders);
    }

    List<String> fields() {
      List<String> f = new ArrayList<>();
      f.add(messageId);
      f.addAll(folders);
      return f;
    }

    static Intent of(List<String> f) {
      return new Intent(f.subList(1, f.size()), f.get(0));
    }
  }

  /** Where the server put a delivery: its first folder and, with UIDPLUS, its UID there. */
  public record Placed(String folder, long uidValidity, long uid) {
    List<String> fields() {
      return List.of(folder, Long.toString(uidValidity), Long.toString(uid));
    }

    static Placed of(List<String> f) {
      return new Placed(f.get(0), Long.parseLong(f.get(1)), Long.parseLong(f.get(2)));
    }
  }

  private final IntentJournal journal;

  private AppendJournal(IntentJournal journal) {
    this.journal = journal;
  }

  /** Opens (or creates) the journal {@code file}, locks it and reads what it holds. */
  public static AppendJournal open(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    IntentJournal.Shape shape =
        new IntentJournal.Shape(
            "IMAP journal",
            "the IMAP mailbox",
            null,
            "D",
            KEEP_DONE,
            AppendJournal::wellFormed,
            () -> heldElsewhere(abs),
            null); // no header line
    return new AppendJournal(
        IntentJournal.open(abs, abs.resolveSibling(abs.getFileName() + ".lock"), shape));
  }

  private static boolean wellFormed(JournalLine rec) {
    List<String> f = rec.fields();
    try {
      return switch (rec.kind()) {
        case IntentJournal.INTENDED -> f.size() >= 2 && !f.subList(1, f.size()).contains(null);
        case "D" ->
            f.size() == 3
                && f.get(0) != null
                && Long.parseLong(f.get(1)) >= 0
                && Long.parseLong(f.get(2)) >= 0;
        default -> f.isEmpty();
      };
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Records that {@code key} is about to be appended (durable after {@link #force}). */
  public void intend(DeliveryKey key, Intent intent) throws IOException {
    journal.intend(key, intent.fields(), false);
  }

  /** Records that the server took {@code key} (durable after {@link #force}). */
  public void done(DeliveryKey key, Placed placed) throws IOException {
    journal.done(key, placed.fields(), false);
  }

  /** Records that {@code key} is neither held nor in doubt any more (refused, or not found). */
  public void withdraw(DeliveryKey key) throws IOException {
    journal.withdraw(key);
  }

  /** Where the server put {@code key}, where the journal remembers it. */
  public Optional<Placed> placed(DeliveryKey key) {
    return journal.done(key).map(Placed::of);
  }

  /** The deliveries in doubt: intended, neither done nor withdrawn. */
  public Map<DeliveryKey, Intent> inDoubt() {
    Map<DeliveryKey, Intent> m = new LinkedHashMap<>();
    journal.open().forEach((k, f) -> m.put(k, Intent.of(f)));
    return m;
  }

  /** Forces what was written to disk, then rewrites the file smaller if it grew too long. */
  public void force() throws IOException {
    journal.force();
  }

  /** How many lines the file holds now (for tests: it does not grow without bound). */
  long lines() {
    return journal.records();
  }

  private static FetchException heldElsewhere(Path abs) {
    return new FetchException(
        FetchError.CONFIGURATION,
        "another IMAP sink uses the journal "
            + abs
            + " right now; two at once could append a message twice",
        null,
        null,
        Remedy.of(
            "Let the other mailfetch delivering into this IMAP mailbox finish first: one run at a"
                + " time per account.",
            "Close the other sink first, or give each sink a journal of its own"
                + " (ImapAppendSink.Builder.journal)."));
  }

  /** Forces and closes the file, and releases the lock. Safe to call more than once. */
  @Override
  public void close() throws IOException {
    journal.close();
  }
}
