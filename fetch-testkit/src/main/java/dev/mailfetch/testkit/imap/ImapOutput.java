package dev.mailfetch.testkit.imap;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** What a session sends: lines (UTF-8, CRLF added), each flushed, and an abrupt end. */
final class ImapOutput {
  /** Thrown when the server ends the session on purpose (a fault, LOGOUT, a close). */
  static final class SessionEnded extends IOException {
    private static final long serialVersionUID = 1L;

    SessionEnded(String why) {
      super(why);
    }
  }

  private final Socket socket;
  private OutputStream out;
  private boolean throttled;

  ImapOutput(Socket socket, OutputStream out) {
    this.socket = socket;
    this.out = out;
  }

  void switchTo(OutputStream tlsOut) {
    this.out = tlsOut;
  }

  /** Gmail's I07: every tagged OK ends in {@code [THROTTLED]}. */
  void throttled(boolean on) {
    this.throttled = on;
  }

  void line(String text) throws IOException {
    if (throttled && isTaggedOk(text)) {
      text = text + " [THROTTLED]";
    }
    out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  void raw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Writes without flushing, for output that is pushed in bulk (endless lines). */
  void buffered(byte[] bytes) throws IOException {
    out.write(bytes);
  }

  /** Closes the connection (FIN) and ends the session. */
  void end(String why) throws IOException {
    try {
      out.flush();
    } catch (IOException ignored) {
      // the client is gone already; closing is all that is left
    }
    socket.close();
    throw new SessionEnded(why);
  }

  private static boolean isTaggedOk(String line) {
    int space = line.indexOf(' ');
    return space > 0
        && !line.startsWith("* ")
        && !line.startsWith("+ ")
        && line.startsWith(" OK ", space);
  }
}
