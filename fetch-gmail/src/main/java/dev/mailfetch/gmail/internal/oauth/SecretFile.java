package dev.mailfetch.gmail.internal.oauth;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.gmail.OAuthFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file that holds a secret, readable by its owner only, as ssh keeps a private key.
 *
 * <p>Written whole or not at all: a new file with mode 0600 from its creation (never a moment with
 * wider permissions), flushed to the disk, then moved over the old one in one step, and the
 * directory flushed, so a crash leaves the old content or the new, never half of either. Read only
 * when no one but its owner may read or write it: a file others can read has leaked already, and
 * one others can write could point the refresh at another server and steal the client secret with
 * it.
 *
 * <p>On a file system without POSIX permissions (Windows, FAT) the new file's access list is set to
 * its owner alone where the file system has access lists, and nothing is checked on reading: the
 * directory's protection is then all there is (docs/oauth.md).
 */
public final class SecretFile {
  private static final Logger log = LoggerFactory.getLogger(SecretFile.class);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final SecureRandom RANDOM = new SecureRandom();

  private SecretFile() {}

  /** What a file looked like when read: to tell whether someone replaced it since. */
  public static final class Stamp {
    final FileTime modified;
    final long size;
    final Object key;

    Stamp(FileTime modified, long size, Object key) {
      this.modified = modified;
      this.size = size;
      this.key = key;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Stamp
          && ((Stamp) o).modified.equals(modified)
          && ((Stamp) o).size == size
          && Objects.equals(((Stamp) o).key, key);
    }

    @Override
    public int hashCode() {
      return modified.hashCode() * 31 + Long.hashCode(size);
    }
  }

  /** The file's stamp now, or null when it cannot be had (gone, unreadable). */
  public static Stamp stamp(Path file) {
    try {
      var a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The file's bytes, after checking that only its owner may read or write it.
   *
   * @param what what the file holds, in words ("an OAuth refresh token")
   * @param max the largest size accepted
   * @param missing what to do when there is no such file
   * @throws FetchException CONFIGURATION when it is missing, too open, too large or unreadable
   */
  public static byte[] read(Path file, String what, int max, Remedy missing) throws FetchException {
    try {
      PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      if (posix != null) {
        Set<PosixFilePermission> perms = posix.readAttributes().permissions();
        Set<PosixFilePermission> open =
            EnumSet.complementOf(
                EnumSet.of(
                    PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
        open.retainAll(perms);
        if (!open.isEmpty()) {
          String mode = mode(perms);
          throw new OAuthFailure(
              OAuthFailure.Reason.FILE_TOO_OPEN,
              FetchError.CONFIGURATION,
              "permissions "
                  + mode
                  + " for "
                  + file
                  + " are too"
                  + " open: it holds "
                  + what
                  + ", and other users of this machine may "
                  + (open.stream().anyMatch(p -> p.name().endsWith("_READ")) ? "read" : "change")
                  + " it; it was not read",
              null,
              Remedy.of(
                  "Make it readable and writable by its owner only: chmod 600 "
                      + file
                      + " (and if others may have read it, authorize again and revoke the old grant at the provider)."));
        }
      }
      long size = Files.size(file);
      if (size > max) {
        throw new FetchException(
            FetchError.CONFIGURATION,
            file
                + " is "
                + size
                + " bytes long, more than the "
                + max
                + " bytes "
                + what
                + " takes: it is not a token file; it was not read");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          "there is no file " + file + " (it should hold " + what + ")",
          null,
          null,
          missing);
    } catch (AccessDeniedException e) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          file + " cannot be read by this user (it holds " + what + ")",
          null,
          e,
          Remedy.of(
              "Run mailfetch as the user who owns "
                  + file
                  + ", or give it to this user"
                  + " (chown) and keep it readable by its owner only (chmod 600)."));
    } catch (FetchException e) {
      throw e;
    } catch (IOException e) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          file + " could not be read (it holds " + what + "): " + reason(e),
          null,
          e,
          null);
    }
  }

  /**
   * Writes {@code content} to {@code file} whole or not at all, readable by its owner only.
   *
   * @throws IOException when it cannot be written; the old file, if any, is then as it was
   */
  public static void write(Path file, byte[] content) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp =
        dir.resolve(
            "." + target.getFileName() + "." + HexFormat.of().formatHex(random(6)) + ".tmp");
    boolean posix = Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
    try {
      if (posix) {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } else {
        Files.createFile(tmp);
        ownerOnlyAcl(tmp);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(dir);
  }

  private static void ownerOnlyAcl(Path file) throws IOException {
    AclFileAttributeView acl =
        Files.getFileAttributeView(file, AclFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (acl == null) {
      log.warn(
          "{} is on a file system without POSIX permissions or access lists: anyone who can open its"
              + " directory can read it",
          file.getFileName());
      return;
    }
    UserPrincipal owner = acl.getOwner();
    AclEntry entry =
        AclEntry.newBuilder()
            .setType(AclEntryType.ALLOW)
            .setPrincipal(owner)
            .setPermissions(EnumSet.allOf(AclEntryPermission.class))
            .build();
    acl.setAcl(List.of(entry));
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some systems (Windows) cannot open a directory: the move is as durable as they make it.
    }
  }

  private static String mode(Set<PosixFilePermission> perms) {
    int m = 0;
    for (PosixFilePermission p : perms) {
      m |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", m);
  }

  static String reason(IOException e) {
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
