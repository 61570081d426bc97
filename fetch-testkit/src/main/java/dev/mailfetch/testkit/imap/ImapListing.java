package dev.mailfetch.testkit.imap;

import dev.mailfetch.testkit.imap.ImapCommandReader.Kind;
import dev.mailfetch.testkit.imap.ImapCommandReader.Token;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a client learns about folders without selecting one: LIST (RFC 9051 §6.3.9) with
 * LIST-EXTENDED selection {@code (SPECIAL-USE)} and {@code RETURN (…)} options (RFC 5258, RFC
 * 6154), STATUS (§6.3.11) and NAMESPACE (RFC 2342). I16 makes the delimiter NIL.
 */
final class ImapListing {
  private final ImapAccount account;
  private final ImapOutput out;
  private final ImapQuirkPlay quirks;

  ImapListing(ImapAccount account, ImapOutput out, ImapQuirkPlay quirks) {
    this.account = account;
    this.out = out;
    this.quirks = quirks;
  }

  void list(String tag, List<Token> a) throws IOException {
    List<Token> args = new ArrayList<>(a);
    boolean specialUseOnly = false;
    if (!args.isEmpty() && args.get(0).kind() == Kind.OPEN) {
      int close = closing(args, 0);
      for (Token t : args.subList(1, close)) {
        specialUseOnly |= t.isAtom("SPECIAL-USE");
      }
      args.subList(0, close + 1).clear();
    }
    int ret = -1;
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).isAtom("RETURN")) {
        ret = i;
      }
    }
    if (ret >= 0) {
      args.subList(ret, args.size()).clear();
    }
    if (args.size() != 2) {
      out.line(tag + " BAD LIST needs a reference and a pattern");
      return;
    }
    String reference = args.get(0).text();
    String pattern = args.get(1).text();
    String delimiter =
        quirks.has(ImapQuirk.I16_NIL_DELIMITER)
            ? "NIL"
            : ImapConversation.quoted(String.valueOf(account.delimiter));
    if (pattern.isEmpty()) {
      // RFC 9051 §6.3.9: the hierarchy delimiter and the root of the reference.
      out.line("* LIST (\\Noselect) " + delimiter + " \"\"");
      out.line(tag + " OK LIST completed");
      return;
    }
    String full = reference + pattern;
    for (ImapAccount.Folder f : account.folders()) {
      boolean inbox =
          f.name.equals("INBOX") && matches(full.toUpperCase(Locale.ROOT), "INBOX", '/');
      if (specialUseOnly && !isSpecialUse(f.attributes)) {
        continue;
      }
      if (inbox || matches(full, f.name, account.delimiter)) {
        out.line(
            "* LIST (" + f.attributes + ") " + delimiter + " " + ImapConversation.mailbox(f.name));
      }
    }
    out.line(tag + " OK LIST completed");
  }

  private static boolean isSpecialUse(String attributes) {
    for (String a : List.of("\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent")) {
      if (attributes.contains(a)) {
        return true;
      }
    }
    return attributes.contains("\\Trash");
  }

  private static int closing(List<Token> args, int open) {
    for (int i = open + 1; i < args.size(); i++) {
      if (args.get(i).kind() == Kind.CLOSE) {
        return i;
      }
    }
    throw new IllegalArgumentException("unbalanced parentheses");
  }

  /** STATUS: MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, RECENT, SIZE (RFC 8438). */
  void status(String tag, List<Token> a) throws IOException {
    if (a.size() < 3) {
      out.line(tag + " BAD STATUS needs a folder and items");
      return;
    }
    ImapAccount.Folder f = account.folder(a.get(0).text());
    if (f == null || !f.selectable) {
      out.line(tag + " NO [NONEXISTENT] Mailbox doesn't exist: " + a.get(0).text());
      return;
    }
    List<String> parts = new ArrayList<>();
    synchronized (account) {
      List<ImapAccount.Stored> in = account.in(f.name);
      for (Token t : a.subList(1, a.size())) {
        if (t.kind() != Kind.ATOM) {
          continue;
        }
        String item = t.text().toUpperCase(Locale.ROOT);
        long value =
            switch (item) {
              case "MESSAGES" -> in.size();
              case "UIDNEXT" -> f.uidNext;
              case "UIDVALIDITY" -> f.uidValidity;
              case "RECENT" -> 0;
              case "UNSEEN" ->
                  in.stream()
                      .filter(m -> m.flags.stream().noneMatch(x -> x.equalsIgnoreCase("\\Seen")))
                      .count();
              case "SIZE" -> in.stream().mapToLong(m -> m.content.length).sum();
              default -> -1;
            };
        if (value < 0) {
          out.line(tag + " BAD Unknown STATUS item " + t.text());
          return;
        }
        parts.add(item + " " + value);
      }
    }
    out.line("* STATUS " + ImapConversation.mailbox(f.name) + " (" + String.join(" ", parts) + ")");
    out.line(tag + " OK STATUS completed");
  }

  void namespace(String tag) throws IOException {
    String delimiter =
        quirks.has(ImapQuirk.I16_NIL_DELIMITER)
            ? "NIL"
            : ImapConversation.quoted(String.valueOf(account.delimiter));
    out.line("* NAMESPACE ((\"\" " + delimiter + ")) NIL NIL");
    out.line(tag + " OK NAMESPACE completed");
  }

  /**
   * RFC 9051 §6.3.9 wildcards: {@code *} matches anything, {@code %} anything but the delimiter.
   */
  static boolean matches(String pattern, String name, char delimiter) {
    return matches(pattern, 0, name, 0, delimiter);
  }

  private static boolean matches(String p, int i, String n, int j, char delimiter) {
    if (i == p.length()) {
      return j == n.length();
    }
    char c = p.charAt(i);
    if (c == '*' || c == '%') {
      for (int k = j; k <= n.length(); k++) {
        if (matches(p, i + 1, n, k, delimiter)) {
          return true;
        }
        if (k < n.length() && c == '%' && n.charAt(k) == delimiter) {
          return false;
        }
      }
      return false;
    }
    return j < n.length() && c == n.charAt(j) && matches(p, i + 1, n, j + 1, delimiter);
  }
}
