package dev.mailfetch.imap;

import dev.mailfetch.api.FetchException;
import java.util.Objects;
import java.util.Optional;

/**
 * What deleting a fetched message means on an IMAP server, for {@link ImapSource}: the engine's
 * retention asks for a message to be deleted once it is durable in the sink, and this says what the
 * source then does with it. Nothing happens before {@link dev.mailfetch.api.FetchSession#quit()}:
 * {@code delete} only notes the messages, so a session that ends any other way changes nothing on
 * the server. Only the UIDs noted are touched, in the folder they were listed in, and only while
 * that folder's {@code UIDVALIDITY} is the one they were listed under.
 *
 * <ul>
 *   <li>{@link #EXPUNGE} (the default): {@code UID STORE +FLAGS.SILENT (\Deleted)} then {@code UID
 *       EXPUNGE} of those UIDs (UIDPLUS, RFC 4315). Never a plain {@code EXPUNGE}, which would
 *       remove every message another client marked {@code \Deleted} too. Without UIDPLUS, {@code
 *       MOVE} to the {@code \Trash} folder where the server offers MOVE and has one; else the
 *       deletion is refused in words, and the messages stay.
 *   <li>{@link #TRASH}: {@code MOVE} (RFC 6851) to the folder the server marks {@code \Trash}
 *       (SPECIAL-USE, RFC 6154), or {@code UID COPY} + {@code \Deleted} + {@code UID EXPUNGE} where
 *       the server has no MOVE.
 *   <li>{@link #moveTo(String)}: as {@link #TRASH}, into the folder named.
 *   <li>{@link #MARK_SEEN}: only {@code UID STORE +FLAGS.SILENT (\Seen)}; the message stays. Listed
 *       again it is known (its UID is in the state) and not fetched or marked again.
 * </ul>
 */
public final class ImapDeletion {
  /** The kinds of deletion; {@link #moveTo} is {@link Kind#MOVE} with its folder. */
  public enum Kind {
    EXPUNGE,
    TRASH,
    MOVE,
    MARK_SEEN
  }

  /** {@code \Deleted} and {@code UID EXPUNGE} (UIDPLUS); the default. */
  public static final ImapDeletion EXPUNGE = new ImapDeletion(Kind.EXPUNGE, null);

  /** {@code MOVE} to the server's {@code \Trash} folder (SPECIAL-USE). */
  public static final ImapDeletion TRASH = new ImapDeletion(Kind.TRASH, null);

  /** {@code \Seen} only: nothing leaves the folder. */
  public static final ImapDeletion MARK_SEEN = new ImapDeletion(Kind.MARK_SEEN, null);

  private final Kind kind;
  private final String folder;

  private ImapDeletion(Kind kind, String folder) {
    this.kind = kind;
    this.folder = folder;
  }

  /**
   * {@code MOVE} to {@code folder} (its name as the server lists it, with the server's hierarchy
   * delimiter: {@code Archive/Fetched}), which must exist.
   *
   * @throws IllegalArgumentException if the name is empty or holds CR, LF or NUL
   */
  public static ImapDeletion moveTo(String folder) {
    Objects.requireNonNull(folder, "folder");
    if (folder.isEmpty()) {
      throw new IllegalArgumentException("the folder to move to must not be empty");
    }
    for (int i = 0; i < folder.length(); i++) {
      char c = folder.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') {
        throw new IllegalArgumentException(
            "the folder to move to must not contain CR, LF or NUL: "
                + FetchException.escape(folder));
      }
    }
    return new ImapDeletion(Kind.MOVE, folder);
  }

  /** Which deletion this is. */
  public Kind kind() {
    return kind;
  }

  /** The folder of {@link #moveTo}; empty for the others. */
  public Optional<String> folder() {
    return Optional.ofNullable(folder);
  }

  /** Whether the message leaves its folder (all but {@link #MARK_SEEN}). */
  public boolean removes() {
    return kind != Kind.MARK_SEEN;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImapDeletion d && d.kind == kind && Objects.equals(d.folder, folder);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Objects.hashCode(folder);
  }

  /** {@code EXPUNGE}, {@code TRASH}, {@code MARK_SEEN} or {@code MOVE to "folder"}. */
  @Override
  public String toString() {
    return kind == Kind.MOVE ? "MOVE to \"" + FetchException.escape(folder) + "\"" : kind.name();
  }
}
