package dev.mailfetch.api;

import dev.mailfetch.api.internal.Sizes;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Whether a message, as its bytes stream in, turns out to have no content of its own: no header
 * field that its author's mail program writes ({@link HeaderBlock#MESSAGE_FIELDS}: From, Date,
 * Subject, Message-ID…), no line that is not a header field, and nothing but white space after the
 * header section. What is left is nothing, or only fields a server or transport adds (Received,
 * Return-Path, X-UIDL, Status…): a message a server served empty, a bug seen in the wild. Every
 * such message has the same content digest, so digest-only duplicate detection would take each for
 * a copy of the first (docs/engine.md, "Messages served empty").
 *
 * <p>It looks at each byte only until it has seen content, which in a real message is within its
 * first header fields; a long run of trace fields is the most it ever reads. The slices it is fed
 * are not moved.
 */
final class EmptyMessageCheck {
  private static final int LINE_START = 0;
  private static final int CR_AT_LINE_START = 1;
  private static final int NAME = 2;
  private static final int SKIP_LINE = 3;
  private static final int BODY = 4;

  /** Longer names are no name a message needs: the line is skipped as a field of another kind. */
  private static final int MAX_NAME = 40;

  private int state = LINE_START;
  private boolean content;
  private final StringBuilder name = new StringBuilder(MAX_NAME);

  /** Starts over, for the next message. */
  void reset() {
    state = LINE_START;
    content = false;
    name.setLength(0);
  }

  /** Whether the message so far has content of its own (once true, it stays true). */
  boolean hasContent() {
    return content;
  }

  /** Whether the whole message, once fed, had no content of its own. */
  boolean isEmpty() {
    return !content;
  }

  /**
   * The server's fault, for the run's warnings and the message's record: it names the message and
   * says what became of it.
   */
  static FetchException fault(MessageRef ref, long received) {
    return new FetchException(
        FetchError.PROTOCOL,
        "message "
            + FetchRun.describe(ref)
            + " was served empty: "
            + what(ref, received)
            + ". It is stored as served, and left on the server, where the message itself may"
            + " still be",
        null,
        null,
        LOOK);
  }

  /**
   * Whether a record is of a message stored as served empty: checked again at every run that lists
   * it.
   */
  static boolean servedEmpty(UidRecord rec) {
    return rec.state() == UidRecord.State.DELIVERED && rec.lastError() != null;
  }

  /**
   * Whether a dedup verdict names, as the first copy of a message served empty in an earlier run,
   * that empty copy itself: a policy that remembered it (a dedup store written before empty copies
   * were kept out of it) would take the whole message for a copy of its stub, and the only whole
   * copy would be discarded and deleted from the server. Such a verdict is no verdict.
   */
  static boolean copyOfItsEmptyCopy(RunItem item, DedupVerdict verdict) {
    return item.record != null
        && servedEmpty(item.record)
        && verdict.firstCopy().equals(item.record.deliveryKey());
  }

  /**
   * A message served empty in an earlier run, and again in this one: said at every run that lists
   * it.
   */
  static FetchException stillEmpty(MessageRef ref, long received) {
    return new FetchException(
        FetchError.PROTOCOL,
        "message "
            + FetchRun.describe(ref)
            + " is still served empty ("
            + what(ref, received)
            + "), as in an earlier run: the copy stored then is all mailfetch has of it, and it"
            + " stays on the server",
        null,
        null,
        Remedy.of(
            LOOK.commandLine()
                + " mailfetch checks it again at every run, and stores it whole once the server"
                + " serves it so."));
  }

  /**
   * A message served empty in an earlier run and whole in this one: stored now under a key of its
   * own ({@link #wholeKey}), the empty copy stays where it was.
   */
  static FetchException servedWhole(MessageRef ref) {
    return new FetchException(
        FetchError.PROTOCOL,
        "message "
            + FetchRun.describe(ref)
            + ", served empty by an"
            + " earlier run, was served whole this time and is stored; the empty copy stored then is still in the"
            + " mailbox",
        null,
        null,
        DELETE_EMPTY_COPY);
  }

  private static final Remedy DELETE_EMPTY_COPY =
      Remedy.of(
          "Delete the empty copy from the mailbox if you like (a"
              + " message without sender, subject or text); nothing else is needed, and later runs take this message as"
              + " fetched.");

  /**
   * A message served empty in an earlier run and whole in this one, which the dedup policy found a
   * copy of a message the mailbox holds ({@code reason}, the policy's words): not stored again,
   * and, where the retention says so ({@code deleted}), deleted from the server, which is safe only
   * because a whole copy is held. Said, never done in silence: the empty copy stays in the mailbox.
   */
  static FetchException servedWholeAsCopy(MessageRef ref, String reason, boolean deleted) {
    return new FetchException(
        FetchError.PROTOCOL,
        "message "
            + FetchRun.describe(ref)
            + ", served empty by an"
            + " earlier run, was served whole this time: a copy of a message the mailbox holds already ("
            + PrintableWords.of(reason, FetchException.MAX_REPLY_CHARS)
            + "), so it is not stored again"
            + (deleted
                ? ", and it is deleted from the server, which is safe: the mailbox holds it whole"
                : "")
            + "; the empty copy stored then is still in the mailbox",
        null,
        null,
        DELETE_EMPTY_COPY);
  }

  /**
   * The key of the whole message: not the unique id's usual key, which the sink holds for the empty
   * copy, and the same in every run, so that a crash between the sink and the state still
   * re-delivers into a no-op.
   */
  static DeliveryKey wholeKey(String account, MessageRef ref) {
    return DeliveryKey.of(account, ref.uid() + "\u0000served whole");
  }

  private static String what(MessageRef ref, long received) {
    return (received == 0
            ? "not a byte"
            : "only header fields a server adds, no body (" + Sizes.size(received) + ")")
        + (ref.size() > received ? ", though the listing announces " + Sizes.size(ref.size()) : "");
  }

  private static final Remedy LOOK =
      Remedy.of(
          "Look at the message on the server (webmail, another mail program)."
              + " If it is empty there too, delete it there; if not, tell the provider that their server served it without"
              + " its content. mailfetch never deletes it.");

  void feed(ByteBuffer slice) {
    for (int i = slice.position(), end = slice.limit(); i < end && !content; i++) {
      step(slice.get(i));
    }
  }

  private void step(byte b) {
    switch (state) {
      case LINE_START:
        if (b == '\n') {
          state = BODY;
        } else if (b == '\r') {
          state = CR_AT_LINE_START;
        } else if (b == ' ' || b == '\t') {
          state = SKIP_LINE; // a folded continuation of the field before
        } else {
          name.setLength(0);
          state = NAME;
          name(b);
        }
        break;
      case CR_AT_LINE_START:
        if (b == '\n') {
          state = BODY;
        } else if (b != '\r') {
          content = true; // a line that starts with a bare CR is no header field
        }
        break;
      case NAME:
        name(b);
        break;
      case SKIP_LINE:
        if (b == '\n') {
          state = LINE_START;
        }
        break;
      default: // BODY
        if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
          content = true;
        }
    }
  }

  private void name(byte b) {
    if (b == ':') {
      content =
          HeaderBlock.MESSAGE_FIELDS.contains(name.toString().strip().toLowerCase(Locale.ROOT));
      state = SKIP_LINE;
    } else if (b == '\n' || b == '\r') {
      content = true; // a line without a colon: text, not a header field
    } else if (name.length() >= MAX_NAME) {
      state = SKIP_LINE;
    } else {
      name.append((char) (b & 0xFF));
    }
  }
}
