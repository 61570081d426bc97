package dev.mailfetch.api.internal.journal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink's durable record of what a remote destination has: a delivery is written "intended"
 * ({@code I}) before the message is sent, then "done" (the destination took it) or "withdrawn"
 * ({@code W}: it does not hold it). A key intended and neither done nor withdrawn when the process
 * died is in doubt. What a record's fields say (Gmail's message id, IMAP's folder and UID, the LMTP
 * recipients that took it) is the sink's; this class owns the states, the file and its lock.
 *
 * <p>One line per record ({@link JournalLine}), each ending in the CRC-32 of the rest; an optional
 * first line names what the journal belongs to (a mailbox), so it is never read for another. A last
 * line cut short (or garbled) by a crash is absent, and is cut away; a bad line with a good one
 * after it is damage ({@code STATE_DAMAGED}: it will not guess).
 *
 * <p>Bounded: it remembers the newest {@link Shape#keepDone} deliveries done (those the state store
 * may not have recorded yet) and every open intent, and rewrites itself (new file, forced, renamed
 * over the old) when it holds more than twice {@code keepDone} records plus the open intents. The
 * rewrite comes after a record is forced and remembered; one that fails is logged and tried again
 * {@link #COMPACT_RETRY_RECORDS} records later: it never fails a record already on disk.
 * Thread-safe.
 */
public final class IntentJournal implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(IntentJournal.class);

  /** After a failed compaction, how many more records before it is tried again. */
  public static final int COMPACT_RETRY_RECORDS = 64;

  /**
   * How many records past the bound before a rewrite, so a small journal is not rewritten often.
   */
  private static final int SLACK = 16;

  /** The intent's letter. */
  public static final String INTENDED = "I";

  /** The withdrawal's letter. */
  public static final String WITHDRAWN = "W";

  /**
   * What differs between the sinks' journals.
   *
   * @param name the journal in the user's words ("Gmail journal"), before its file's name
   * @param destination what it records the holdings of, for the words of damage ("Gmail")
   * @param header what the first line names (a mailbox), checked ignoring case; null for none
   * @param doneKind the letter of a delivery done (Gmail's journals write {@code A})
   * @param keepDone how many deliveries done it remembers at the least
   * @param wellFormed whether a record whose CRC is right has the fields of its kind
   * @param heldElsewhere the error when another sink holds the lock
   * @param otherHeader the error for a journal whose first line names another (given its name)
   */
  public record Shape(
      String name,
      String destination,
      String header,
      String doneKind,
      int keepDone,
      Predicate<JournalLine> wellFormed,
      Supplier<FetchException> heldElsewhere,
      Function<String, FetchException> otherHeader) {}

  private final Shape shape;
  private final JournalFile disk; // null: kept in memory only
  private final Path file;
  private final LinkedHashMap<DeliveryKey, List<String>> done = new LinkedHashMap<>();
  private final LinkedHashMap<DeliveryKey, List<String>> open = new LinkedHashMap<>();
  private final Map<DeliveryKey, List<String>> inDoubtAtOpen = new LinkedHashMap<>();
  private long records;
  private long compactNotBefore;
  private boolean closed;

  private IntentJournal(Shape shape, JournalFile disk) {
    this.shape = shape;
    this.disk = disk;
    this.file = disk == null ? null : disk.path();
  }

  /**
   * Opens (or creates) the journal {@code file}, taking {@code lockFile}'s lock, and reads it.
   *
   * @throws FetchException of {@code STATE_DAMAGED} for a damaged journal, of {@code CONFIGURATION}
   *     for a journal of another header or a lock another sink holds, of {@code SINK_FAILED} when
   *     it cannot be read or written
   */
  public static IntentJournal open(Path file, Path lockFile, Shape shape) throws IOException {
    JournalFile f = JournalFile.lock(file, lockFile, shape);
    IntentJournal j = new IntentJournal(shape, f);
    try {
      j.load();
    } catch (IOException | RuntimeException e) {
      j.close();
      throw e;
    }
    return j;
  }

  /** A journal kept in memory for the sink's own life (a sink given no file). */
  public static IntentJournal inMemory(Shape shape) {
    return new IntentJournal(shape, null);
  }

  private void load() throws IOException {
    if (!disk.exists()) {
      rewrite();
      return;
    }
    byte[] all = disk.readAll();
    List<int[]> lines = new ArrayList<>(); // [start, end) of each line, without its LF
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n') {
        lines.add(new int[] {start, i});
        start = i + 1;
      }
    }
    boolean tornTail = start < all.length; // bytes after the last LF: a write cut short
    int first = shape.header() == null ? 0 : 1;
    String headerBody = null;
    List<JournalLine> parsed = new ArrayList<>();
    int lastGood = -1;
    for (int n = 0; n < lines.size(); n++) {
      String text =
          new String(
              all, lines.get(n)[0], lines.get(n)[1] - lines.get(n)[0], StandardCharsets.UTF_8);
      if (n < first) {
        String body = JournalLine.unframed(text);
        if (body != null && body.startsWith("H ") && body.indexOf(' ', 2) < 0) {
          headerBody = body.substring(2);
          lastGood = n;
        }
        parsed.add(null);
        continue;
      }
      JournalLine rec = JournalLine.parse(text);
      if (rec != null && !known(rec)) {
        rec = null;
      }
      parsed.add(rec);
      if (rec != null) {
        lastGood = n;
      }
    }
    if (lastGood < 0) {
      if (first > 0 && !lines.isEmpty() && !isBlank(all)) {
        throw damaged("its first line is not a " + shape.name() + "'s");
      }
      rewrite(); // empty, or only a line cut short: nothing was recorded
      return;
    }
    if (first > 0) {
      if (headerBody == null) {
        throw damaged("its first line is not a " + shape.name() + "'s");
      }
      if (!JournalLine.unescape(headerBody).equalsIgnoreCase(shape.header())) {
        throw shape.otherHeader().apply(JournalLine.unescape(headerBody));
      }
    }
    for (int n = first; n <= lastGood; n++) {
      JournalLine rec = parsed.get(n);
      if (rec == null) {
        throw damaged("line " + (n + 1) + " is damaged, and records follow it");
      }
      apply(rec);
      records++;
    }
    if (lastGood < lines.size() - 1 || tornTail) {
      // The tail after the last good record was being written when the process died: absent.
      disk.cutAfter(lines.get(lastGood)[1] + 1L);
    }
    inDoubtAtOpen.putAll(open);
    trimDone();
    disk.openForAppend();
    if (records > 2L * shape.keepDone() + open.size()) {
      compact();
    }
  }

  private boolean known(JournalLine rec) {
    String k = rec.kind();
    return (k.equals(INTENDED) || k.equals(WITHDRAWN) || k.equals(shape.doneKind()))
        && shape.wellFormed().test(rec);
  }

  private static boolean isBlank(byte[] all) {
    for (byte b : all) {
      if (b != 0 && b != '\n') {
        return false;
      }
    }
    return true;
  }

  private void apply(JournalLine rec) {
    DeliveryKey key = rec.key();
    if (rec.kind().equals(INTENDED)) {
      done.remove(key);
      open.put(key, rec.fields());
    } else if (rec.kind().equals(WITHDRAWN)) {
      open.remove(key);
    } else {
      open.remove(key);
      done.remove(key);
      done.put(key, rec.fields());
    }
  }

  /** The deliveries in doubt when the journal was opened (intended, neither done nor withdrawn). */
  public synchronized Map<DeliveryKey, List<String>> inDoubtAtOpen() {
    return new LinkedHashMap<>(inDoubtAtOpen);
  }

  /** The deliveries intended and neither done nor withdrawn now, in the order intended. */
  public synchronized Map<DeliveryKey, List<String>> open() {
    return new LinkedHashMap<>(open);
  }

  /** The fields of the open intent of {@code key}, if any. */
  public synchronized Optional<List<String>> intent(DeliveryKey key) {
    return Optional.ofNullable(open.get(key));
  }

  /** The fields of {@code key}'s record done, if the journal remembers it. */
  public synchronized Optional<List<String>> done(DeliveryKey key) {
    return Optional.ofNullable(done.get(key));
  }

  /** The delivery done whose fields {@code match}, newest first, if the journal remembers one. */
  public synchronized Optional<DeliveryKey> findDone(Predicate<List<String>> match) {
    DeliveryKey found = null;
    for (Map.Entry<DeliveryKey, List<String>> d : done.entrySet()) {
      if (match.test(d.getValue())) {
        found = d.getKey();
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * Records that {@code key} is about to be sent, with the sink's {@code fields}; forced to disk
   * before it returns where {@code force}, else at the next {@link #force}.
   */
  public synchronized void intend(DeliveryKey key, List<String> fields, boolean force)
      throws IOException {
    JournalLine rec = new JournalLine(INTENDED, key, fields);
    append(rec, force);
    done.remove(key);
    open.put(key, rec.fields());
    compactIfDue();
  }

  /** Records that the destination took {@code key}; forced as {@link #intend} says. */
  public synchronized void done(DeliveryKey key, List<String> fields, boolean force)
      throws IOException {
    JournalLine rec = new JournalLine(shape.doneKind(), key, fields);
    append(rec, force);
    // Durable (where forced): memory follows at once, and a compaction that fails fails nothing.
    open.remove(key);
    inDoubtAtOpen.remove(key);
    done.remove(key);
    done.put(key, rec.fields());
    trimDone();
    compactIfDue();
  }

  /**
   * Records that the destination does not hold {@code key} (refused, never sent, or not found);
   * nothing where no intent is open. Forced at the next {@link #force}.
   */
  public synchronized void withdraw(DeliveryKey key) throws IOException {
    if (!open.containsKey(key)) {
      return;
    }
    append(new JournalLine(WITHDRAWN, key, List.of()), false);
    open.remove(key);
    inDoubtAtOpen.remove(key);
  }

  /** Forces what was written to disk, and rewrites the journal smaller where it grew too long. */
  public synchronized void force() throws IOException {
    checkOpen();
    compactIfDue();
    if (disk != null) {
      disk.force();
    }
  }

  /** How many records the file holds (for tests of its bound). */
  public synchronized long records() {
    return records;
  }

  private void trimDone() {
    Iterator<DeliveryKey> it = done.keySet().iterator();
    while (done.size() > shape.keepDone() && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  private void append(JournalLine rec, boolean force) throws IOException {
    checkOpen();
    if (disk != null) {
      disk.append(rec.text(), force);
    }
    records++;
  }

  private void compactIfDue() {
    if (records > 2L * shape.keepDone() + open.size() + SLACK && records >= compactNotBefore) {
      compact();
    }
  }

  private void compact() {
    try {
      rewrite();
      compactNotBefore = 0;
    } catch (IOException e) {
      compactNotBefore = records + COMPACT_RETRY_RECORDS;
      log.warn(
          "the {} {} could not be rewritten smaller (it is tried again later; nothing is lost): {}",
          shape.name(),
          file,
          e.getMessage());
    }
  }

  /** Writes the live records to a new file, forces it, and renames it over the journal. */
  private void rewrite() throws IOException {
    StringBuilder sb = new StringBuilder();
    if (shape.header() != null) {
      sb.append(JournalLine.framed("H " + JournalLine.escape(shape.header())));
    }
    long n = 0;
    for (Map.Entry<DeliveryKey, List<String>> d : done.entrySet()) {
      sb.append(new JournalLine(shape.doneKind(), d.getKey(), d.getValue()).text());
      n++;
    }
    for (Map.Entry<DeliveryKey, List<String>> i : open.entrySet()) {
      sb.append(new JournalLine(INTENDED, i.getKey(), i.getValue()).text());
      n++;
    }
    if (disk != null) {
      disk.replaceWith(sb.toString());
    }
    records = n;
    if (disk != null) {
      disk.openForAppend(); // if this fails, the next append tries again
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the " + shape.name() + " " + file + " is closed");
    }
  }

  private FetchException damaged(String what) {
    return new FetchException(
        FetchError.STATE_DAMAGED,
        "the "
            + shape.name()
            + " "
            + file
            + " is damaged: "
            + what
            + ". mailfetch will not guess which messages "
            + shape.destination()
            + " has, and has changed nothing",
        null,
        null,
        Remedy.of(
            "Restore "
                + file
                + " from a backup; or move it aside: the sink then forgets which messages are in "
                + shape.destination()
                + ", so a message whose delivery a crash left in doubt may be delivered twice."));
  }

  static FetchException failed(String what, IOException e) {
    String reason = e.getMessage() == null ? "input/output error" : e.getMessage();
    return new FetchException(FetchError.SINK_FAILED, what + ": " + reason, null, e);
  }

  /** Forces and closes the file and releases the lock. Safe to call more than once. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (disk != null) {
      disk.close();
    }
  }
}
