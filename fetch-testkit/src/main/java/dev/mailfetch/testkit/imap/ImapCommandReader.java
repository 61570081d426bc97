package dev.mailfetch.testkit.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads the client's commands (RFC 9051 §2.2, §4.3): the line, and each literal it announces,
 * synchronizing ({@code {n}}, answered with {@code +}) or not ({@code {n+}}, RFC 7888), into {@link
 * Token}s. Records each command (and, before TLS, every raw byte) in the session's {@link
 * ImapRecordedSession}. The session's faults decide, before each literal, whether it is read.
 */
final class ImapCommandReader {
  /** Longest command line accepted (without literals). */
  static final int MAX_LINE = 64 * 1024;

  /** What a token is. */
  enum Kind {
    ATOM,
    STRING,
    LITERAL,
    OPEN,
    CLOSE
  }

  /** One token of a command: an atom, a quoted string, a literal, or a parenthesis. */
  record Token(Kind kind, byte[] bytes) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    boolean isAtom(String word) {
      return kind == Kind.ATOM && text().equalsIgnoreCase(word);
    }

    @Override
    public String toString() {
      return kind + ":" + text();
    }
  }

  /** A command read whole: tag, verb ({@code UID} joined to the next word) and its arguments. */
  record Command(String tag, String verb, List<Token> args, ImapRecordedCommand recorded) {}

  /** Hears of each command as its first line arrives, and decides about each literal. */
  interface LiteralGate {
    /** A command's first line has arrived. */
    void started(String verb);

    /**
     * Called before a literal of {@code verb} is read (and, if synchronizing, before {@code +} is
     * sent); may end the session. Returns how many of its bytes to read before the server drops the
     * connection, or -1 to read it all.
     */
    long beforeLiteral(String verb, int index, long size, boolean sync) throws IOException;
  }

  private final ImapRecordedSession rec;
  private final ImapOutput out;
  private final ImapSettings settings;
  private final byte[] buf = new byte[16 * 1024];
  private InputStream in;
  private int pos;
  private int lim;
  private boolean tls;
  private boolean nextPipelined;
  private boolean timedOut;
  private LiteralGate gate;

  ImapCommandReader(
      InputStream in, ImapRecordedSession rec, ImapOutput out, ImapSettings settings) {
    this.in = in;
    this.rec = rec;
    this.out = out;
    this.settings = settings;
  }

  void gate(LiteralGate literalGate) {
    this.gate = literalGate;
  }

  /** The next command, or null at end of stream or idle timeout. */
  Command read() throws IOException {
    boolean pipelined = nextPipelined;
    List<Token> tokens = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    String tag = null;
    String verb = "";
    while (true) {
      byte[] segment = readLine();
      if (segment == null) {
        if (tag != null) {
          record(tag, verb, text, sizes, pipelined);
        }
        return null;
      }
      text.append(new String(segment, StandardCharsets.ISO_8859_1));
      long[] literal = new long[] {-1, 0};
      tokenize(segment, tokens, literal);
      if (tag == null) {
        tag = tokens.isEmpty() ? "" : tokens.get(0).text();
        verb = verb(tokens);
        gate.started(verb);
      }
      if (literal[0] < 0) {
        break;
      }
      long size = literal[0];
      boolean sync = literal[1] == 0;
      sizes.add(size);
      if (!sync && !settings.offers("LITERAL+") && !(settings.offers("LITERAL-") && size <= 4096)) {
        record(tag, verb, text, sizes, pipelined);
        out.line("* BYE [CLIENTBUG] Non-synchronizing literal not offered");
        out.end("non-synchronizing literal not offered");
      }
      if (size > settings.maxLiteral) {
        record(tag, verb, text, sizes, pipelined);
        if (sync) {
          out.line(tag + " NO [TOOBIG] Literal of " + size + " bytes is too big");
          return read();
        }
        out.line("* BYE [TOOBIG] Literal of " + size + " bytes is too big");
        out.end("literal too big");
      }
      long dropAfter;
      try {
        dropAfter = gate.beforeLiteral(verb, sizes.size() - 1, size, sync);
      } catch (IOException e) {
        record(tag, verb, text, sizes, pipelined);
        throw e;
      }
      if (sync) {
        out.line("+ Ready for literal data");
      }
      if (dropAfter >= 0) {
        readLiteral(Math.min(dropAfter, size));
        record(tag, verb, text, sizes, pipelined);
        out.end("dropped after " + dropAfter + " of " + size + " literal bytes");
      }
      tokens.add(new Token(Kind.LITERAL, readLiteral(size)));
    }
    ImapRecordedCommand recorded = record(tag, verb, text, sizes, pipelined);
    List<Token> args =
        tokens.subList(Math.min(tokens.size(), verb.contains(" ") ? 3 : 2), tokens.size());
    return new Command(tag, verb, List.copyOf(args), recorded);
  }

  /** One line of a SASL exchange (after {@code +}), recorded; null at end of stream. */
  String readSaslLine() throws IOException {
    byte[] line = readLine();
    if (line == null) {
      return null;
    }
    String text = new String(line, StandardCharsets.ISO_8859_1);
    rec.command(new ImapRecordedCommand("", "", text, List.of(), tls, false));
    return text;
  }

  private ImapRecordedCommand record(
      String tag, String verb, StringBuilder text, List<Long> sizes, boolean pipelined) {
    ImapRecordedCommand c =
        new ImapRecordedCommand(tag, verb, text.toString(), sizes, tls, pipelined);
    rec.command(c);
    return c;
  }

  private static String verb(List<Token> tokens) {
    if (tokens.size() < 2 || tokens.get(1).kind() != Kind.ATOM) {
      return "";
    }
    String v = tokens.get(1).text().toUpperCase(Locale.ROOT);
    if (v.equals("UID") && tokens.size() > 2 && tokens.get(2).kind() == Kind.ATOM) {
      v = v + " " + tokens.get(2).text().toUpperCase(Locale.ROOT);
    }
    return v;
  }

  /**
   * Splits one line into tokens; when it ends with a literal's announcement, {@code literal[0]}
   * gets its size and {@code literal[1]} 1 for a non-synchronizing one.
   */
  static void tokenize(byte[] line, List<Token> tokens, long[] literal) {
    int i = 0;
    int n = line.length;
    while (i < n) {
      byte c = line[i];
      if (c == ' ') {
        i++;
      } else if (c == '(') {
        tokens.add(new Token(Kind.OPEN, new byte[] {'('}));
        i++;
      } else if (c == ')') {
        tokens.add(new Token(Kind.CLOSE, new byte[] {')'}));
        i++;
      } else if (c == '"') {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        i++;
        while (i < n && line[i] != '"') {
          if (line[i] == '\\' && i + 1 < n) {
            i++;
          }
          s.write(line[i]);
          i++;
        }
        i++;
        tokens.add(new Token(Kind.STRING, s.toByteArray()));
      } else if (c == '{' && line[n - 1] == '}' && isLiteralMarker(line, i, n)) {
        boolean plus = line[n - 2] == '+';
        String digits =
            new String(line, i + 1, n - 1 - (plus ? 1 : 0) - (i + 1), StandardCharsets.US_ASCII);
        literal[0] = Long.parseLong(digits);
        literal[1] = plus ? 1 : 0;
        return;
      } else {
        int start = i;
        int depth = 0;
        while (i < n) {
          byte b = line[i];
          if (b == '[') {
            depth++;
          } else if (b == ']') {
            depth--;
          } else if (depth <= 0 && (b == ' ' || b == '(' || b == ')')) {
            break;
          }
          i++;
        }
        tokens.add(new Token(Kind.ATOM, Arrays.copyOfRange(line, start, i)));
      }
    }
  }

  private static boolean isLiteralMarker(byte[] line, int open, int n) {
    int end = line[n - 2] == '+' ? n - 2 : n - 1;
    if (end <= open + 1 || end - open > 19) {
      return false;
    }
    for (int k = open + 1; k < end; k++) {
      if (line[k] < '0' || line[k] > '9') {
        return false;
      }
    }
    return true;
  }

  private byte[] readLiteral(long size) throws IOException {
    byte[] data = new byte[(int) size];
    int got = 0;
    while (got < size) {
      if (pos == lim && !fill()) {
        throw new ImapOutput.SessionEnded("client closed inside a literal");
      }
      int n = Math.min(lim - pos, (int) size - got);
      System.arraycopy(buf, pos, data, got, n);
      pos += n;
      got += n;
    }
    return data;
  }

  /** The next line without its line end, or null at end of stream or idle timeout. */
  private byte[] readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    while (true) {
      if (pos == lim && !fill()) {
        return null;
      }
      int start = pos;
      while (pos < lim && buf[pos] != '\n') {
        pos++;
      }
      line.write(buf, start, pos - start);
      if (line.size() > MAX_LINE) {
        out.line("* BYE [TOOBIG] Command line too long");
        out.end("command line too long");
      }
      if (pos < lim) {
        pos++;
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return Arrays.copyOf(b, len);
      }
    }
  }

  private boolean fill() throws IOException {
    int n;
    try {
      n = in.read(buf, 0, buf.length);
    } catch (SocketTimeoutException idle) {
      timedOut = true;
      return false;
    }
    if (n < 0) {
      return false;
    }
    if (!tls) {
      rec.plaintext(buf, 0, n);
    }
    pos = 0;
    lim = n;
    return true;
  }

  /** Whether the last read ended because the client was silent for the inactivity time. */
  boolean timedOut() {
    return timedOut;
  }

  /**
   * Waits up to {@code millis} for bytes from the client without taking them (IDLE watches for DONE
   * this way while it reports new mail); false if none came.
   *
   * @throws ImapOutput.SessionEnded if the client closed
   */
  boolean awaitInput(Socket socket, int millis) throws IOException {
    if (pos < lim) {
      return true;
    }
    int before = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      int n = in.read(buf, 0, buf.length);
      if (n < 0) {
        throw new ImapOutput.SessionEnded("client closed");
      }
      if (!tls) {
        rec.plaintext(buf, 0, n);
      }
      pos = 0;
      lim = n;
      return true;
    } catch (SocketTimeoutException none) {
      return false;
    } finally {
      socket.setSoTimeout(before);
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

  void nextPipelined(boolean pipelined) {
    this.nextPipelined = pipelined;
  }

  /** The bytes read but not taken, which after STARTTLS belong to the ClientHello. */
  byte[] takeUnread() {
    byte[] early = Arrays.copyOfRange(buf, pos, lim);
    pos = lim = 0;
    return early;
  }

  void switchToTls(InputStream tlsIn) {
    tls = true;
    in = tlsIn;
  }

  boolean inTls() {
    return tls;
  }

  /** Reads and drops what the client sends, until it closes or {@code millis} pass. */
  void drainUntilClosed(Socket socket, long millis) throws IOException {
    long end = System.nanoTime() + millis * 1_000_000L;
    socket.setSoTimeout(50);
    while (System.nanoTime() < end) {
      try {
        if (in.read(buf) < 0) {
          return;
        }
      } catch (SocketTimeoutException stillThere) {
        // keep waiting
      }
    }
  }
}
