package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the doctor looks for around UTF-8 mode (RFC 6856, {@link Utf8Mode}): a message whose header
 * holds raw UTF-8 (RFC 6532), and the notice Courier sends in place of such a message to a client
 * without UTF-8 mode (quirk Q52: "Cannot display Unicode content", the original attached as {@code
 * message/global}). The notice is recognised by its subject, which Courier fixes; a server that
 * downgrades instead (RFC 6857) sends the message itself, changed, and is not told apart here.
 */
final class UnicodeCheck {
  /** How much of a TOP answer is kept to look at: the notice's header comes first. */
  private static final int KEEP = 64 * 1024;

  private UnicodeCheck() {}

  /** Whether {@code message} (whole or its top) is Courier's notice in place of a message. */
  static boolean isNotice(byte[] message) {
    for (String line : header(message).split("\r?\n")) {
      if (line.toLowerCase(Locale.ROOT).matches("subject:\\s*cannot display unicode content\\s*")) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code message}'s header section holds bytes outside ASCII (RFC 6532 UTF-8, say). */
  static boolean eightBitHeader(byte[] message) {
    String h = header(message);
    for (int i = 0; i < h.length(); i++) {
      if (h.charAt(i) >= 0x80) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code TOP n 0} in {@code session}, read to its end: whether the answer is the notice. A
   * refused TOP is not one.
   */
  static boolean noticeFor(Pop3Connection session, int n) throws FetchException {
    session.send(Pop3Commands.top(n, 0));
    if (!session.reply("reading the header of message " + n + " (TOP " + n + " 0)").ok()) {
      return false;
    }
    ByteArrayOutputStream top = new ByteArrayOutputStream();
    session
        .reader()
        .readBody(
            slice -> {
              int take = Math.min(slice.remaining(), KEEP - top.size());
              if (take > 0) {
                byte[] b = new byte[take];
                slice.get(b);
                top.write(b, 0, take);
              }
            },
            1L << 24); // a header, however long, is far less
    return isNotice(top.toByteArray());
  }

  /** Why this session could not turn UTF-8 mode on, in words. */
  static String whyModeOff(Pop3Connection ses) {
    if (ses.utf8()) {
      return "UTF-8 mode was on, so the server replaces such messages whatever the client says";
    }
    if (!ses.capabilities().worked()) {
      return "CAPA failed, so UTF-8 mode (RFC 6856) could not be turned on";
    }
    return ses.capabilities().has("UTF8")
        ? "the server refused UTF-8 mode (RFC 6856), though its CAPA offers it"
        : "its CAPA does not offer UTF-8 mode (RFC 6856), so it could not be turned on";
  }

  /** The header section, up to the first empty line, bytes as ISO-8859-1 characters. */
  private static String header(byte[] message) {
    String text =
        new String(message, 0, Math.min(message.length, KEEP), StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    int lf = text.indexOf("\n\n");
    if (end < 0 || (lf >= 0 && lf < end)) {
      end = lf;
    }
    if (text.startsWith("\r\n") || text.startsWith("\n")) {
      return "";
    }
    return end < 0 ? text : text.substring(0, end);
  }
}
