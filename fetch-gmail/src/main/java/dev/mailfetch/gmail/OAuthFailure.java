package dev.mailfetch.gmail;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.util.Objects;
import java.util.Optional;

/**
 * A failure of an OAuth authorization that a caller may need to tell apart from the other failures
 * of its code, to advise in words of its own (the {@code mailfetch} command adds the command to
 * type): which one it is, is its {@link #reason()}, never its words. Its code, words, reply and
 * remedy are those of any {@link FetchException}.
 */
public final class OAuthFailure extends FetchException {
  private static final long serialVersionUID = 1L;

  /** Which failure of the authorization this is. */
  public enum Reason {
    /**
     * A file that holds a refresh token may be read or changed by other users of the machine, so it
     * was not read ({@link FetchError#CONFIGURATION}; its remedy says how to make it its owner's
     * alone).
     */
    FILE_TOO_OPEN,

    /**
     * The access token opens another Gmail mailbox than the one configured, so nothing was imported
     * ({@link FetchError#CONFIGURATION}; authorizing again for the configured mailbox mends it).
     */
    ANOTHER_MAILBOX
  }

  private final Reason reason;

  /**
   * @param reason which failure of the authorization this is
   * @param error what went wrong
   * @param detail what was happening, in words
   * @param cause the underlying exception, or null
   * @param remedy what to do about it, or null for the code's general remedy
   */
  public OAuthFailure(
      Reason reason, FetchError error, String detail, Throwable cause, Remedy remedy) {
    super(error, detail, null, cause, remedy);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Which failure of the authorization this is. */
  public Reason reason() {
    return reason;
  }

  /**
   * The reason of {@code e}, or of the failure it explains: a cause with the same code that {@code
   * e} says in context ({@link FetchException#inContext}) or repeats later (a destination that
   * holds back after a failure); empty where neither is an {@code OAuthFailure}.
   */
  public static Optional<Reason> reasonOf(FetchException e) {
    for (Throwable t = e; t instanceof FetchException f; t = t.getCause()) {
      if (f.error() != e.error()) {
        break;
      }
      if (f instanceof OAuthFailure o) {
        return Optional.of(o.reason);
      }
    }
    return Optional.empty();
  }
}
