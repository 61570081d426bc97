package dev.mailfetch.testkit.imap;

import dev.mailfetch.testkit.imap.ImapCommandReader.Kind;
import dev.mailfetch.testkit.imap.ImapCommandReader.Token;
import java.io.IOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * APPEND (RFC 9051 §6.3.12) and MULTIAPPEND (RFC 3502): one or more messages, each with optional
 * flags and date-time, stored together or not at all; {@code [TRYCREATE]} for a folder that does
 * not exist, {@code [APPENDUID]} where UIDPLUS (RFC 4315) is offered, {@code [OVERQUOTA]} (RFC
 * 9208) when a fault says the quota is used up.
 */
final class ImapAppend {
  /** RFC 9051's date-time: {@code "05-Dec-2026 14:03:07 +0100"} (day with or without a space). */
  static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("d-MMM-yyyy HH:mm:ss Z", Locale.ROOT);

  private final ImapSettings s;
  private final ImapAccount account;
  private final ImapOutput out;
  private final ImapFaultPlayer faults;
  private final ImapSelected selected;

  ImapAppend(
      ImapSettings s,
      ImapAccount account,
      ImapOutput out,
      ImapFaultPlayer faults,
      ImapSelected selected) {
    this.s = s;
    this.account = account;
    this.out = out;
    this.faults = faults;
    this.selected = selected;
  }

  void run(String tag, List<Token> a) throws IOException {
    if (a.size() < 2 || a.get(0).kind() == Kind.OPEN || a.get(0).kind() == Kind.CLOSE) {
      out.line(tag + " BAD APPEND needs a folder and a message");
      return;
    }
    String folderName = a.get(0).text();
    List<ImapAccount.Draft> drafts = new ArrayList<>();
    int i = 1;
    while (i < a.size()) {
      List<String> flags = new ArrayList<>();
      if (a.get(i).kind() == Kind.OPEN) {
        i++;
        while (i < a.size() && a.get(i).kind() == Kind.ATOM) {
          flags.add(a.get(i++).text());
        }
        if (i >= a.size() || a.get(i).kind() != Kind.CLOSE) {
          out.line(tag + " BAD Unterminated flag list");
          return;
        }
        i++;
      }
      Instant date = null;
      if (i < a.size() && a.get(i).kind() == Kind.STRING) {
        try {
          date = ZonedDateTime.parse(a.get(i).text().strip(), DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
          out.line(tag + " BAD Invalid date-time: " + a.get(i).text());
          return;
        }
        i++;
      }
      if (i >= a.size() || a.get(i).kind() != Kind.LITERAL) {
        out.line(tag + " BAD APPEND needs a message literal");
        return;
      }
      drafts.add(
          new ImapAccount.Draft(a.get(i++).bytes(), flags, date != null ? date : s.clock.get()));
    }
    if (drafts.size() > 1 && !s.offers("MULTIAPPEND")) {
      out.line(tag + " BAD MULTIAPPEND not offered");
      return;
    }
    ImapAccount.Folder folder = account.folder(folderName);
    if (folder == null || !folder.selectable) {
      out.line(tag + " NO [TRYCREATE] Mailbox doesn't exist: " + folderName);
      return;
    }
    if (faults.overQuota(drafts.size())) {
      out.line(tag + " NO [OVERQUOTA] Quota exceeded (mailbox for user is full)");
      return;
    }
    List<Long> uids = account.store(folder.name, drafts);
    faults.stored(drafts.size());
    faults.afterStoredBeforeOk();
    if (selected != null) {
      selected.noop();
    }
    String code =
        s.offers("UIDPLUS") ? "[APPENDUID " + folder.uidValidity + " " + set(uids) + "] " : "";
    out.line(tag + " OK " + code + "APPEND completed");
    faults.afterOk();
  }

  /** A UID set: {@code 7}, or {@code 7:9} for consecutive UIDs, else a comma list. */
  static String set(List<Long> uids) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < uids.size()) {
      int j = i;
      while (j + 1 < uids.size() && uids.get(j + 1) == uids.get(j) + 1) {
        j++;
      }
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(uids.get(i));
      if (j > i) {
        sb.append(':').append(uids.get(j));
      }
      i = j + 1;
    }
    return sb.toString();
  }
}
