package dev.mailfetch.testkit.imap;

import dev.mailfetch.testkit.imap.ImapCommandReader.Kind;
import dev.mailfetch.testkit.imap.ImapCommandReader.Token;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The commands on a selected folder (RFC 9051 §6.4): SEARCH ({@link ImapSearch}), FETCH ({@link
 * ImapFetch}), STORE and UID STORE (FLAGS, and Gmail's X-GM-LABELS), EXPUNGE, UID EXPUNGE (RFC
 * 4315), MOVE and UID MOVE (RFC 6851), COPY and UID COPY, CHECK; what SELECT reports, and the
 * EXISTS and EXPUNGE a NOOP or IDLE reports.
 */
final class ImapSelected {
  final String folder;
  final boolean readOnly;
  private final ImapAccount account;
  private final ImapOutput out;
  private final ImapSettings settings;
  private final ImapQuirkPlay quirks;
  private final ImapFetch fetch;
  private int exists;

  ImapSelected(
      ImapAccount account,
      String folder,
      boolean readOnly,
      ImapOutput out,
      ImapSettings settings,
      ImapQuirkPlay quirks) {
    this.account = account;
    this.folder = folder;
    this.readOnly = readOnly;
    this.out = out;
    this.settings = settings;
    this.quirks = quirks;
    this.fetch = new ImapFetch(account, folder, readOnly, out, quirks);
  }

  /** What SELECT reports before its tagged OK (I05 and I18 leave some out). */
  void announce() throws IOException {
    ImapAccount.Folder f = account.folder(folder);
    long uidValidity;
    long uidNext;
    synchronized (account) {
      exists = account.in(folder).size();
      uidValidity = f.uidValidity;
      uidNext = f.uidNext;
    }
    boolean bare = quirks.has(ImapQuirk.I18_SELECT_WITHOUT_RECENT_AND_FLAGS);
    if (!bare) {
      out.line("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
    }
    out.line("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags");
    out.line("* " + exists + " EXISTS");
    if (!bare) {
      out.line("* 0 RECENT");
    }
    out.line("* OK [UIDVALIDITY " + uidValidity + "] UIDs valid");
    if (!quirks.has(ImapQuirk.I05_NO_UIDNEXT)) {
      out.line("* OK [UIDNEXT " + uidNext + "] Predicted next UID");
    }
  }

  /** Reports messages that arrived, as NOOP and IDLE do. */
  void noop() throws IOException {
    int now = account.in(folder).size();
    if (now != exists) {
      exists = now;
      out.line("* " + now + " EXISTS");
    }
  }

  boolean handles(String verb) {
    String base = verb.startsWith("UID ") ? verb.substring(4) : verb;
    return switch (base) {
      case "SEARCH", "STORE", "FETCH", "EXPUNGE", "MOVE", "COPY" -> true;
      default -> verb.equals("CHECK");
    };
  }

  void run(String tag, String verb, List<Token> a, boolean imap4rev2) throws IOException {
    boolean uid = verb.startsWith("UID ");
    String base = uid ? verb.substring(4) : verb;
    try {
      switch (base) {
        case "SEARCH" -> new ImapSearch(account, folder, out).run(tag, uid, a, imap4rev2);
        case "STORE" -> store(tag, uid, a);
        case "FETCH" -> exists -= fetch.run(tag, uid, a);
        case "EXPUNGE" -> expunge(tag, uid, a);
        case "MOVE", "COPY" -> transfer(tag, uid, base.equals("COPY"), a);
        default -> out.line(tag + " OK " + verb + " completed");
      }
    } catch (IllegalArgumentException bad) {
      out.line(tag + " BAD " + bad.getMessage());
    }
  }

  private void expunge(String tag, boolean uid, List<Token> a) throws IOException {
    if (uid && (!settings.offers("UIDPLUS") || a.size() != 1)) {
      throw new IllegalArgumentException(
          a.size() != 1 ? "UID EXPUNGE needs a set" : "UID EXPUNGE needs UIDPLUS, not offered");
    }
    if (readOnly) {
      out.line(tag + " NO [READ-ONLY] Folder is read-only");
      return;
    }
    Set<Long> only = uid ? uids(a.get(0).text()) : null;
    for (int seq : account.expunge(folder, only)) {
      out.line("* " + seq + " EXPUNGE");
      exists--;
    }
    out.line(tag + " OK EXPUNGE completed");
  }

  /** The UIDs of the folder in a UID set. */
  private Set<Long> uids(String set) {
    Set<Long> in = new HashSet<>();
    List<ImapAccount.Stored> shown = account.in(folder);
    long max = shown.isEmpty() ? 0 : shown.get(shown.size() - 1).uid;
    for (ImapAccount.Stored m : shown) {
      if (ImapSearch.inSet(set, m.uid, max)) {
        in.add(m.uid);
      }
    }
    return in;
  }

  private void transfer(String tag, boolean uid, boolean copy, List<Token> a) throws IOException {
    String verb = copy ? "COPY" : "MOVE";
    if (!copy && !settings.offers("MOVE")) {
      throw new IllegalArgumentException("MOVE not offered");
    }
    if (a.size() != 2) {
      throw new IllegalArgumentException(verb + " needs a set and a folder");
    }
    if (!copy && readOnly) {
      out.line(tag + " NO [READ-ONLY] Folder is read-only");
      return;
    }
    ImapAccount.Folder to = account.folder(a.get(1).text());
    if (to == null || !to.selectable) {
      out.line(tag + " NO [TRYCREATE] No such folder: " + a.get(1).text());
      return;
    }
    List<ImapAccount.Stored> shown = account.in(folder);
    long max = shown.isEmpty() ? 0 : uid ? shown.get(shown.size() - 1).uid : shown.size();
    List<ImapAccount.Stored> what = new ArrayList<>();
    List<Integer> seqs = new ArrayList<>();
    for (int i = 0; i < shown.size(); i++) {
      if (ImapSearch.inSet(a.get(0).text(), uid ? shown.get(i).uid : i + 1, max)) {
        what.add(shown.get(i));
        seqs.add(i + 1);
      }
    }
    List<ImapMove> done = account.transfer(folder, what, to.name, copy);
    String code = "";
    if (!done.isEmpty() && settings.offers("UIDPLUS")) {
      List<Long> from = new ArrayList<>();
      List<Long> into = new ArrayList<>();
      done.forEach(
          m -> {
            from.add(m.uid());
            into.add(m.newUid());
          });
      code =
          "[COPYUID "
              + account.folder(to.name).uidValidity
              + " "
              + ImapAppend.set(from)
              + " "
              + ImapAppend.set(into)
              + "] ";
    }
    if (copy) {
      out.line(tag + " OK " + code + "COPY completed");
      return;
    }
    if (!code.isEmpty()) {
      out.line("* OK " + code.strip());
    }
    for (int k = seqs.size() - 1; k >= 0; k--) {
      if (account.in(folder).size() < exists) {
        out.line("* " + seqs.get(k) + " EXPUNGE");
        exists--;
      }
    }
    out.line(tag + " OK MOVE completed");
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
        if (!ImapSearch.inSet(a.get(0).text(), uid ? m.uid : i + 1, max)) {
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
                + (labels ? "X-GM-LABELS " + fetch.labels(m) : "FLAGS " + fetch.flags(m))
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
}
