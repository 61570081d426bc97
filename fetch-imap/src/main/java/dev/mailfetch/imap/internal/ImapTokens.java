package dev.mailfetch.imap.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The data of a response as values: an atom or number as its text, a quoted string or literal
 * decoded as UTF-8, {@code NIL} as null, a parenthesized list as a {@code List}. Lenient: what does
 * not parse ends the list, the caller checks what it needs.
 */
final class ImapTokens {
  private final String s;
  private int i;

  private ImapTokens(String s) {
    this.s = s;
  }

  /** The values of {@code wire} (one char per byte). */
  static List<Object> parse(String wire) {
    ImapTokens t = new ImapTokens(wire);
    return Collections.unmodifiableList(t.list(false));
  }

  private List<Object> list(boolean nested) {
    List<Object> out = new ArrayList<>();
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == ' ') {
        i++;
      } else if (c == ')') {
        i++;
        if (nested) {
          return out;
        }
      } else if (c == '(') {
        i++;
        out.add(Collections.unmodifiableList(list(true)));
      } else if (c == '"') {
        out.add(quoted());
      } else if (c == '{' || (c == '~' && i + 1 < s.length() && s.charAt(i + 1) == '{')) {
        String lit = literal();
        if (lit == null) {
          return out;
        }
        out.add(lit);
      } else {
        String atom = atom();
        out.add(atom.equalsIgnoreCase("NIL") ? null : atom);
      }
    }
    return out;
  }

  private String quoted() {
    StringBuilder sb = new StringBuilder();
    i++;
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '\\' && i < s.length()) {
        sb.append(s.charAt(i++));
      } else if (c == '"') {
        break;
      } else {
        sb.append(c);
      }
    }
    return ImapLine.utf8(sb.toString());
  }

  private String literal() {
    if (s.charAt(i) == '~') {
      i++;
    }
    int close = s.indexOf('}', i);
    if (close < 0) {
      return null;
    }
    String digits = s.substring(i + 1, close).replace("+", "");
    int n;
    try {
      n = Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return null;
    }
    int start = close + 1;
    if (s.startsWith("\r\n", start)) {
      start += 2;
    }
    int end = Math.min(s.length(), start + n);
    i = end;
    return ImapLine.utf8(s.substring(start, end));
  }

  private String atom() {
    int start = i;
    int depth = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth = Math.max(0, depth - 1);
      } else if (depth == 0 && (c == ' ' || c == '(' || c == ')')) {
        break;
      }
      i++;
    }
    if (i == start) {
      i++; // a stray char: skip it rather than loop
      return s.substring(start, i);
    }
    return s.substring(start, i);
  }
}
