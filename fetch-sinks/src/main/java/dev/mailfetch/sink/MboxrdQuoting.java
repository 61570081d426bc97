package dev.mailfetch.sink;

import static dev.mailfetch.sink.MboxLines.indexOf;
import static dev.mailfetch.sink.MboxLines.startsWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * mboxrd's quoting of content lines that could be taken for the next message: a line that starts
 * with {@code From } after any number of '>' gets one more '>' in the mbox, and loses one when read
 * back, so any message comes back exactly as it was (the mboxo form, which quotes only {@code From
 * }, cannot tell a quoted line from one that started with '>').
 *
 * <p>An instance quotes one message as its bytes stream in: at a line start, '>' bytes are counted
 * and "From " matched without holding more than those five bytes; a line that turns out to be
 * {@code >*From } gets one more '>' before them. Not thread-safe: one per delivery.
 */
final class MboxrdQuoting {
  /** Where the quoted bytes go. */
  interface Out {
    void put(byte c) throws IOException;
  }

  private static final String FROM = "From ";
  private static final byte[] FROM_BYTES = FROM.getBytes(StandardCharsets.US_ASCII);
  private boolean lineStart = true;
  private long gts; // '>' held at the start of the current line
  private int matched; // bytes of "From " held after them

  /** Quotes what {@code in} holds into {@code out}, holding back a line start still undecided. */
  void quote(ByteBuffer in, Out out) throws IOException {
    while (in.hasRemaining()) {
      byte c = in.get();
      if (lineStart) {
        if (matched == 0 && c == '>') {
          gts++;
          continue;
        }
        if (c == FROM.charAt(matched)) {
          if (++matched == FROM.length()) {
            out.put((byte) '>'); // the quote
            release(out);
            lineStart = false;
          }
          continue;
        }
        release(out);
        lineStart = false;
      }
      out.put(c);
      if (c == '\n') {
        lineStart = true;
      }
    }
  }

  /** At the message's end: writes what a last line start held back. */
  void end(Out out) throws IOException {
    if (lineStart) {
      release(out);
    }
  }

  /** Writes the held '>' and the matched part of "From ". */
  private void release(Out out) throws IOException {
    for (; gts > 0; gts--) {
      out.put((byte) '>');
    }
    for (int k = 0; k < matched; k++) {
      out.put((byte) FROM.charAt(k));
    }
    matched = 0;
  }

  /** A message as it was before it was quoted: one '>' fewer on every {@code >+From } line. */
  static byte[] unquote(byte[] quoted) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(quoted.length);
    int i = 0;
    while (i < quoted.length) {
      int eol = indexOf(quoted, (byte) '\n', i);
      int end = eol < 0 ? quoted.length : eol + 1;
      int j = i;
      while (j < end && quoted[j] == '>') {
        j++;
      }
      boolean quotedFrom = j > i && startsWith(quoted, j, FROM_BYTES);
      out.write(quoted, quotedFrom ? i + 1 : i, end - (quotedFrom ? i + 1 : i));
      i = end;
    }
    return out.toByteArray();
  }
}
