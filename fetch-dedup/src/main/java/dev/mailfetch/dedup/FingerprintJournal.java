package dev.mailfetch.dedup;

import static dev.mailfetch.dedup.StateFiles.fsyncDirectory;
import static dev.mailfetch.dedup.StateFiles.stateProblem;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * {@code headers.journal}: one line per delivered message, its CRC-32C, the UID's UTF-8 in hex and
 * the fingerprint of its header in hex. Kept apart from {@code uids.journal} because it is read
 * only when the engine suspects changed UIDs (quirk Q26), and because it only ever helps: a line
 * lost or damaged means that message is downloaded again after a UID change, nothing worse. So it
 * is appended after the journal's flush, and a line that does not check out is skipped, not
 * refused. Not thread-safe: the store calls it under its own lock.
 */
final class FingerprintJournal {
  private final Path dir;
  private final Path file;
  private final Map<String, byte[]> staged = new LinkedHashMap<>();

  FingerprintJournal(Path dir) {
    this.dir = dir;
    this.file = dir.resolve("headers.journal");
  }

  /** Held until {@link #sync()}. */
  void stage(String uid, byte[] fingerprint) {
    staged.put(uid, fingerprint.clone());
  }

  /** The fingerprints of those of {@code uids} that have one, from the file and those staged. */
  Map<String, byte[]> read(Set<String> uids) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    if (Files.exists(file)) {
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
        String line;
        while ((line = r.readLine()) != null) {
          Map.Entry<String, byte[]> e = parse(line);
          if (e != null && uids.contains(e.getKey())) {
            out.put(e.getKey(), e.getValue());
          }
        }
      } catch (IOException e) {
        throw stateProblem("cannot read " + file, e);
      }
    }
    for (Map.Entry<String, byte[]> e : staged.entrySet()) {
      if (uids.contains(e.getKey())) {
        out.put(e.getKey(), e.getValue().clone());
      }
    }
    return out;
  }

  /** Appends the staged fingerprints, flushed (called after the journal's flush). */
  void sync() throws IOException {
    if (staged.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    staged.forEach((uid, fp) -> sb.append(line(uid, fp)));
    try (FileChannel c =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(false);
    } catch (IOException e) {
      throw stateProblem("cannot write " + file, e);
    }
    staged.clear();
  }

  /**
   * Rewrites the file with the fingerprints of the UIDs {@code table} still remembers: a new file,
   * flushed, renamed over the old one, then the directory flushed.
   */
  void compact(UidTable table) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    Set<String> live = new HashSet<>();
    table.forEachUid(live::add);
    Map<String, byte[]> keep = read(live);
    Path next = dir.resolve("headers.journal.new");
    StringBuilder sb = new StringBuilder();
    keep.forEach((uid, fp) -> sb.append(line(uid, fp)));
    try (FileChannel c =
        FileChannel.open(
            next,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(next);
      throw stateProblem("cannot write " + next + " (compacting the fingerprints)", e);
    }
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(dir);
  }

  /** {@code <crc> <uid hex> <fingerprint hex>\n}. */
  static String line(String uid, byte[] fp) {
    String rest =
        HexFormat.of().formatHex(uid.getBytes(StandardCharsets.UTF_8))
            + " "
            + HexFormat.of().formatHex(fp);
    return crc(rest) + " " + rest + "\n";
  }

  /** The UID and fingerprint of a line (without its line end), or null if it does not check out. */
  static Map.Entry<String, byte[]> parse(String line) {
    String[] f = line.split(" ");
    if (f.length != 3 || !f[0].equals(crc(f[1] + " " + f[2]))) {
      return null;
    }
    try {
      String uid = new String(HexFormat.of().parseHex(f[1]), StandardCharsets.UTF_8);
      return Map.entry(uid, HexFormat.of().parseHex(f[2]));
    } catch (IllegalArgumentException damaged) {
      return null;
    }
  }

  private static String crc(String s) {
    CRC32C c = new CRC32C();
    c.update(s.getBytes(StandardCharsets.US_ASCII));
    // Not String.format("%08x"): it parsed its pattern with a new Formatter for every line.
    return HexFormat.of().toHexDigits((int) c.getValue());
  }
}
