package dev.mailfetch.testkit.imap;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A message a test puts in a folder of a {@link FakeImapServer} before or while a client reads it
 * ({@link FakeImapServer.Builder#message}, {@link ImapSourceSide#deliver}): its bytes, and
 * optionally its UID, flags, Gmail labels and internal date. Immutable; each {@code with…} method
 * returns a new seed.
 *
 * <pre>{@code
 * ImapSeed.of("Subject: hi\r\n\r\nbody\r\n").uid(42).flags("\\Seen").labels("\\Inbox", "Work")
 * }</pre>
 */
public final class ImapSeed {
  private final byte[] content;
  private final long uid;
  private final List<String> flags;
  private final List<String> labels;
  private final Instant internalDate;

  private ImapSeed(
      byte[] content, long uid, List<String> flags, List<String> labels, Instant internalDate) {
    this.content = content;
    this.uid = uid;
    this.flags = flags;
    this.labels = labels;
    this.internalDate = internalDate;
  }

  /** A message of these bytes (copied), with the folder's next UID, no flags, no labels. */
  public static ImapSeed of(byte[] content) {
    return new ImapSeed(
        Objects.requireNonNull(content, "content").clone(), 0, List.of(), List.of(), null);
  }

  /** A message of this text in UTF-8, as written (line ends too). */
  public static ImapSeed of(String content) {
    return of(content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * This UID instead of the folder's next one. It must be above every UID the folder has had; the
   * folder's UIDNEXT becomes {@code uid + 1}. On Gmail the UID is All Mail's.
   */
  public ImapSeed uid(long uid) {
    if (uid < 1 || uid > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("a UID is from 1 to 4294967295: " + uid);
    }
    return new ImapSeed(content, uid, flags, labels, internalDate);
  }

  /** These flags ({@code \Seen}, {@code \Flagged}, keywords). */
  public ImapSeed flags(String... flags) {
    return new ImapSeed(content, uid, List.of(flags), labels, internalDate);
  }

  /**
   * These Gmail labels ({@code \Inbox}, {@code \Important}, {@code \Spam}, user labels such as
   * {@code Work}) in addition to the label of the folder it is put in; only on a {@link
   * FakeImapServer.Builder#gmail()} server.
   */
  public ImapSeed labels(String... labels) {
    return new ImapSeed(content, uid, flags, List.of(labels), internalDate);
  }

  /** This internal date (default: when it is stored, to the second). */
  public ImapSeed internalDate(Instant date) {
    return new ImapSeed(content, uid, flags, labels, Objects.requireNonNull(date, "date"));
  }

  byte[] content() {
    return content;
  }

  long uid() {
    return uid;
  }

  List<String> flags() {
    return flags;
  }

  List<String> labels() {
    return labels;
  }

  Instant internalDate() {
    return internalDate;
  }

  @Override
  public String toString() {
    return "ImapSeed["
        + content.length
        + " bytes"
        + (uid > 0 ? ", uid " + uid : "")
        + (flags.isEmpty() ? "" : ", flags " + flags)
        + (labels.isEmpty() ? "" : ", labels " + labels)
        + "]";
  }
}
