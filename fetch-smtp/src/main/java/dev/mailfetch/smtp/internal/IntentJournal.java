package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * What the sink sent, kept where a new sink finds it (fetch-gmail's journal is the pattern): {@code
 * I key} before a message is sent (its intent), {@code R key recipient} when an LMTP recipient took
 * it while another did not, {@code D key} after the server's {@code 250} (forced to disk before
 * {@code complete} returns), each line followed by the CRC-32 of the rest. A line a crash cut short
 * or garbled is skipped. A key with an intent and no {@code D} is in doubt: the server may or may
 * not have it, and it is sent again. Compacted when opened: the new text is written and forced
 * beside the old file, then renamed over it.
 *
 * <p>Without a file it keeps the same in memory, for the sink's own life. Not thread-safe: the sink
 * calls it under its own lock.
 */
final class IntentJournal {
  private final Path file;
  private FileChannel out;
  private final Set<String> delivered = new HashSet<>();
  private final Set<String> inDoubt = new LinkedHashSet<>();
  private final Map<String, Set<String>> tookIt = new HashMap<>();

  private IntentJournal(Path file) {
    this.file = file;
  }

  static IntentJournal inMemory() {
    return new IntentJournal(null);
  }

  static IntentJournal open(Path file) throws IOException {
    IntentJournal j = new IntentJournal(file);
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      if (Files.exists(file)) {
        j.load(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
      }
      j.rewrite();
      j.out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw failed("cannot open the delivery journal " + file, e);
    }
    return j;
  }

  private void load(String text) {
    for (String line : text.split("\n", -1)) {
      String[] f = parse(line);
      if (f == null) {
        continue; // torn or garbled: what it said is unknown, as if never written
      }
      switch (f[0]) {
        case "I":
          if (!delivered.contains(f[1])) {
            inDoubt.add(f[1]);
          }
          break;
        case "R":
          tookIt.computeIfAbsent(f[1], k -> new LinkedHashSet<>()).add(f[2]);
          break;
        default: // "D"
          delivered.add(f[1]);
          inDoubt.remove(f[1]);
          tookIt.remove(f[1]);
      }
    }
  }

  private void rewrite() throws IOException {
    StringBuilder b = new StringBuilder();
    for (String k : delivered) {
      b.append(line("D " + k));
    }
    for (String k : inDoubt) {
      b.append(line("I " + k));
    }
    for (Map.Entry<String, Set<String>> e : tookIt.entrySet()) {
      for (String r : e.getValue()) {
        b.append(line("R " + e.getKey() + " " + r));
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".new");
    try (FileChannel c =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        c.write(buf);
      }
      c.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  boolean delivered(DeliveryKey key) {
    return delivered.contains(key.toString());
  }

  /** Keys the journal holds an intent for and no 250: sent again, possibly a second time. */
  Set<String> inDoubt() {
    return Set.copyOf(inDoubt);
  }

  /** The LMTP recipients that already took the message under {@code key}. */
  Set<String> recipientsDone(DeliveryKey key) {
    return tookIt.getOrDefault(key.toString(), Set.of());
  }

  /** Before the message is sent; not forced: an intent lost in a crash changes nothing sent. */
  void intent(DeliveryKey key) throws IOException {
    inDoubt.add(key.toString());
    append("I " + key, false);
  }

  /** An LMTP recipient took the message while another did not; forced. */
  void recipientTook(DeliveryKey key, String recipient) throws IOException {
    tookIt.computeIfAbsent(key.toString(), k -> new LinkedHashSet<>()).add(recipient);
    append("R " + key + " " + recipient, true);
  }

  /** The server's 250 (every recipient's, for LMTP); forced before the sink reports success. */
  void delivered(DeliveryKey key, boolean force) throws IOException {
    String k = key.toString();
    delivered.add(k);
    inDoubt.remove(k);
    tookIt.remove(k);
    append("D " + k, force);
  }

  void force() throws IOException {
    if (out != null) {
      try {
        out.force(false);
      } catch (IOException e) {
        throw failed("cannot write the delivery journal " + file, e);
      }
    }
  }

  private void append(String body, boolean force) throws IOException {
    if (out == null) {
      return;
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(line(body).getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      if (force) {
        out.force(false);
      }
    } catch (IOException e) {
      throw failed("cannot write the delivery journal " + file, e);
    }
  }

  void close() throws IOException {
    if (out != null) {
      try {
        out.force(false);
      } finally {
        out.close();
        out = null;
      }
    }
  }

  static String line(String body) {
    return body + " " + crc(body) + "\n";
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
    boolean ok =
        switch (f[0]) {
          case "I", "D" -> f.length == 2 && !f[1].isEmpty();
          case "R" -> f.length == 3 && !f[1].isEmpty() && !f[2].isEmpty();
          default -> false;
        };
    return ok ? f : null;
  }

  private static String crc(String body) {
    CRC32 c = new CRC32();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    return String.format(Locale.ROOT, "%08x", c.getValue());
  }

  private static FetchException failed(String words, IOException e) {
    return new FetchException(FetchError.SINK_FAILED, words + ": " + e.getMessage(), null, e, null);
  }
}
