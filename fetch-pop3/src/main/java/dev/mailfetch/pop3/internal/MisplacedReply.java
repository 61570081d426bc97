package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MessageRef;
import java.util.List;

/**
 * Whether the status line read for a pipelined RETR (or TOP) is another command's: a server that
 * drops a queued command (quirk Q21) answers the next one in its place, and every reply after is
 * one command late. Checked before anything of the message is handed over.
 */
final class MisplacedReply {
  private MisplacedReply() {}

  /**
   * The size a RETR reply's text names: its first word, when the second is "octets" (any case),
   * words split at runs of spaces and tabs; else -1. By hand: it runs for every message.
   */
  static long octets(String text) {
    int n = text.length();
    int firstEnd = 0;
    while (firstEnd < n && !isBlank(text.charAt(firstEnd))) {
      firstEnd++;
    }
    int second = firstEnd;
    while (second < n && isBlank(text.charAt(second))) {
      second++;
    }
    int secondEnd = second;
    while (secondEnd < n && !isBlank(text.charAt(secondEnd))) {
      secondEnd++;
    }
    return second < n && secondEnd - second == 6 && text.regionMatches(true, second, "octets", 0, 6)
        ? ListingReader.number(text.substring(0, firstEnd))
        : -1;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  /**
   * Pipelined, a server that dropped the command for {@code ref} (quirk Q21) answers a later one in
   * its place: a reply that names the size of another message in flight instead of this one's, or
   * one that nothing follows within {@link Pop3Connection#QUEUED_WAIT} (a keepalive NOOP's bare
   * +OK). Null when the reply fits; either way nothing of the message was handed over yet.
   */
  static FetchException check(
      Pop3Connection connection,
      Reply r,
      MessageRef ref,
      List<MessageRef> batch,
      List<MessageRef> following,
      int index,
      boolean top)
      throws FetchException {
    long octets = top ? -1 : octets(r.text().strip());
    if (octets >= 0 && octets != ref.size()) {
      for (int j = index; j < batch.size() + following.size(); j++) {
        MessageRef later = RetrievalPipeline.nth(batch, following, j);
        if (later.size() == octets) {
          return new FetchException(
              FetchError.PROTOCOL,
              connection.server()
                  + " answered "
                  + (top ? "TOP " : "RETR ")
                  + ref.number()
                  + " with the size of message "
                  + later.number()
                  + ": it dropped a pipelined command (quirk Q21)",
              r.line(),
              null);
        }
      }
    }
    return connection.withinQueuedWait(
        () -> {
          try {
            connection.reader().nextLineIsStatus(); // waits for the first bytes of the content
            return null;
          } catch (FetchException e) {
            if (e.error() != FetchError.CONNECTION_TIMED_OUT) {
              throw e;
            }
            return new FetchException(
                FetchError.CONNECTION_TIMED_OUT,
                connection.server()
                    + " answered "
                    + (top ? "TOP " : "RETR ")
                    + ref.number()
                    + " and then sent"
                    + " nothing of it: another command's reply in place of one it dropped (quirk Q21)",
                r.line(),
                e);
          }
        });
  }
}
