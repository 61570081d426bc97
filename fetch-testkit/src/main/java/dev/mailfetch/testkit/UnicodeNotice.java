package dev.mailfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What Courier's POP3 server sends, in place of a message whose header holds raw UTF-8 (RFC 6532),
 * to a client that did not turn on UTF-8 mode with the {@code UTF8} command of RFC 6856 (quirk
 * Q52): a notice from its postmaster, with the original attached as {@code message/global}.
 *
 * <p>Taken from Courier's sources, courier-libs {@code imap/pop3dserver.C} (checked at commit
 * 2a13a23): {@code calcsize} marks a message "UTF-8" when its header section has 8-bit bytes (the
 * RFC 2045 parser's {@code RFC2045_ERR8BITHEADER}); {@code do_retr} wraps such a message, for RETR
 * and TOP alike, in the {@code MIMEWRAPTXT} notice below, with the boundary {@code =_PID-TIME} and
 * the part type of {@code MIME_UNICODE_MESSAGE_TYPE} ({@code message/global} by default), and ends
 * it with a line of the closing boundary; {@code do_list} still lists the original's size. {@code
 * imap/pop3dcapa.C} lists {@code UTF8 USER}; {@code imap/pop3login.C} takes {@code UTF8} before the
 * login, and {@code pop3dserver.C} after it too ("workaround for MS Outlook").
 */
final class UnicodeNotice {
  private static final String TEXT =
      "This E-mail message was determined to be Unicode-formatted\n"
          + "but your E-mail reader does not support Unicode E-mail.\n\n"
          + "Please use an E-mail reader that supports POP3 with UTF-8\n"
          + "(see https://datatracker.ietf.org/doc/html/rfc6856).\n\n"
          + "This can also happen when the sender's E-mail program does not\n"
          + "correctly format the sent message.\n\n"
          + "The original message is included as a separate attachment\n"
          + "so that it can be downloaded manually.\n\n";

  private UnicodeNotice() {}

  /**
   * Whether Courier would take {@code message} for Unicode-formatted: 8-bit bytes in its header
   * section.
   */
  static boolean applies(byte[] message) {
    if (message.length > 0
        && (message[0] == '\n'
            || (message[0] == '\r' && message.length > 1 && message[1] == '\n'))) {
      return false; // no header section at all
    }
    for (int p = 0; p < message.length; p++) {
      byte c = message[p];
      if (c < 0) {
        return true;
      }
      // An empty line (LF LF or LF CR LF) ends the header section.
      if (c == '\n'
          && (p + 1 < message.length
              && (message[p + 1] == '\n'
                  || (message[p + 1] == '\r'
                      && p + 2 < message.length
                      && message[p + 2] == '\n')))) {
        return false;
      }
    }
    return false;
  }

  /**
   * The notice with {@code message} inside, line ends CRLF as the rest of the fake server's mail.
   */
  static byte[] wrap(byte[] message, String boundary) {
    String head =
        "From: Mail Delivery Subsystem <postmaster>\n"
            + "Subject: Cannot display Unicode content\n"
            + "Mime-Version: 1.0\n"
            + "Content-Type: multipart/mixed; boundary=\""
            + boundary
            + "\"\n"
            + "\n\n\n--"
            + boundary
            + "\n"
            + "Content-Type: text/plain\n\n"
            + TEXT
            + "--"
            + boundary
            + "\n"
            + "Content-Type: message/global\n\n";
    ByteArrayOutputStream b = new ByteArrayOutputStream(message.length + 1024);
    b.writeBytes(crlf(head));
    b.writeBytes(message);
    b.writeBytes(crlf("\n--" + boundary + "--\n"));
    return b.toByteArray();
  }

  /** A boundary of Courier's form, {@code =_PID-TIME}. */
  static String boundary() {
    return "=_" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis() / 1000;
  }

  private static byte[] crlf(String lf) {
    return lf.replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII);
  }
}
