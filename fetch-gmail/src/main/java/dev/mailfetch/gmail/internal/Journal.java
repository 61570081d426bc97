package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's durable record of what Gmail has: for each delivery an intent (written and forced
 * before its import is sent), then either Gmail's answer (key → Gmail's message id) or a withdrawal
 * (Gmail did not take it). An intent with neither is in doubt after a crash.
 *
 * <p>One text line per record, each ending in the CRC-32 of the rest: {@code I key size msgid
 * historyId sha256 millis crc} (journals written before history ids were kept: {@code I key size
 * msgid crc}), {@code A key gmailId crc}, {@code W key crc}; the first line names the mailbox, so a
 * journal is never read for another account. A last line cut short (or garbled) by a crash is
 * absent, and is cut away; a bad line with a good one after it is damage ({@code STATE_DAMAGED}).
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
  private static final String MAGIC = "mailfetch-gmail-journal 1 ";

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
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel out;
  private final LinkedHashMap<DeliveryKey, String> answers = new LinkedHashMap<>();
  private final LinkedHashMap<DeliveryKey, Intent> open = new LinkedHashMap<>();
  private final Map<DeliveryKey, Intent> inDoubtAtOpen;
  private long records;
  private long compactNotBefore;
  private boolean closed;

  private Journal(Path dir, String mailbox, int keeps, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.file = dir.resolve(FILE);
    this.mailbox = mailbox;
    this.keeps = keeps;
    this.lockChannel = lockChannel;
    this.lock = lock;
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
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw failed("cannot create the Gmail journal directory " + dir, e);
    }
    Path lockFile = dir.resolve("lock");
    FileChannel lc;
    FileLock lock;
    try {
      lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw failed("cannot open " + lockFile, e);
    }
    try {
      lock = lc.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      lock = null;
      lc.close();
      throw failed("cannot lock " + lockFile, e);
    }
    if (lock == null) {
      lc.close();
      throw new FetchException(
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
    Journal j = new Journal(dir, mailbox, keeps, lc, lock);
    try {
      j.load();
    } catch (IOException | RuntimeException e) {
      j.close();
      throw e;
    }
    return j;
  }

  private void load() throws IOException {
    if (!Files.exists(file)) {
      rewrite();
      return;
    }
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw failed("cannot read the Gmail journal " + file, e);
    }
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
          parse(
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
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
        c.truncate(keep);
        c.force(true);
      } catch (IOException e) {
        throw failed("cannot cut the unfinished last record from the Gmail journal " + file, e);
      }
    }
    inDoubtAtOpen.putAll(open);
    trimAnswers();
    openForAppend();
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
        open.put(key, intentOf(rec));
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

  /** The fields of a line whose CRC is right and whose shape is known, else null. */
  static String[] parse(String line) {
    int sp = line.lastIndexOf(' ');
    if (sp < 0) {
      return null;
    }
    String body = line.substring(0, sp);
    if (!crc(body).equals(line.substring(sp + 1))) {
      return null;
    }
    String[] f = body.split(" ", -1);
    switch (f[0]) {
      case "H":
        return f.length == 2 ? f : null;
      case "I":
        if (f.length != 4 && f.length != 7) {
          return null;
        }
        try {
          if (f.length == 7) {
            Long.parseLong(f[4]);
            Long.parseLong(f[6]);
            if (!f[5].equals("-") && !f[5].matches("[0-9a-f]{64}")) {
              return null;
            }
          }
          return Long.parseLong(f[2]) >= 0 ? f : null;
        } catch (NumberFormatException e) {
          return null;
        }
      case "A":
        return f.length == 3 && !f[2].isEmpty() ? f : null;
      case "W":
        return f.length == 2 ? f : null;
      default:
        return null;
    }
  }

  static String crc(String body) {
    CRC32 c = new CRC32();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    return String.format(Locale.ROOT, "%08x", c.getValue());
  }

  /** Writes a Message-ID so it holds no space, no line end and no non-ASCII byte. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c > 0x20 && c < 0x7f && c != '%') {
        b.append((char) c);
      } else {
        b.append('%').append(String.format(Locale.ROOT, "%02x", c));
      }
    }
    return b.toString();
  }

  static String unescape(String s) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        o.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        o.write(c);
      }
    }
    return o.toString(StandardCharsets.UTF_8);
  }

  /**
   * An intent record's fields: {@code I key size msgid} (older journals) or with history id, digest
   * and time.
   */
  private static Intent intentOf(String[] rec) {
    String msgid = rec[3].equals("-") ? null : unescape(rec[3]);
    long size = Long.parseLong(rec[2]);
    if (rec.length == 4) {
      return new Intent(msgid, size);
    }
    return new Intent(
        msgid,
        size,
        Long.parseLong(rec[4]),
        rec[5].equals("-") ? null : rec[5],
        Long.parseLong(rec[6]));
  }

  private static String intentBody(DeliveryKey key, Intent in) {
    return "I "
        + key
        + " "
        + in.size()
        + " "
        + (in.messageId() == null ? "-" : escape(in.messageId()))
        + " "
        + in.historyId()
        + " "
        + (in.sha256() == null ? "-" : in.sha256())
        + " "
        + in.atMillis();
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
    append(intentBody(key, in), true);
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
    append("A " + key + " " + gmailId, true);
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
    append("W " + key, false);
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
    try {
      ensureOut();
      out.force(false);
    } catch (IOException e) {
      throw failed("cannot write the Gmail journal " + file, e);
    }
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
    byte[] line = (body + " " + crc(body) + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      ensureOut();
      ByteBuffer b = ByteBuffer.wrap(line);
      while (b.hasRemaining()) {
        out.write(b);
      }
      if (force) {
        out.force(false);
      }
    } catch (IOException e) {
      throw failed("cannot write the Gmail journal " + file, e);
    }
    records++;
  }

  /**
   * Reopens the file for appending where a rewrite renamed a new one over it but could not open it.
   */
  private void ensureOut() throws IOException {
    if (out == null) {
      openForAppend();
    }
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
    Path tmp = dir.resolve(FILE + ".new");
    StringBuilder sb = new StringBuilder();
    line(sb, "H " + mailbox);
    long n = 0;
    for (Map.Entry<DeliveryKey, String> a : answers.entrySet()) {
      line(sb, "A " + a.getKey() + " " + a.getValue());
      n++;
    }
    for (Map.Entry<DeliveryKey, Intent> i : open.entrySet()) {
      line(sb, intentBody(i.getKey(), i.getValue()));
      n++;
    }
    try {
      // The new file is written and forced before the old one is let go: a failure up to the rename
      // leaves the old file, and the channel appending to it, as they were.
      try (FileChannel c =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
          c.write(b);
        }
        c.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException | RuntimeException ignored) {
        // a directory in its way, say: the next rewrite meets the same and says so
      }
      throw failed("cannot rewrite the Gmail journal " + file, e);
    }
    forceDirectory();
    records = n;
    FileChannel old = out;
    out = null;
    if (old != null) {
      try {
        old.close(); // the file it appended to was replaced
      } catch (IOException e) {
        log.debug("closing the replaced Gmail journal: {}", e.toString());
      }
    }
    openForAppend(); // if this fails, the next append tries again
  }

  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for reading; the rename is as durable as they
      // allow.
    }
  }

  private void openForAppend() throws IOException {
    try {
      out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw failed("cannot open the Gmail journal " + file, e);
    }
  }

  private static void line(StringBuilder sb, String body) {
    sb.append(body).append(' ').append(crc(body)).append('\n');
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
    try {
      if (out != null) {
        out.force(false);
        out.close();
      }
    } finally {
      try {
        if (lock != null && lock.isValid()) {
          lock.release();
        }
      } finally {
        lockChannel.close();
      }
    }
  }
}
