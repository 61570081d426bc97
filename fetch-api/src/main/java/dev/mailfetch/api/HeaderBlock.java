package dev.mailfetch.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The header section of a message (RFC 5322 §2.2), as the policies see it before the body is
 * stored.
 *
 * <p>It holds the raw bytes and parses them on first use: fields are unfolded, names compared
 * without regard to case, and bytes decoded as UTF-8 (RFC 6532) with invalid sequences replaced, so
 * that no header, however broken, makes a policy throw. Line ends may be CRLF or bare LF.
 *
 * <p>The engine keeps at most {@link FetchLimits#maxHeaderBytes()} bytes of a header section. When
 * a section is longer, or a message has no empty line after its headers (quirk Q09), the block
 * holds what was read and {@link #complete()} is false: policies decide on what is there.
 */
public final class HeaderBlock {
  /**
   * One header field.
   *
   * @param name the field's name as the message spells it (compare it without regard to case)
   * @param value the field's value, unfolded, without the leading and trailing white space
   */
  public record Field(String name, String value) {}

  private static final HeaderBlock EMPTY = new HeaderBlock(new byte[0], true);

  /**
   * The fields, in lower case, that a message's author or their mail program writes (RFC 5322 §3.6
   * origination, destination, identification and informational fields, and MIME's), as opposed to
   * the trace and status fields servers add on the way. A message without any of them and without a
   * body has no content of its own: a server served it empty (docs/engine.md).
   */
  public static final Set<String> MESSAGE_FIELDS =
      Set.of(
          "from",
          "sender",
          "reply-to",
          "to",
          "cc",
          "bcc",
          "date",
          "subject",
          "message-id",
          "in-reply-to",
          "references",
          "comments",
          "keywords",
          "mime-version",
          "content-type",
          "content-transfer-encoding");

  private final byte[] raw;
  private final boolean complete;
  private List<Field> fields;

  private HeaderBlock(byte[] raw, boolean complete) {
    this.raw = raw;
    this.complete = complete;
  }

  /** A block of these bytes (copied), with or without the empty line that ends it. */
  public static HeaderBlock of(byte[] raw, boolean complete) {
    return new HeaderBlock(raw.clone(), complete);
  }

  /**
   * Wraps bytes the caller will not change again; package use only, to save a copy. The engine's
   * blocks, one per message, have their fields parsed here: every message's are read (the
   * fingerprint, the dedup key, the labels), and parsed at this one place the branch that parses in
   * {@link #fields()} stays cold, so the JIT does not compile the parser into each of its readers
   * (it did, 40-50 KB of machine code each, a second of C2 time for a 10,000-message fetch).
   */
  static HeaderBlock wrap(byte[] raw, boolean complete) {
    HeaderBlock h = new HeaderBlock(raw, complete);
    h.fields = Collections.unmodifiableList(parse(raw));
    return h;
  }

  /** A message without headers. */
  public static HeaderBlock empty() {
    return EMPTY;
  }

  /** Whether the whole header section was read (it ended with an empty line within the cap). */
  public boolean complete() {
    return complete;
  }

  /** All fields in order. */
  public List<Field> fields() {
    List<Field> f = fields;
    if (f == null) {
      f = fields = Collections.unmodifiableList(parse(raw));
    }
    return f;
  }

  /** The values of every field named {@code name} (any case), in order. */
  public List<String> values(String name) {
    List<String> out = new ArrayList<>(1);
    for (Field field : fields()) {
      if (field.name().equalsIgnoreCase(name)) {
        out.add(field.value());
      }
    }
    return out;
  }

  /** The value of the first field named {@code name} (any case). */
  public Optional<String> first(String name) {
    for (Field field : fields()) {
      if (field.name().equalsIgnoreCase(name)) {
        return Optional.of(field.value());
      }
    }
    return Optional.empty();
  }

  /**
   * Whether any field is one of the {@link #MESSAGE_FIELDS} a message's author writes. A digest of
   * a message without any says nothing about who wrote it: {@code fetch-dedup}'s digest policy
   * never takes such a message for a duplicate.
   */
  public boolean hasMessageFields() {
    for (Field field : fields()) {
      if (MESSAGE_FIELDS.contains(field.name().toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  /** How many raw bytes the block holds. */
  public int size() {
    return raw.length;
  }

  /**
   * The fields of a header section. A field's name and value are cut out of the decoded text by
   * their bounds, a value copied again only where a continuation line folds it: every message's
   * header section is parsed, most of them before the JIT has compiled this (a first fetch parses
   * 10,000), so it makes one string per name and value rather than four.
   */
  private static List<Field> parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    int n = text.length();
    List<Field> out = new ArrayList<>();
    String name = null;
    int valueFrom = 0; // the value's first line: text[valueFrom, valueTo)
    int valueTo = 0;
    StringBuilder folded = null; // the value, once a continuation line joined it
    // The first ':' at or after pos (n: none), found once for all the lines up to it: searched
    // afresh per line, a section of lines without one would be read to its end for each.
    int colonAhead = -1;
    int pos = 0;
    while (pos < n) {
      int nl = text.indexOf('\n', pos);
      int end = nl < 0 ? n : nl;
      int next = nl < 0 ? n : nl + 1;
      if (end > pos && text.charAt(end - 1) == '\r') {
        end--;
      }
      if (end == pos) {
        break; // the empty line ends the header section
      }
      char c = text.charAt(pos);
      if ((c == ' ' || c == '\t') && name != null) {
        // a folded continuation: unfolding removes only the line break
        if (folded == null) {
          folded = new StringBuilder(end - valueFrom).append(text, valueFrom, valueTo);
        }
        folded.append(text, pos, end);
        pos = next;
        continue;
      }
      if (name != null) {
        out.add(new Field(name, value(text, valueFrom, valueTo, folded)));
      }
      folded = null;
      if (colonAhead < pos) {
        colonAhead = text.indexOf(':', pos);
        colonAhead = colonAhead < 0 ? n : colonAhead;
      }
      int colon = colonAhead;
      if (colon <= pos || colon >= end) {
        name = null; // not a field (a stray line): skipped, as mail readers do
      } else {
        name = stripped(text, pos, colon);
        valueFrom = colon + 1;
        valueTo = end;
      }
      pos = next;
    }
    if (name != null) {
      out.add(new Field(name, value(text, valueFrom, valueTo, folded)));
    }
    return out;
  }

  private static String value(String text, int from, int to, StringBuilder folded) {
    return folded != null ? folded.toString().strip() : stripped(text, from, to);
  }

  /**
   * {@code text.substring(from, to).strip()} in one copy. Char by char is code point by code point
   * here: no supplementary character is white space, and a lone surrogate is not.
   */
  private static String stripped(String text, int from, int to) {
    while (from < to && Character.isWhitespace(text.charAt(from))) {
      from++;
    }
    while (to > from && Character.isWhitespace(text.charAt(to - 1))) {
      to--;
    }
    return text.substring(from, to);
  }

  @Override
  public String toString() {
    return "HeaderBlock[" + raw.length + " bytes" + (complete ? "" : ", incomplete") + "]";
  }

  /**
   * Where the empty line that ends a header section ends in {@code b[0, len)}, scanning from {@code
   * from} (0, or where the last call said to resume): the index after it, or, if it is not there
   * yet, {@code -(resume + 1)}, where {@code resume} is the position to scan from once more bytes
   * came (the LF that may begin the empty line). CRLF and bare LF line ends alike.
   */
  static int sectionEnd(byte[] b, int len, int from) {
    int i = from;
    if (i == 0 && len > 0) {
      if (b[0] == '\n') {
        return 1;
      }
      if (b[0] == '\r') {
        if (len < 2) {
          return -1;
        }
        if (b[1] == '\n') {
          return 2;
        }
      }
    }
    for (; i < len; i++) {
      if (b[i] != '\n') {
        continue;
      }
      if (i + 1 >= len) {
        break;
      }
      if (b[i + 1] == '\n') {
        return i + 2;
      }
      if (b[i + 1] == '\r') {
        if (i + 2 >= len) {
          break;
        }
        if (b[i + 2] == '\n') {
          return i + 3;
        }
      }
    }
    return -(i + 1);
  }
}
