package dev.mailfetch.gmail.internal;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's durable record of what Gmail has: for each delivery an intent (written and forced
 * before its import is sent), then either Gmail's answer (key → Gmail's message id) or a withdrawal
 * (Gmail did not take it). An intent with neither is in doubt after a crash.
 *
 * <p>One text line per record ({@link JournalLine}), each ending in the CRC-32 of the rest: {@code
 * I key size msgid historyId sha256 millis crc} (journals written before history ids were kept:
 * {@code I key size msgid crc}), {@code A key gmailId crc}, {@code W key crc}; the first line names
 * the mailbox, so a journal is never read for another account. A last line cut short (or garbled)
 * by a crash is absent, and is cut away; a bad line with a good one after it is damage ({@code
 * STATE_DAMAGED}).
 *
 * <p>Bounded: it remembers the newest {@code keeps} answers and every open intent, and rewrites
 * itself (new file, forced, renamed over the old) when it holds more than twice that many records.
 * The rewrite comes after a record is forced and remembered, and a rewrite that fails (up to the
 * rename the old file and its channel are untouched) is logged and tried again {@link
 * #COMPACT_RETRY_RECORDS} records later: it never fails a record already on disk. Thread-safe.
 */
public final class Journal implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(Journal.class);

  /** After a failed compaction, how many more records before it is tried again. */
  static final int COMPACT_RETRY_RECORDS = 64;

  static final String FILE = "gmail.journal";

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
  }

  private final Path dir;
  private final Path file;
  private final String mailbox;
  private final int keeps;
  private final JournalFile disk;
  private final LinkedHashMap<DeliveryKey, String> answers = new LinkedHashMap<>();
  private final LinkedHashMap<DeliveryKey, Intent> open = new LinkedHashMap<>();
  private final Map<DeliveryKey, Intent> inDoubtAtOpen;
  private long records;
  private long compactNotBefore;
  private boolean closed;

  private Journal(JournalFile disk, String mailbox, int keeps) {
    this.disk = disk;
    this.dir = disk.dir();
    this.file = disk.path();
    this.mailbox = mailbox;
    this.keeps = keeps;
    this.inDoubtAtOpen = new LinkedHashMap<>();
  }

  /**
   * Opens (or creates) the journal of {@code mailbox} in {@code dir}, taking the directory's lock.
   *
   * @throws FetchException of {@code STATE_DAMAGED} for a damaged journal, of {@code CONFIGURATION}
   *     for a journal of another mailbox or a directory another sink holds, of {@code SINK_FAILED}
   *     when it cannot be read or written
   */
  public static Journal open(Path dir, String mailbox, int keeps) throws IOException {
    JournalFile f = JournalFile.lock(dir);
    Journal j = new Journal(f, mailbox, keeps);
    try {
      j.load();
    } catch (IOException | RuntimeException e) {
      j.close();
      throw e;
    }
    return j;
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
    int lastGood = -1;
    List<String[]> parsed = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String[] rec =
          JournalLine.parse(
              new String(
                  all, lines.get(n)[0], lines.get(n)[1] - lines.get(n)[0], StandardCharsets.UTF_8));
      parsed.add(rec);
      if (rec != null) {
        lastGood = n;
      }
    }
    if (lastGood < 0) {
      if (all.length > 0 && !lines.isEmpty() && !isBlank(all)) {
        throw damaged("its first line is not a Gmail journal's");
      }
      rewrite(); // empty, or only a header cut short: nothing was recorded
      return;
    }
    String[] header = parsed.get(0);
    if (header == null || !header[0].equals("H")) {
      throw damaged("its first line is not a Gmail journal's");
    }
    if (!header[1].equalsIgnoreCase(mailbox)) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          "the Gmail journal "
              + file
              + " belongs to "
              + header[1]
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
    for (int n = 1; n <= lastGood; n++) {
      String[] rec = parsed.get(n);
      if (rec == null) {
        throw damaged("line " + (n + 1) + " is damaged, and records follow it");
      }
      apply(rec, n + 1);
      records++;
    }
    if (lastGood < lines.size() - 1 || tornTail) {
      // The tail after the last good record was being written when the process died: absent.
      long keep = lines.get(lastGood)[1] + 1L;
      disk.cutAfter(keep);
    }
    inDoubtAtOpen.putAll(open);
    trimAnswers();
    disk.openForAppend();
    if (records > 2L * keeps + open.size()) {
      compact();
    }
  }

  private static boolean isBlank(byte[] all) {
    for (byte b : all) {
      if (b != 0 && b != '\n') {
        return false;
      }
    }
    return true;
  }

  private void apply(String[] rec, int lineNo) throws FetchException {
    DeliveryKey key;
    try {
      key = DeliveryKey.parse(rec[1]);
    } catch (IllegalArgumentException e) {
      throw damaged("line " + lineNo + " names no delivery key");
    }
    switch (rec[0]) {
      case "I":
        open.put(key, JournalLine.intentOf(rec));
        break;
      case "A":
        open.remove(key);
        answers.remove(key);
        answers.put(key, rec[2]);
        break;
      case "W":
        open.remove(key);
        break;
      default:
        throw damaged("line " + lineNo + " is of no known kind");
    }
  }

  /** The imports that were in doubt when the journal was opened (intent, no answer), in order. */
  public synchronized Map<DeliveryKey, Intent> inDoubtAtOpen() {
    return Map.copyOf(inDoubtAtOpen);
  }

  /** Whether some import was still in doubt when the journal was opened. */
  public synchronized boolean hasInDoubt() {
    return !inDoubtAtOpen.isEmpty();
  }

  /** Records, and forces to disk, that the message is about to be imported. */
  public synchronized void intent(DeliveryKey key, String messageId, long size) throws IOException {
    intent(key, new Intent(messageId, size));
  }

  /**
   * Records, and forces to disk, that the message is about to be imported. An intent still open for
   * the key keeps its earlier history id (an earlier try may have reached Gmail after it).
   */
  public synchronized void intent(DeliveryKey key, Intent intent) throws IOException {
    if (intent.sha256() != null && !intent.sha256().matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a SHA-256 in hex: " + intent.sha256());
    }
    Intent before = open.get(key);
    Intent in = intent;
    if (before != null
        && before.historyId() >= 0
        && (in.historyId() < 0 || before.historyId() < in.historyId())) {
      in = new Intent(in.messageId(), in.size(), before.historyId(), in.sha256(), in.atMillis());
    }
    append(JournalLine.intent(key, in), true);
    open.put(key, in);
    compactIfDue();
  }

  /** The open intent of {@code key}, if any. */
  public synchronized Optional<Intent> openIntent(DeliveryKey key) {
    return Optional.ofNullable(open.get(key));
  }

  /** Records, and forces to disk, that Gmail holds the message under {@code gmailId}. */
  public synchronized void answered(DeliveryKey key, String gmailId) throws IOException {
    if (gmailId.isEmpty() || gmailId.indexOf(' ') >= 0 || gmailId.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("not a Gmail message id: " + gmailId);
    }
    append(JournalLine.answer(key, gmailId), true);
    // Durable now: memory follows at once, and a compaction that fails after it fails nothing.
    open.remove(key);
    inDoubtAtOpen.remove(key);
    answers.remove(key);
    answers.put(key, gmailId);
    trimAnswers();
    compactIfDue();
  }

  /**
   * Records that Gmail does not hold the message (refused, or never sent); forced at the next
   * {@link #force}.
   */
  public synchronized void withdrawn(DeliveryKey key) throws IOException {
    if (!open.containsKey(key)) {
      return;
    }
    append(JournalLine.withdrawal(key), false);
    open.remove(key);
    inDoubtAtOpen.remove(key);
  }

  /** Gmail's id of the message delivered under {@code key}, if the journal remembers it. */
  public synchronized Optional<String> gmailId(DeliveryKey key) {
    return Optional.ofNullable(answers.get(key));
  }

  /**
   * The delivery the journal records {@code gmailId} as the answer for, if it remembers one: a
   * Gmail message that is one delivery's is never another's (see InDoubt).
   */
  public synchronized Optional<DeliveryKey> deliveryOf(String gmailId) {
    for (Map.Entry<DeliveryKey, String> a : answers.entrySet()) {
      if (a.getValue().equals(gmailId)) {
        return Optional.of(a.getKey());
      }
    }
    return Optional.empty();
  }

  /** Whether an intent for {@code key} has no answer yet. */
  public synchronized boolean isOpen(DeliveryKey key) {
    return open.containsKey(key);
  }

  /**
   * Forces what was written to disk, and rewrites the journal smaller where it grew past its bound.
   */
  public synchronized void force() throws IOException {
    checkOpen();
    compactIfDue();
    disk.force();
  }

  /** How many records the file holds (for tests of its bound). */
  synchronized long records() {
    return records;
  }

  private void trimAnswers() {
    Iterator<DeliveryKey> it = answers.keySet().iterator();
    while (answers.size() > keeps && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  private void append(String body, boolean force) throws IOException {
    checkOpen();
    disk.append(JournalLine.of(body), force);
    records++;
  }

  /**
   * Rewrites the journal smaller where it grew past its bound. Its records are durable already, so
   * a rewrite that fails fails nothing: it is logged and tried again some records later.
   */
  private void compactIfDue() {
    if (records > 2L * keeps + open.size() + 16 && records >= compactNotBefore) {
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
          "the Gmail journal {} could not be rewritten smaller (it is tried again later; nothing is lost): {}",
          file,
          e.getMessage());
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the Gmail journal " + file + " is closed");
    }
  }

  /** Writes the live records to a new file, forces it, and renames it over the journal. */
  private void rewrite() throws IOException {
    StringBuilder sb = new StringBuilder(JournalLine.of(JournalLine.header(mailbox)));
    long n = 0;
    for (Map.Entry<DeliveryKey, String> a : answers.entrySet()) {
      sb.append(JournalLine.of(JournalLine.answer(a.getKey(), a.getValue())));
      n++;
    }
    for (Map.Entry<DeliveryKey, Intent> i : open.entrySet()) {
      sb.append(JournalLine.of(JournalLine.intent(i.getKey(), i.getValue())));
      n++;
    }
    disk.replaceWith(sb.toString());
    records = n;
    disk.openForAppend(); // if this fails, the next append tries again
  }

  private FetchException damaged(String what) {
    return new FetchException(
        FetchError.STATE_DAMAGED,
        "the Gmail journal "
            + file
            + " is damaged: "
            + what
            + ". mailfetch will not guess which messages Gmail has, and has changed nothing",
        null,
        null,
        Remedy.of(
            "Restore "
                + file
                + " from a backup; or move it aside: the sink then forgets which messages are in"
                + " Gmail, so a message whose import a crash left in doubt may be imported twice."));
  }

  static FetchException failed(String what, IOException e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new FetchException(FetchError.SINK_FAILED, what + ": " + reason, e);
  }

  /** Closes the file and releases the directory's lock. Safe to call more than once. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    disk.close();
  }
}
