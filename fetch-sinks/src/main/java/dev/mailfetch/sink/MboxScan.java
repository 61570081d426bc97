package dev.mailfetch.sink;

import static dev.mailfetch.sink.MboxLines.indexOf;
import static dev.mailfetch.sink.MboxLines.nextLine;
import static dev.mailfetch.sink.MboxLines.startsWith;

import dev.mailfetch.api.DeliveryKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading an mbox for the messages mailfetch appended, by their {@link MboxFromLine}s: once at open
 * (which keys it holds, and the repair of a last message torn by a crash during its append), and to
 * find one message by its key. The rest of the mbox (mail other programs put there) is read past
 * and left as it is.
 */
final class MboxScan {
  // The public class's category: a user's log settings for the mbox still apply.
  private static final Logger log = LoggerFactory.getLogger(MboxSink.class);

  private MboxScan() {}

  /**
   * Adds the keys of our whole messages in {@code mbox} to {@code held}. One of ours that the next
   * {@code From } line comes too early for is short (a crash cut its append, and another program
   * appended after): it is not counted as held, so it is delivered again. The last message of the
   * file, if ours and short, is cut off. Messages that grew (a mail reader added a Status header)
   * are held. Called under the mbox's locks.
   */
  static void scan(FileChannel mbox, Path file, KeySet held) throws IOException {
    long size = mbox.size();
    MboxFromLine pending = null; // our last From line, not yet known to be whole
    long pendingStart = -1;
    long pendingBody = -1;
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    byte[] from = "From ".getBytes(StandardCharsets.US_ASCII);
    byte[] head = new byte[200];
    int headLen = 0;
    boolean collecting = true;
    long lineStart = 0;
    for (long base = 0; base < size; ) {
      buf.clear();
      int n = mbox.read(buf, base);
      if (n <= 0) {
        break;
      }
      byte[] a = buf.array();
      for (int i = 0; i < n; i++) {
        byte c = a[i];
        if (collecting) {
          if (c != '\n' && headLen < head.length) {
            head[headLen++] = c;
          } else {
            collecting = false;
            if (headLen >= 5
                && startsWith(head, 0, from)
                && (pending == null || lineStart >= pendingBody)) {
              if (pending != null) {
                if (lineStart >= pendingBody + pending.length() + 1) {
                  held.add(pending.key());
                } else {
                  log.warn(
                      "{}: a message appended by mailfetch at byte {} is short (a crash cut it, then"
                          + " another program appended); it will be delivered again",
                      file,
                      pendingStart);
                }
                pending = null;
              }
              MboxFromLine h =
                  c == '\n' && startsWith(head, 0, MboxFromLine.OURS)
                      ? MboxFromLine.parse(head, 0, headLen)
                      : null;
              if (h != null) {
                pending = h;
                pendingStart = lineStart;
                pendingBody = base + i + 1;
              }
            }
          }
        }
        if (c == '\n') {
          collecting = true;
          headLen = 0;
          lineStart = base + i + 1;
        }
      }
      base += n;
    }
    if (pending != null) {
      if (pendingBody + pending.length() + 1 <= size) {
        held.add(pending.key());
      } else {
        log.warn(
            "{}: the last message, cut short by a crash while it was appended, is removed; it will be"
                + " delivered again",
            file);
        mbox.truncate(pendingStart);
        mbox.force(true);
      }
    }
  }

  /** The message under {@code key} in the mbox's bytes {@code all}, unquoted; empty if absent. */
  static Optional<byte[]> find(byte[] all, DeliveryKey key) {
    byte[] marker = MboxFromLine.marker(key);
    for (int i = 0; i >= 0 && i < all.length; i = nextLine(all, i)) {
      if (!startsWith(all, i, marker)) {
        continue;
      }
      int eol = indexOf(all, (byte) '\n', i);
      MboxFromLine h = MboxFromLine.parse(all, i, eol);
      if (h == null || eol + 1 + h.length() > all.length) {
        return Optional.empty();
      }
      byte[] quoted = Arrays.copyOfRange(all, eol + 1, eol + 1 + (int) h.length());
      byte[] content = MboxrdQuoting.unquote(quoted);
      return Optional.of(h.addedNewline() ? Arrays.copyOf(content, content.length - 1) : content);
    }
    return Optional.empty();
  }
}
