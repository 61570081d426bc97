package dev.mailfetch.pop3.internal;

import java.io.IOException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * What the JDK says only in words: whether the other side of a failed handshake sent a TLS alert or
 * bytes that are no TLS, and whether a failed connect was a reset. The JDK's TLS gives no alert
 * code and no subtype for these ({@code SSLHandshakeException} for all of them), and a reset is a
 * plain {@code SocketException}, so its message is all there is. This is the one place the port
 * probe reads an exception's message, and none of it decides anything a fetch does: only which
 * words the doctor's connection stage chooses.
 */
final class JdkErrorWords {
  private JdkErrorWords() {}

  /** The other side answered the handshake with a TLS alert: it speaks TLS. */
  static boolean alertReceived(SSLException e) {
    return String.valueOf(e.getMessage()).contains("Received fatal alert");
  }

  /** The other side answered the handshake with bytes that are no TLS record. */
  static boolean notTls(SSLException e) {
    return String.valueOf(e.getMessage()).contains("Unsupported or unrecognized SSL message");
  }

  /** The connection was reset by the other side (RST) rather than never made. */
  static boolean reset(IOException e) {
    return String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("reset");
  }
}
