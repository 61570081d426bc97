package dev.mailfetch.testkit.imap;

import dev.mailfetch.testkit.imap.ImapCommandReader.Kind;
import dev.mailfetch.testkit.imap.ImapCommandReader.Token;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The commands on a selected folder (RFC 9051 §6.4): SEARCH and UID SEARCH (ALL, HEADER, UID,
 * SUBJECT, SEEN, DELETED, their UN- forms, NOT, OR, and Gmail's X-GM-LABELS), STORE and UID STORE
 * (FLAGS, and Gmail's X-GM-LABELS), FETCH and UID FETCH (UID, FLAGS, INTERNALDATE, RFC822.SIZE,
 * BODY[], BODY[HEADER], RFC822, X-GM-LABELS), EXPUNGE, CHECK; and the EXISTS a NOOP reports.
 */
final class ImapSelected {
  final String folder;
  final boolean readOnly;
  private final ImapAccount account;
  private final ImapOutput out;
  private int exists;

  ImapSelected(ImapAccount account, String folder, boolean readOnly, ImapOutput out) {
    this.account = account;
    this.folder = folder;
    this.readOnly = readOnly;
    this.out = out;
  }

  /** What SELECT reports before its tagged OK. */
  void announce() throws IOException {
    ImapAccount.Folder f = account.folder(folder);
    exists = account.in(folder).size();
    out.line("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
    out.line("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags");
    out.line("* " + exists + " EXISTS");
    out.line("* 0 RECENT");
    out.line("* OK [UIDVALIDITY " + f.uidValidity + "] UIDs valid");
    out.line("* OK [UIDNEXT " + f.uidNext + "] Predicted next UID");
  }

  /** Reports new messages (another session's, or an APPEND to this folder). */
  void noop() throws IOException {
    int now = account.in(folder).size();
    if (now != exists) {
      exists = now;
      out.line("* " + now + " EXISTS");
    }
  }

  boolean handles(String verb) {
    switch (verb) {
      case "SEARCH":
      case "UID SEARCH":
      case "STORE":
      case "UID STORE":
      case "FETCH":
      case "UID FETCH":
      case "EXPUNGE":
      case "CHECK":
        return true;
      default:
        return false;
    }
  }

  void run(String tag, String verb, List<Token> a, boolean imap4rev2) throws IOException {
    boolean uid = verb.startsWith("UID ");
    String base = uid ? verb.substring(4) : verb;
    try {
      switch (base) {
        case "SEARCH":
          search(tag, uid, a, imap4rev2);
          break;
        case "STORE":
          store(tag, uid, a);
          break;
        case "FETCH":
          fetch(tag, uid, a);
          break;
        case "EXPUNGE":
          if (readOnly) {
            out.line(tag + " NO [READ-ONLY] Folder is read-only");
            return;
          }
          for (int seq : account.expunge(folder)) {
            out.line("* " + seq + " EXPUNGE");
            exists--;
          }
          out.line(tag + " OK EXPUNGE completed");
          break;
        default:
          out.line(tag + " OK " + verb + " completed");
      }
    } catch (IllegalArgumentException bad) {
      out.line(tag + " BAD " + bad.getMessage());
    }
  }

  // ------------------------------------------------------------------ SEARCH

  private void search(String tag, boolean uid, List<Token> a, boolean rev2) throws IOException {
    List<ImapAccount.Stored> shown = account.in(folder);
    int[] at = {0};
    if (!a.isEmpty() && a.get(0).isAtom("CHARSET")) {
      at[0] = 2;
    }
    Predicate<Integer> all = seq -> true;
    while (at[0] < a.size()) {
      all = all.and(key(a, at, shown));
    }
    List<Long> hits = new ArrayList<>();
    for (int i = 0; i < shown.size(); i++) {
      if (all.test(i)) {
        hits.add(uid ? shown.get(i).uid : i + 1);
      }
    }
    if (rev2) {
      String found = hits.isEmpty() ? "" : " ALL " + ImapAppend.set(hits);
      out.line("* ESEARCH (TAG \"" + tag + "\")" + (uid ? " UID" : "") + found);
    } else {
      StringBuilder sb = new StringBuilder("* SEARCH");
      hits.forEach(h -> sb.append(' ').append(h));
      out.line(sb.toString());
    }
    out.line(tag + " OK SEARCH completed");
  }

  /** One search key at {@code at[0]}, as a test on a message's index in {@code shown}. */
  private Predicate<Integer> key(List<Token> a, int[] at, List<ImapAccount.Stored> shown) {
    Token t = a.get(at[0]++);
    if (t.kind() == Kind.OPEN) {
      Predicate<Integer> group = seq -> true;
      while (at[0] < a.size() && a.get(at[0]).kind() != Kind.CLOSE) {
        group = group.and(key(a, at, shown));
      }
      at[0]++;
      return group;
    }
    String k = t.text().toUpperCase(Locale.ROOT);
    switch (k) {
      case "ALL":
        return i -> true;
      case "NOT":
        return key(a, at, shown).negate();
      case "OR":
        return key(a, at, shown).or(key(a, at, shown));
      case "SEEN":
      case "UNSEEN":
      case "DELETED":
      case "UNDELETED":
      case "FLAGGED":
      case "UNFLAGGED":
        {
          boolean un = k.startsWith("UN");
          String flag = "\\" + (un ? k.substring(2) : k);
          return i -> hasFlag(shown.get(i), flag) != un;
        }
      case "HEADER":
        {
          String field = arg(a, at, k);
          String value = arg(a, at, k).toLowerCase(Locale.ROOT);
          return i -> headerContains(shown.get(i).content, field, value);
        }
      case "SUBJECT":
        {
          String value = arg(a, at, k).toLowerCase(Locale.ROOT);
          return i -> headerContains(shown.get(i).content, "Subject", value);
        }
      case "UID":
        {
          String set = arg(a, at, k);
          long max = shown.isEmpty() ? 0 : shown.get(shown.size() - 1).uid;
          return i -> inSet(set, shown.get(i).uid, max);
        }
      case "X-GM-LABELS":
        {
          requireGmail(k);
          String label = account.label(arg(a, at, k), false);
          return i -> shown.get(i).labels.contains(label);
        }
      default:
        if (!k.isEmpty() && (Character.isDigit(k.charAt(0)) || k.charAt(0) == '*')) {
          return i -> inSet(k, i + 1, shown.size());
        }
        throw new IllegalArgumentException("Unknown search key " + t.text());
    }
  }

  private static String arg(List<Token> a, int[] at, String key) {
    if (at[0] >= a.size()
        || a.get(at[0]).kind() == Kind.OPEN
        || a.get(at[0]).kind() == Kind.CLOSE) {
      throw new IllegalArgumentException(key + " needs an argument");
    }
    return a.get(at[0]++).text();
  }

  private static boolean hasFlag(ImapAccount.Stored m, String flag) {
    return m.flags.stream().anyMatch(f -> f.equalsIgnoreCase(flag));
  }

  /**
   * RFC 9051 §6.4.4 HEADER: a header field {@code field} whose text (after the colon, unfolded)
   * contains {@code value}, ignoring case; an empty value matches any such field.
   */
  static boolean headerContains(byte[] message, String field, String valueLowerCase) {
    String head = new String(message, StandardCharsets.UTF_8);
    int end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      end = head.indexOf("\n\n");
    }
    head = (end < 0 ? head : head.substring(0, end)).replaceAll("\r?\n[ \t]", " ");
    for (String line : head.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0
          && line.substring(0, colon).strip().equalsIgnoreCase(field)
          && line.substring(colon + 1).toLowerCase(Locale.ROOT).contains(valueLowerCase)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code n} is in the sequence set {@code set} ({@code 1:3,7,9:*}). */
  static boolean inSet(String set, long n, long max) {
    for (String part : set.split(",", -1)) {
      String[] ends = part.split(":", -1);
      if (ends.length > 2) {
        throw new IllegalArgumentException("Invalid set " + set);
      }
      long lo = number(ends[0], max, set);
      long hi = ends.length == 2 ? number(ends[1], max, set) : lo;
      if (n >= Math.min(lo, hi) && n <= Math.max(lo, hi)) {
        return true;
      }
    }
    return false;
  }

  private static long number(String s, long max, String set) {
    if (s.equals("*")) {
      return max;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid set " + set);
    }
  }

  // ------------------------------------------------------------------ STORE

  private void store(String tag, boolean uid, List<Token> a) throws IOException {
    if (a.size() < 3) {
      throw new IllegalArgumentException("STORE needs a set, an item and values");
    }
    if (readOnly) {
      out.line(tag + " NO [READ-ONLY] Folder is read-only");
      return;
    }
    String item = a.get(1).text().toUpperCase(Locale.ROOT);
    boolean silent = item.endsWith(".SILENT");
    String what = silent ? item.substring(0, item.length() - 7) : item;
    char mode = what.charAt(0) == '+' || what.charAt(0) == '-' ? what.charAt(0) : '=';
    String name = mode == '=' ? what : what.substring(1);
    boolean labels = name.equals("X-GM-LABELS");
    if (!labels && !name.equals("FLAGS")) {
      throw new IllegalArgumentException("Unknown STORE item " + a.get(1).text());
    }
    if (labels) {
      requireGmail(name);
    }
    List<String> values = new ArrayList<>();
    for (Token t : a.subList(2, a.size())) {
      if (t.kind() != Kind.OPEN && t.kind() != Kind.CLOSE) {
        values.add(labels ? account.label(t.text(), mode != '-') : t.text());
      }
    }
    List<ImapAccount.Stored> shown = account.in(folder);
    long max = shown.isEmpty() ? 0 : uid ? shown.get(shown.size() - 1).uid : shown.size();
    List<String> fetched = new ArrayList<>();
    synchronized (account) {
      for (int i = 0; i < shown.size(); i++) {
        ImapAccount.Stored m = shown.get(i);
        if (!inSet(a.get(0).text(), uid ? m.uid : i + 1, max)) {
          continue;
        }
        Set<String> target = labels ? m.labels : m.flags;
        if (mode == '=') {
          target.clear();
        }
        if (mode == '-') {
          target.removeIf(x -> values.stream().anyMatch(x::equalsIgnoreCase));
        } else {
          target.addAll(values);
        }
        fetched.add(
            "* "
                + (i + 1)
                + " FETCH ("
                + (labels ? "X-GM-LABELS " + labels(m) : "FLAGS " + flags(m))
                + (uid ? " UID " + m.uid : "")
                + ")");
      }
    }
    if (!silent) {
      for (String line : fetched) {
        out.line(line);
      }
    }
    out.line(tag + " OK STORE completed");
  }

  private void requireGmail(String what) {
    if (!account.gmail) {
      throw new IllegalArgumentException(what + " is Gmail's (X-GM-EXT-1), not offered here");
    }
  }

  // ------------------------------------------------------------------ FETCH

  private void fetch(String tag, boolean uid, List<Token> a) throws IOException {
    if (a.size() < 2) {
      throw new IllegalArgumentException("FETCH needs a set and items");
    }
    List<String> items = new ArrayList<>();
    for (Token t : a.subList(1, a.size())) {
      if (t.kind() == Kind.ATOM) {
        items.add(t.text().toUpperCase(Locale.ROOT));
      }
    }
    if (items.contains("FAST")) {
      items.addAll(List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE"));
    }
    if (uid && !items.contains("UID")) {
      items.add(0, "UID");
    }
    List<ImapAccount.Stored> shown = account.in(folder);
    long max = shown.isEmpty() ? 0 : uid ? shown.get(shown.size() - 1).uid : shown.size();
    for (int i = 0; i < shown.size(); i++) {
      ImapAccount.Stored m = shown.get(i);
      if (inSet(a.get(0).text(), uid ? m.uid : i + 1, max)) {
        out.raw(fetchResponse(i + 1, m, items));
      }
    }
    out.line(tag + " OK FETCH completed");
  }

  private byte[] fetchResponse(int seq, ImapAccount.Stored m, List<String> items) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    StringBuilder sb = new StringBuilder("* " + seq + " FETCH (");
    List<String> parts = new ArrayList<>();
    byte[] literal = null;
    String literalName = null;
    for (String item : items) {
      switch (item) {
        case "UID":
          parts.add("UID " + m.uid);
          break;
        case "FLAGS":
          parts.add("FLAGS " + flags(m));
          break;
        case "INTERNALDATE":
          parts.add(
              "INTERNALDATE \""
                  + ImapAppend.DATE_TIME.format(m.internalDate.atZone(ZoneOffset.UTC))
                  + "\"");
          break;
        case "RFC822.SIZE":
          parts.add("RFC822.SIZE " + m.content.length);
          break;
        case "X-GM-LABELS":
          requireGmail(item);
          parts.add("X-GM-LABELS " + labels(m));
          break;
        case "X-GM-MSGID":
          requireGmail(item);
          parts.add("X-GM-MSGID " + (1_500_000_000_000_000_000L + m.uid));
          break;
        case "BODY[]":
        case "BODY.PEEK[]":
        case "RFC822":
          literalName = item.equals("RFC822") ? "RFC822" : "BODY[]";
          literal = m.content;
          break;
        case "BODY[HEADER]":
        case "BODY.PEEK[HEADER]":
          literalName = "BODY[HEADER]";
          literal = header(m.content);
          break;
        case "FAST":
          break;
        default:
          throw new IllegalArgumentException("Unknown FETCH item " + item);
      }
    }
    sb.append(String.join(" ", parts));
    if (literal != null) {
      sb.append(parts.isEmpty() ? "" : " ").append(literalName).append(" {").append(literal.length);
      sb.append("}\r\n");
    }
    b.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
    if (literal != null) {
      b.writeBytes(literal);
    }
    b.writeBytes(")\r\n".getBytes(StandardCharsets.US_ASCII));
    return b.toByteArray();
  }

  private static byte[] header(byte[] content) {
    for (int i = 0; i + 3 < content.length; i++) {
      if (content[i] == '\r'
          && content[i + 1] == '\n'
          && content[i + 2] == '\r'
          && content[i + 3] == '\n') {
        return Arrays.copyOf(content, i + 4);
      }
    }
    return content;
  }

  private String flags(ImapAccount.Stored m) {
    synchronized (account) {
      return "(" + String.join(" ", m.flags) + ")";
    }
  }

  /** Labels as Gmail sends them: system labels as atoms ({@code \Inbox}), the others quoted. */
  private String labels(ImapAccount.Stored m) {
    Set<String> copy;
    synchronized (account) {
      copy = new LinkedHashSet<>(m.labels);
    }
    List<String> out = new ArrayList<>();
    for (String l : copy) {
      out.add(l.startsWith("\\") ? l : ImapConversation.quoted(l));
    }
    return "(" + String.join(" ", out) + ")";
  }
}
