package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.HeaderBlock;
import dev.mailfetch.api.internal.Sizes;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The doctor's look at a sampled message for quirk Q53: a server that serves a message it cannot
 * read as only a header field of its own ({@code X-UIDL}, say) and nothing else, while LIST gives
 * the real size. Empty means what the engine means by it (docs/engine.md): no field a message's
 * author writes ({@link HeaderBlock#MESSAGE_FIELDS}), no line that is no header field, and nothing
 * but white space after the header section. Such a sample is the server's fault, not LIST's or
 * TOP's, so no size of it is compared.
 */
final class ServedEmpty {
  private ServedEmpty() {}

  /** The fields of {@code message} if it is empty as above, else null. */
  static Set<String> fieldsIfEmpty(byte[] message) {
    String text = new String(message, StandardCharsets.ISO_8859_1);
    Set<String> fields = new LinkedHashSet<>();
    int at = 0;
    while (at < text.length()) {
      int lf = text.indexOf('\n', at);
      String line = text.substring(at, lf < 0 ? text.length() : lf);
      at = lf < 0 ? text.length() : lf + 1;
      line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (line.isEmpty()) {
        return text.substring(at).isBlank() ? fields : null;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        continue; // a folded field goes on
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        return null; // text, not a header field
      }
      String name = line.substring(0, colon).strip();
      if (HeaderBlock.MESSAGE_FIELDS.contains(name.toLowerCase(Locale.ROOT))) {
        return null;
      }
      fields.add(name);
    }
    return fields;
  }

  /** What was seen, for the finding: the message, what it came as, and what LIST announced. */
  static String evidence(int n, String command, Set<String> fields, int octets, long listed) {
    return "message "
        + n
        + " ("
        + command
        + ") came as "
        + (fields.isEmpty()
            ? "nothing"
            : "only the field"
                + (fields.size() == 1 ? " " : "s ")
                + FetchException.escape(String.join(", ", fields)))
        + " ("
        + Sizes.size(octets)
        + ")"
        + (listed > octets ? ", though LIST gives it " + Sizes.size(listed) : "");
  }
}
