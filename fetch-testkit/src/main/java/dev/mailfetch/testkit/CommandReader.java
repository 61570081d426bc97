package dev.mailfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the client's command lines, recording each (and, before TLS, every raw byte) in the
 * session's {@link RecordedSession}. It knows whether TLS is on, and whether the next command was
 * pipelined, because both are part of what it records.
 */
final class CommandReader {
  /** Room for SASL responses carrying OAuth tokens of 16 KiB and more, base64-encoded. */
  static final int MAX_COMMAND_LINE = 64 * 1024;

  private final RecordedSession rec;
  private final Replies replies;
  private final boolean splitCommands;
  private final byte[] buf = new byte[16 * 1024];
  private InputStream in;
  private int pos;
  private int lim;
  private boolean tls;
  private boolean nextPipelined;

  /**
   * @param splitCommands a broken server's reading (Q22): whatever one read brought is a command
   */
  CommandReader(InputStream in, RecordedSession rec, Replies replies, boolean splitCommands) {
    this.in = in;
    this.rec = rec;
    this.replies = replies;
    this.splitCommands = splitCommands;
  }

  /** The next command line without its line end, or null at end of stream or idle timeout. */
  String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    boolean pipelined = nextPipelined;
    while (true) {
      if (pos == lim) {
        if (splitCommands && line.size() > 0) {
          // A broken server that takes whatever one read brought for a whole command.
          String text = new String(line.toByteArray(), StandardCharsets.ISO_8859_1);
          rec.command(text, tls, pipelined);
          return text;
        }
        int n;
        try {
          n = in.read(buf, 0, buf.length);
        } catch (SocketTimeoutException idle) {
          return null; // idle timeout: drop without a word, as Outlook.com does (Q43)
        }
        if (n < 0) {
          return null;
        }
        if (!tls) {
          rec.plaintext(buf, 0, n);
        }
        pos = 0;
        lim = n;
      }
      int start = pos;
      while (pos < lim && buf[pos] != '\n') {
        pos++;
      }
      line.write(buf, start, pos - start);
      if (line.size() > MAX_COMMAND_LINE) {
        replies.err("Command line too long");
        return null;
      }
      if (pos < lim) {
        pos++; // the LF
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        String text = new String(b, 0, len, StandardCharsets.ISO_8859_1);
        rec.command(text, tls, pipelined);
        return text;
      }
    }
  }

  /** Whether the client has sent more than we have read: it did not wait for our reply. */
  boolean moreArrived() {
    try {
      return pos < lim || in.available() > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the command read next came before the reply to this one began. */
  void nextPipelined(boolean pipelined) {
    this.nextPipelined = pipelined;
  }

  /** Throws away what the client has sent and we have not read (Q21). */
  void dropQueued() throws IOException {
    pos = lim;
    in.skip(in.available());
  }

  /**
   * The bytes read but not taken as commands, which after STLS belong to the client's ClientHello;
   * they are no longer the reader's.
   */
  byte[] takeUnread() {
    byte[] early = Arrays.copyOfRange(buf, pos, lim);
    pos = lim = 0;
    return early;
  }

  /** From now on, commands come from inside TLS. */
  void switchToTls(InputStream tlsIn) {
    tls = true;
    in = tlsIn;
  }

  boolean inTls() {
    return tls;
  }

  /** The stream commands come from now, for a fault that reads and drops what comes. */
  InputStream stream() {
    return in;
  }
}
