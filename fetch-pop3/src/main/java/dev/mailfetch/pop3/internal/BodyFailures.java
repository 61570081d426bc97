package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.Sizes;
import java.net.SocketTimeoutException;

/**
 * A message that did not arrive whole, as the error a person reads: sent without end (case R-03),
 * not ending where its terminator said (quirk Q04), a stray end marker after it (quirk Q11), or cut
 * off by a reset met while the next command went out (quirk Q36). Decided by the error's kind and
 * the sizes, never by its text; the Q04 errors carry their quirk ({@link FetchException#quirk()}).
 */
final class BodyFailures {
  private BodyFailures() {}

  /**
   * A body whose deadline passed while it still came, far past the size the server listed for it
   * (case R-03): a server sending without end, which more time would not mend. Else {@code e}.
   */
  static FetchException endless(FetchException e, MessageRef ref, long received) {
    if (e.error() != FetchError.CONNECTION_TIMED_OUT
        || e.getCause() instanceof SocketTimeoutException
        || received <= Math.max(2 * ref.size(), ref.size() + 1_000_000)) {
      return e; // silence, or a body not past its size: a slow server, as the error says
    }
    return new FetchException(
        FetchError.CONNECTION_TIMED_OUT,
        "message "
            + ref.number()
            + " was still arriving when"
            + " its time ran out, "
            + Sizes.size(received)
            + " into a message the server"
            + " listed as "
            + Sizes.size(ref.size())
            + ": the server sends it without end"
            + " (broken or hostile); it stays on the server",
        null,
        e,
        Remedy.of(
            "Tell the provider that their server sends message "
                + ref.number()
                + " without end; more time would"
                + " not help. Until it is mended, the message stays on the server and the run stops there.",
            "Tell the provider that their server sends message "
                + ref.number()
                + " without end; a longer deadline"
                + " would not help. Until it is mended, the message stays on the server and the run stops there."));
  }

  /**
   * The reply after message {@code pending} failed to parse ({@code e}): the message did not end
   * where its terminator said (quirk Q04). Else, for other failures, {@code e}.
   */
  static FetchException notWhereTerminatorSaid(MessageRef pending, FetchException e) {
    return e.error() == FetchError.READ_ERROR || e.error() == FetchError.EMPTY_LINE
        ? new FetchException(
                FetchError.READ_ERROR,
                "message "
                    + pending.number()
                    + " did not end where its"
                    + " terminator said: the server probably left a line with a single '.' unescaped (quirk Q04);"
                    + " it stays on the server",
                e.serverReply().orElse(null),
                e)
            .withQuirk(QuirkId.Q04)
        : e;
  }

  /**
   * The connection broke ({@code e}) while a command went out and message {@code due} was in
   * flight: it is that message that was cut off (quirk Q36).
   */
  static FetchException cutWhileSending(MessageRef due, FetchException e) {
    return new FetchException(
        FetchError.CONNECTION_RESET,
        "the connection broke while message "
            + due.number()
            + " was due (met while sending the next command)"
            + (e.getCause() == null || e.getCause().getMessage() == null
                ? ""
                : ": " + e.getCause().getMessage()),
        e.serverReply().orElse(null),
        e,
        e.remedy());
  }

  /**
   * Quirk Q11's stray end marker (hMailServer): where the reply after message {@code pending} was
   * due came an empty line and a lone '.' ({@code e}: the empty line, or with Tolerance.EMPTY_LINES
   * the '.' after it). The same bytes are what a message whose last lines are a lone '.' and an
   * empty line looks like when the server leaves that '.' unescaped (quirk Q04), so the message is
   * not stored either way; null where {@code e} is something else. Marked Q04, the one of the two
   * that loses mail, which is what the doctor names (as it did when it read the words).
   */
  static FetchException strayTerminator(
      Pop3Connection connection, MessageRef pending, FetchException e) {
    boolean dot = e.error() == FetchError.READ_ERROR && ".".equals(e.serverReply().orElse(null));
    if (!dot && e.error() == FetchError.EMPTY_LINE) {
      try {
        dot =
            connection
                .reader()
                .readLine(connection.settings().limits().maxStatusLine(), Limit.STATUS_LINE)
                .equals(".");
      } catch (FetchException unread) {
        return null; // nothing more came: the empty line stands on its own
      }
    }
    return !dot
        ? null
        : new FetchException(
                FetchError.EMPTY_LINE,
                "after message "
                    + pending.number()
                    + "'s end"
                    + " marker the server sent an empty line and a lone '.' where the next reply was due: a stray end marker"
                    + " (quirk Q11), or a line with a single '.' it left unescaped at the end of message "
                    + pending.number()
                    + " (quirk Q04); the two cannot be told apart, so the message is not stored and stays on the server",
                null,
                e,
                Advice.strayTerminator())
            .withQuirk(QuirkId.Q04);
  }
}
