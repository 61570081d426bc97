package dev.mailfetch.imap.internal;

import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;

/**
 * Where the literal of one message's {@code UID FETCH ... BODY.PEEK[]} goes: to the {@link
 * MessageHandler} as the reader's own slices (no copy), each CRLF made LF on the way where {@link
 * LineEnding#LF} is asked for (the slices are cut around the CR; a CR that ends a slice waits for
 * the next byte). The response before the literal must be this message's: a literal of another UID,
 * or a second one, is read and dropped, and the message is then not whole. Whether it is whole is
 * decided by the fetch's tagged reply ({@link #whole}), never by the literal alone.
 */
final class BodyLiteral implements LiteralConsumer {
  private static final ByteBuffer CR = ByteBuffer.wrap(new byte[] {'\r'}).asReadOnlyBuffer();

  final MessageRef ref;
  final long uid;
  private final String section;
  private final boolean toLf;
  private MessageHandler handler;
  private boolean started;
  private boolean ended;
  private boolean dropping;
  private boolean crHeld;
  private String misfit;

  /**
   * @param section the section the reply names, upper case ({@code BODY[]}, {@code BODY[HEADER]})
   */
  BodyLiteral(MessageRef ref, long uid, String section, LineEnding lineEnding) {
    this.ref = ref;
    this.uid = uid;
    this.section = section;
    this.toLf = lineEnding == LineEnding.LF;
  }

  /** The handler of the call that reads this message (sent ahead, it may be a later one's). */
  void handTo(MessageHandler handler) {
    this.handler = handler;
  }

  @Override
  public void begin(String response) {
    String upper = response.toUpperCase(Locale.ROOT);
    long said = uidIn(upper);
    String before = upper.substring(0, upper.lastIndexOf('{')).stripTrailing();
    if (started || (said >= 0 && said != uid) || !before.endsWith(section)) {
      dropping = true;
      if (misfit == null) {
        misfit = started ? "a second literal for it" : "a literal of another message";
      }
      return;
    }
    dropping = false;
    started = true;
    handler.start(ref);
  }

  @Override
  public void accept(ByteBuffer slice) {
    if (dropping) {
      return;
    }
    if (!toLf) {
      handler.data(slice);
      return;
    }
    int start = slice.position();
    int end = slice.limit();
    if (crHeld) {
      crHeld = false;
      if (start < end && slice.get(start) == '\n') {
        // the held CR ended a line: only its LF goes on
      } else {
        handler.data(CR.duplicate());
      }
    }
    ByteBuffer view = slice.duplicate();
    int from = start;
    for (int i = start; i < end; i++) {
      if (slice.get(i) != '\r') {
        continue;
      }
      if (i + 1 == end) {
        hand(view, from, i);
        crHeld = true;
        return;
      }
      if (slice.get(i + 1) == '\n') {
        hand(view, from, i);
        from = i + 1;
      }
    }
    hand(view, from, end);
  }

  private void hand(ByteBuffer view, int from, int to) {
    if (to > from) {
      view.limit(to);
      view.position(from);
      handler.data(view);
    }
  }

  @Override
  public void end(long size) {
    if (dropping) {
      return;
    }
    if (crHeld) {
      crHeld = false;
      handler.data(CR.duplicate());
    }
    ended = true;
  }

  /** Whether a literal of this message began (the handler was given {@code start}). */
  boolean started() {
    return started;
  }

  /**
   * Whether the message is whole: its literal came to its end and the FETCH responses of the
   * command's reply (read in full after it, so that a literal the server cut short is not taken for
   * the whole) name no other UID.
   */
  boolean whole(List<ImapLine> fetched) {
    if (!started || !ended || misfit != null) {
      return false;
    }
    for (ImapLine l : fetched) {
      String upper = l.wire().toUpperCase(Locale.ROOT);
      long said = uidIn(upper);
      if (upper.contains(section) && said >= 0 && said != uid) {
        misfit = "the UID " + said + " in the response that carried it";
        return false;
      }
    }
    return true;
  }

  /** What made the message not whole, in words, or null. */
  String misfit() {
    return misfit;
  }

  /** The UID item of a FETCH response's text (upper case), or -1. */
  static long uidIn(String upper) {
    int at = upper.indexOf("(UID ");
    at = at >= 0 ? at + 5 : upper.indexOf(" UID ");
    if (at < 0) {
      return -1;
    }
    if (upper.charAt(at) == ' ') {
      at += 5;
    }
    int end = at;
    while (end < upper.length() && Character.isDigit(upper.charAt(end))) {
      end++;
    }
    return end > at && end - at < 19 ? Long.parseLong(upper.substring(at, end)) : -1;
  }
}
