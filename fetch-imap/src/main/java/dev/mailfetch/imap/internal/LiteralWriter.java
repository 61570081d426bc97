package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a command with its literals: {@code {n+}} where the server has {@code LITERAL+} (or {@code
 * LITERAL-} and the literal is at most 4096 bytes, RFC 7888), else {@code {n}} and the server's
 * {@code +} awaited before the bytes go. The bytes are copied from their source in slices.
 */
final class LiteralWriter {
  /** The most bytes {@code LITERAL-} allows in a non-synchronizing literal (RFC 7888 §4). */
  static final long LITERAL_MINUS_MAX = 4096;

  /** Waits for the server's {@code +} before a synchronizing literal. */
  interface Continuation {
    /**
     * Whether the server sent {@code +} (true) or ended the command with its tagged reply (false).
     *
     * @throws FetchException when it did not answer in time
     */
    boolean await() throws FetchException;
  }

  private final OutputStream out;
  private final ImapCapabilities capabilities;

  LiteralWriter(OutputStream out, ImapCapabilities capabilities) {
    this.out = out;
    this.capabilities = capabilities;
  }

  /** Whether a literal of {@code size} bytes goes without waiting for {@code +}. */
  static boolean nonSynchronizing(ImapCapabilities caps, long size) {
    return caps.has("LITERAL+") || (caps.has("LITERAL-") && size <= LITERAL_MINUS_MAX);
  }

  /**
   * Sends {@code tag} and {@code command}, waiting on {@code continuation} where needed; stops
   * where the server refused the command before a synchronizing literal.
   */
  void write(String tag, ImapCommand command, Continuation continuation)
      throws IOException, FetchException {
    out.write(ascii(tag + " "));
    for (Object part : command.parts()) {
      if (part instanceof String text) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      } else {
        LiteralSource source = (LiteralSource) part;
        long size = source.size();
        boolean plus = nonSynchronizing(capabilities, size);
        out.write(ascii("{" + size + (plus ? "+" : "") + "}\r\n"));
        if (!plus) {
          out.flush();
          if (!continuation.await()) {
            return; // refused before the literal: the command is over, its reply is read
          }
        }
        source.writeTo(out);
      }
    }
    out.write(ascii("\r\n"));
    out.flush();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
