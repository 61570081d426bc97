package dev.mailfetch.dedup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes RFC 2047 encoded words ({@code =?UTF-8?B?...?=}, {@code =?iso-8859-1?Q?...?=}) in a
 * header value, so that rules match the text a mail reader shows. A word that does not decode (an
 * unknown charset, bad base64) is left as it is; nothing here throws.
 */
final class EncodedWords {
  private static final Pattern WORD = Pattern.compile("=\\?([^?\\s]+)\\?([BbQq])\\?([^?\\s]*)\\?=");

  /** Whitespace between two encoded words is not part of the text (RFC 2047 §6.2). */
  private static final Pattern BETWEEN = Pattern.compile("(\\?=)[ \\t\\r\\n]+(=\\?)");

  private EncodedWords() {}

  static String decode(String value) {
    if (value.indexOf("=?") < 0) {
      return value;
    }
    String joined = BETWEEN.matcher(value).replaceAll("$1$2");
    Matcher m = WORD.matcher(joined);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      out.append(joined, last, m.start());
      String decoded = word(m.group(1), m.group(2), m.group(3));
      out.append(decoded != null ? decoded : m.group());
      last = m.end();
    }
    out.append(joined, last, joined.length());
    return out.toString();
  }

  private static String word(String charsetName, String encoding, String text) {
    try {
      int star = charsetName.indexOf('*'); // RFC 2231 language suffix
      Charset cs = Charset.forName(star < 0 ? charsetName : charsetName.substring(0, star));
      byte[] bytes;
      if (encoding.equalsIgnoreCase("B")) {
        bytes = Base64.getMimeDecoder().decode(text);
      } else {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
          char c = text.charAt(i);
          if (c == '_') {
            b.write(' ');
          } else if (c == '=' && i + 2 < text.length()) {
            b.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
            i += 2;
          } else {
            b.write(c);
          }
        }
        bytes = b.toByteArray();
      }
      return new String(bytes, cs);
    } catch (IllegalArgumentException e) { // unknown charset, bad base64 or hex
      return null;
    }
  }
}
