package dev.mailfetch.imap.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a folder's name says: the name decoded from the wire, and, where the server marks no folder
 * with a special use (RFC 6154), which use its usual name stands for. The names are those the big
 * providers and servers create (docs/imap.md "Folders and labels" says where each comes from),
 * matched without regard to case, after a leading {@code INBOX} level (Courier's and Cyrus's
 * namespace) or {@code [Gmail]}/{@code [Google Mail]} level.
 */
public final class FolderNames {
  private FolderNames() {}

  /** The special uses the source cares about (RFC 6154 §2, and {@code \Important} RFC 8457). */
  public enum Use {
    TRASH("\\Trash"),
    SENT("\\Sent"),
    DRAFTS("\\Drafts"),
    JUNK("\\Junk"),
    ALL("\\All");

    final String attribute;

    Use(String attribute) {
      this.attribute = attribute;
    }

    /** The use an attribute of LIST names, if one of these. */
    static Optional<Use> ofAttribute(String attribute) {
      for (Use u : values()) {
        if (u.attribute.equalsIgnoreCase(attribute)) {
          return Optional.of(u);
        }
      }
      return Optional.empty();
    }
  }

  /** Usual names, lower case, by the use they stand for where the server marks none. */
  private static final Map<String, Use> KNOWN =
      Map.ofEntries(
          // RFC 6154's examples and Dovecot's example config (conf.d/15-mailboxes.conf)
          Map.entry("trash", Use.TRASH),
          Map.entry("sent", Use.SENT),
          Map.entry("sent messages", Use.SENT), // also Apple Mail / iCloud
          Map.entry("drafts", Use.DRAFTS),
          Map.entry("junk", Use.JUNK),
          // Microsoft Exchange / Outlook / Microsoft 365
          Map.entry("deleted items", Use.TRASH),
          Map.entry("sent items", Use.SENT),
          Map.entry("junk e-mail", Use.JUNK),
          Map.entry("junk email", Use.JUNK),
          // Apple iCloud
          Map.entry("deleted messages", Use.TRASH),
          // Gmail's English names, under [Gmail] (or [Google Mail] in the UK and Germany)
          Map.entry("spam", Use.JUNK),
          Map.entry("bin", Use.TRASH),
          Map.entry("sent mail", Use.SENT),
          Map.entry("all mail", Use.ALL),
          // Yahoo and AOL
          Map.entry("bulk mail", Use.JUNK),
          Map.entry("bulk", Use.JUNK),
          Map.entry("draft", Use.DRAFTS),
          // what other clients create
          Map.entry("deleted", Use.TRASH),
          Map.entry("junk mail", Use.JUNK));

  private static final List<String> LEVELS_SKIPPED = List.of("inbox", "[gmail]", "[google mail]");

  /** The use {@code name}'s usual name stands for; {@link Use#ALL} only under {@code [Gmail]}. */
  static Optional<Use> byName(String name, String delimiter) {
    String n = name.toLowerCase(Locale.ROOT);
    boolean gmailLevel = false;
    if (delimiter != null && !delimiter.isEmpty()) {
      for (String level : LEVELS_SKIPPED) {
        if (n.startsWith(level + delimiter)) {
          gmailLevel = !level.equals("inbox");
          n = n.substring(level.length() + delimiter.length());
          break;
        }
      }
    }
    Use u = KNOWN.get(n);
    if (u == Use.ALL && !gmailLevel) {
      return Optional.empty();
    }
    return Optional.ofNullable(u);
  }

  /**
   * {@code wire}, a mailbox name as the server sent it (a token of {@link ImapTokens}: a string
   * already decoded as UTF-8, an atom one char per byte), decoded: with {@code utf8} (UTF8=ACCEPT
   * enabled) as UTF-8, else as modified UTF-7. What does not decode is kept as sent.
   */
  static String decode(String wire, boolean utf8) {
    boolean ascii = true;
    for (int i = 0; i < wire.length(); i++) {
      char c = wire.charAt(i);
      if (c > 0xff) {
        return wire; // decoded already (a quoted string or literal)
      }
      ascii &= c < 0x80;
    }
    if (!ascii) {
      return strictUtf8(wire).orElse(wire);
    }
    if (utf8) {
      return wire;
    }
    try {
      return ModifiedUtf7.decode(wire);
    } catch (IllegalArgumentException e) {
      return wire; // a server that sends names as they are: shown as sent
    }
  }

  private static Optional<String> strictUtf8(String oneCharPerByte) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(oneCharPerByte.getBytes(StandardCharsets.ISO_8859_1)))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
