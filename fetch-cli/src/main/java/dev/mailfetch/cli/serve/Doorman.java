package dev.mailfetch.cli.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * The optional password, asked with HTTP Basic authentication: it works without JavaScript, with
 * curl, and needs no session of the server's own. Any user name; the password is compared by its
 * SHA-256 digest in constant time. Basic sends the password with every request, readable by whoever
 * sees the connection: on loopback only this machine does; beyond it, put a TLS proxy in front
 * (docs/serve.md).
 *
 * <p>A password file is looked at again at each request that needs the password (one {@code stat},
 * microseconds) and read again when its time, size or inode changed, so that an operator rotates
 * the password without stopping the poller. A file system keeps a file's time in ticks of its clock
 * (a few milliseconds on Linux, 2 s on FAT): a file rewritten in place with as many bytes within
 * the tick it was read in keeps its stamp, and the old password would stay good. So a file whose
 * time is less than {@link #SETTLING} old when read is read again at every request until it is
 * older (git's "racy" index entries, the same answer). A file that cannot be read after a change
 * (gone, empty, not allowed) closes the pages (503) until it can: keeping the old password open
 * would defeat a rotation made because the old one leaked.
 */
final class Doorman {
  /** The realm browsers show in their password dialog. */
  static final String CHALLENGE = "Basic realm=\"mailfetch\", charset=\"UTF-8\"";

  /** What the doorman says of a request. */
  enum Verdict {
    /** No password asked, or the right one given. */
    ADMITTED,
    /** No password, or a wrong one: 401 and the challenge. */
    ASKED,
    /** The password file cannot be read now: nobody is let in (503). */
    CLOSED
  }

  /**
   * How old a file's time must be, when the file is read, for its stamp to tell every later change:
   * at least a file system's tick (FAT's is 2 s). A network file system whose clock runs ahead of
   * this machine's only makes the file read at each request for longer.
   */
  static final Duration SETTLING = Duration.ofSeconds(2);

  /**
   * The digest of the password (null: the file could not be read), the file's stamp then, and
   * whether the file's time had settled when it was read.
   */
  private record Key(byte[] digest, Stamp stamp, boolean settled) {}

  /** What tells a changed file: its time, size and inode (a file renamed over it has another). */
  private record Stamp(FileTime modified, long size, Object inode) {
    boolean settledAt(Instant now) {
      return modified.toInstant().isBefore(now.minus(SETTLING));
    }
  }

  private final Path file; // null: the password given once (or none)
  private volatile Key key; // null: no password

  Doorman(byte[] password) {
    this.file = null;
    this.key = password == null ? null : new Key(sha256(password), null, true);
  }

  /** The password on the file's first line, read again whenever the file changes. */
  static Doorman ofFile(Path file) {
    return new Doorman(Objects.requireNonNull(file, "file"));
  }

  private Doorman(Path file) {
    this.file = file;
    this.key = read(file, stamp(file));
  }

  boolean asksPassword() {
    return key != null;
  }

  /** Whether the request's {@code Authorization} header lets it in. */
  Verdict admits(String authorization) {
    byte[] digest = digest();
    if (key == null) {
      return Verdict.ADMITTED;
    }
    if (digest == null) {
      return Verdict.CLOSED;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return Verdict.ASKED;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return Verdict.ASKED;
    }
    int colon = -1;
    for (int i = 0; i < decoded.length; i++) {
      if (decoded[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon < 0) {
      return Verdict.ASKED;
    }
    byte[] given = new byte[decoded.length - colon - 1];
    System.arraycopy(decoded, colon + 1, given, 0, given.length);
    return MessageDigest.isEqual(digest, sha256(given)) ? Verdict.ADMITTED : Verdict.ASKED;
  }

  /** The password's digest now: the file read again if it changed; null if it cannot be read. */
  private byte[] digest() {
    Key k = key;
    if (file == null || k == null) {
      return k == null ? null : k.digest();
    }
    Stamp now = stamp(file);
    if (!k.settled() || !Objects.equals(now, k.stamp())) {
      k = read(file, now); // two requests at once may both read it: the same bytes
      key = k;
    }
    return k.digest();
  }

  /** The file's stamp now; null when it is gone or not allowed. */
  private static Stamp stamp(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime(), a.size(), Objects.requireNonNullElse(a.fileKey(), ""));
    } catch (IOException e) {
      return null; // gone or not allowed: read() says so
    }
  }

  /** The file's first line as the password (as {@code --password-file} reads it at start). */
  private static Key read(Path file, Stamp stamp) {
    boolean settled = stamp != null && stamp.settledAt(Instant.now());
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = r.readLine();
      return new Key(
          line == null || line.isEmpty() ? null : sha256(line.getBytes(StandardCharsets.UTF_8)),
          stamp,
          settled);
    } catch (IOException | UncheckedIOException e) {
      return new Key(null, stamp, settled);
    }
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** The password as bytes (UTF-8), for tests and callers that hold it as text. */
  static byte[] bytes(String password) {
    return password.getBytes(StandardCharsets.UTF_8);
  }
}
