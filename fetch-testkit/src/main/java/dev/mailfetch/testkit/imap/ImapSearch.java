package dev.mailfetch.testkit.imap;

import dev.mailfetch.testkit.imap.ImapCommandReader.Kind;
import dev.mailfetch.testkit.imap.ImapCommandReader.Token;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * SEARCH and UID SEARCH on a selected folder (RFC 9051 §6.4.4): ALL, HEADER, UID, SUBJECT, SEEN,
 * DELETED, FLAGGED, their UN- forms, NOT, OR, sequence sets, and Gmail's X-GM-LABELS; ESEARCH
 * answers once IMAP4rev2 is enabled. Also the sequence sets every command reads.
 */
final class ImapSearch {
  private final ImapAccount account;
  private final String folder;
  private final ImapOutput out;

  ImapSearch(ImapAccount account, String folder, ImapOutput out) {
    this.account = account;
    this.folder = folder;
    this.out = out;
  }

  void run(String tag, boolean uid, List<Token> a, boolean rev2) throws IOException {
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
          return i -> ImapHeaders.contains(shown.get(i).content, field, value);
        }
      case "SUBJECT":
        {
          String value = arg(a, at, k).toLowerCase(Locale.ROOT);
          return i -> ImapHeaders.contains(shown.get(i).content, "Subject", value);
        }
      case "UID":
        {
          String set = arg(a, at, k);
          long max = shown.isEmpty() ? 0 : shown.get(shown.size() - 1).uid;
          return i -> inSet(set, shown.get(i).uid, max);
        }
      case "X-GM-LABELS":
        {
          if (!account.gmail) {
            throw new IllegalArgumentException(k + " is Gmail's (X-GM-EXT-1), not offered here");
          }
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
}
