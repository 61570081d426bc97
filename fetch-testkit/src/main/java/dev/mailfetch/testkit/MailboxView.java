package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q25_UIDL_DUPLICATES;
import static dev.mailfetch.testkit.Quirk.Q26_UIDL_UNSTABLE;
import static dev.mailfetch.testkit.Quirk.Q27_UIDL_BLANK;
import static dev.mailfetch.testkit.Quirk.Q27_UIDL_LONG;
import static dev.mailfetch.testkit.Quirk.Q27_UIDL_MULTIPLE_SPACES;
import static dev.mailfetch.testkit.Quirk.Q27_UIDL_ODD_BYTES;
import static dev.mailfetch.testkit.Quirk.Q27_UIDL_PLUS_OK_PREFIX;
import static dev.mailfetch.testkit.Quirk.Q27_UIDL_SPACE_INSIDE;
import static dev.mailfetch.testkit.Quirk.Q29_NUMBERING_BEYOND_STAT;
import static dev.mailfetch.testkit.Quirk.Q29_NUMBERING_GAPS;
import static dev.mailfetch.testkit.Quirk.Q29_NUMBERING_SHUFFLED;
import static dev.mailfetch.testkit.Quirk.Q29_NUMBERING_ZERO_BASED;
import static dev.mailfetch.testkit.Quirk.Q30_DELE_NOT_HONOURED;
import static dev.mailfetch.testkit.Quirk.Q31_AUTO_DELETE_ON_RETR;
import static dev.mailfetch.testkit.Quirk.Q31_RETR_MARKS_DELETED;
import static dev.mailfetch.testkit.Quirk.Q32_LIST_SIZE_COMPRESSED;
import static dev.mailfetch.testkit.Quirk.Q32_LIST_SIZE_LF_COUNT;
import static dev.mailfetch.testkit.Quirk.Q32_LIST_SIZE_ROUNDED;
import static dev.mailfetch.testkit.Quirk.Q45_GMAIL_POP_VIEW;
import static dev.mailfetch.testkit.Quirk.Q46_LIST_UIDL_RACE;
import static dev.mailfetch.testkit.Quirk.Q47_HUGE_MAILBOX;
import static dev.mailfetch.testkit.Quirk.Q48_XUIDL_DERIVED;
import static dev.mailfetch.testkit.Quirk.Q51_UIDL_FROM_MESSAGE_NUMBER;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The maildrop as one session sees it (RFC 1939 §§ 5–6): the messages it holds from the login on
 * (or what Q45/Q47 make of them), which are marked deleted or were retrieved, and how the server
 * numbers them, names them and counts their sizes in its listings (Q24–Q29, Q32, Q46, Q48, Q51).
 * Indexes are 0-based positions in the snapshot; numbers are what the listings show.
 */
final class MailboxView {
  private static final int HUGE_MAILBOX = 250_000;
  private static final int GMAIL_VIEW = 250;

  private final Account account;
  private final Set<Quirk> quirks;
  private final int session;
  private final boolean zeroBased;
  private final boolean gaps;
  private List<FakeMailbox.Message> snapshot;
  private BitSet deleted;
  private final BitSet retrieved = new BitSet();
  private boolean uidlListed;

  /** The view of session {@code session} (Q26 names UIDs after it) on {@code account}'s mailbox. */
  MailboxView(Account account, Set<Quirk> quirks, int session) {
    this.account = account;
    this.quirks = quirks;
    this.session = session;
    this.zeroBased = quirks.contains(Q29_NUMBERING_ZERO_BASED);
    this.gaps = quirks.contains(Q29_NUMBERING_GAPS);
    this.snapshot = view(account, quirks);
    this.deleted = new BitSet(snapshot.size());
  }

  private boolean q(Quirk quirk) {
    return quirks.contains(quirk);
  }

  /** The messages a session sees: the mailbox, or what a quirk makes of it (Q45, Q47). */
  private static List<FakeMailbox.Message> view(Account a, Set<Quirk> quirks) {
    if (quirks.contains(Q47_HUGE_MAILBOX)) {
      return new AbstractList<>() {
        @Override
        public FakeMailbox.Message get(int i) {
          return new FakeMailbox.Message(
              String.format(Locale.ROOT, "huge-%07d", i + 1),
              ("Subject: message " + (i + 1) + "\r\n\r\nsmall\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public int size() {
          return HUGE_MAILBOX;
        }
      };
    }
    List<FakeMailbox.Message> all = a.mailbox.snapshot();
    if (!quirks.contains(Q45_GMAIL_POP_VIEW)) {
      return all;
    }
    List<FakeMailbox.Message> fresh = new ArrayList<>();
    for (FakeMailbox.Message m : all) {
      if (!a.popped.contains(m) && fresh.size() < GMAIL_VIEW) {
        fresh.add(m);
      }
    }
    return fresh;
  }

  /** How many messages the session sees, deleted ones included. */
  int size() {
    return snapshot.size();
  }

  FakeMailbox.Message message(int i) {
    return snapshot.get(i);
  }

  boolean isDeleted(int i) {
    return deleted.get(i);
  }

  /** DELE: marks message {@code i}; it leaves the mailbox at QUIT. */
  void delete(int i) {
    deleted.set(i);
  }

  /** Takes message {@code i} out of the mailbox now, as a server that ignores RFC 1939 §6 does. */
  void removeNow(int i) {
    account.mailbox.remove(List.of(snapshot.get(i)));
  }

  /** RSET: no message is marked deleted any more. */
  void undeleteAll() {
    deleted.clear();
  }

  /** RETR sent message {@code i} whole; a Q31 server marks it deleted for that. */
  void retrieved(int i) {
    retrieved.set(i);
    if (q(Q31_RETR_MARKS_DELETED)) {
      deleted.set(i);
    }
  }

  /** The messages not marked deleted. */
  int count() {
    int count = 0;
    for (int i = 0; i < snapshot.size(); i++) {
      if (!deleted.get(i)) {
        count++;
      }
    }
    return count;
  }

  /** The sizes, as listed, of the messages not marked deleted. */
  long octets() {
    long octets = 0;
    for (int i = 0; i < snapshot.size(); i++) {
      if (!deleted.get(i)) {
        octets += listedSize(i);
      }
    }
    return octets;
  }

  /** The number listing line {@code i} (0-based) shows for message {@code i} (Q29). */
  int listedNumber(int i) {
    if (zeroBased) {
      return i;
    }
    if (gaps && i >= 2) {
      return i + 3;
    }
    return i + 1;
  }

  /** The message a listed number names, or -1. */
  int indexOf(int n) {
    int i;
    if (zeroBased) {
      i = n;
    } else if (gaps) {
      i = n <= 2 ? n - 1 : n >= 5 ? n - 3 : -1;
    } else {
      i = n - 1;
    }
    return i >= 0 && i < snapshot.size() ? i : -1;
  }

  /** The unique id the server reports for message {@code i} (Q25, Q26, Q27, Q48, Q51). */
  String uidOf(int i) {
    String uid = q(Q51_UIDL_FROM_MESSAGE_NUMBER) ? Integer.toString(i + 1) : snapshot.get(i).uid();
    if (q(Q48_XUIDL_DERIVED)) {
      String x = MessageRewrites.header(snapshot.get(i).raw(), "X-UIDL");
      if (x != null) {
        uid = x;
      }
    }
    if (q(Q25_UIDL_DUPLICATES) && i % 2 == 1) {
      uid = uidOf(i - 1);
    }
    if (q(Q26_UIDL_UNSTABLE)) {
      uid = "s" + session + "-" + uid;
    }
    if (q(Q27_UIDL_BLANK) && i == 0) {
      return "";
    }
    if (q(Q27_UIDL_SPACE_INSIDE)) {
      uid = uid.substring(0, uid.length() / 2) + " " + uid.substring(uid.length() / 2);
    }
    if (q(Q27_UIDL_ODD_BYTES)) {
      uid = uid + "/x\u00e9";
    }
    if (q(Q27_UIDL_LONG)) {
      uid = (uid + "-").repeat(300 / (uid.length() + 1) + 1).substring(0, 300);
    }
    return uid;
  }

  /** The size the server reports for message {@code i} (Q32). */
  long listedSize(int i) {
    FakeMailbox.Message m = snapshot.get(i);
    long size = m.size();
    if (q(Q32_LIST_SIZE_LF_COUNT)) {
      byte[] c = m.raw();
      for (int p = 1; p < c.length; p++) {
        if (c[p] == '\n' && c[p - 1] == '\r') {
          size--;
        }
      }
    } else if (q(Q32_LIST_SIZE_ROUNDED)) {
      size = Math.max(1024, Math.round(size / 1024.0) * 1024);
    } else if (q(Q32_LIST_SIZE_COMPRESSED)) {
      size = size / 2;
    }
    return size;
  }

  /** The value a LIST or UIDL line shows for message {@code i}: its size or its unique id. */
  String listedValue(int i, boolean uidl) {
    return uidl ? uidOf(i) : Long.toString(listedSize(i));
  }

  /** Message {@code i}'s line in a LIST or UIDL listing. */
  String listingLine(int i, boolean uidl) {
    String sep = uidl && q(Q27_UIDL_MULTIPLE_SPACES) ? "   " : " ";
    String line = listedNumber(i) + sep + listedValue(i, uidl);
    return uidl && q(Q27_UIDL_PLUS_OK_PREFIX) ? "+OK " + line : line;
  }

  /**
   * The lines of a whole LIST or UIDL listing: one per message not marked deleted, in the order and
   * with the extra lines Q29 gives; a Q46 server lets a message arrive between UIDL and LIST.
   */
  List<String> listing(boolean uidl) {
    if (!uidl && uidlListed && q(Q46_LIST_UIDL_RACE) && snapshot.size() == account.mailbox.size()) {
      // A message arrives between UIDL and LIST; this server has no per-session snapshot.
      account.mailbox.add(
          ("Subject: arrived between UIDL and LIST\r\n\r\nlate\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      snapshot = account.mailbox.snapshot();
      BitSet grown = new BitSet(snapshot.size());
      grown.or(deleted);
      deleted = grown;
    }
    if (uidl) {
      uidlListed = true;
    }
    List<String> lines = new ArrayList<>();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < snapshot.size(); i++) {
      order.add(i);
    }
    if (q(Q29_NUMBERING_SHUFFLED)) {
      Collections.reverse(order);
    }
    for (int i : order) {
      if (!deleted.get(i)) {
        lines.add(listingLine(i, uidl));
      }
    }
    if (q(Q29_NUMBERING_BEYOND_STAT)) {
      lines.add((snapshot.size() + 2) + " " + (uidl ? "phantom-uid" : "1234"));
    }
    return lines;
  }

  /**
   * UPDATE (RFC 1939 §6): the messages marked deleted leave the mailbox (unless Q30 or Q47), with
   * those retrieved where Q31 says so; a Q45 view stops listing what was retrieved.
   *
   * @return how many messages were deleted
   */
  int update() {
    return update(new RecordedSession(0));
  }

  /** As {@link #update()}, noting in {@code rec} the unique ids it removed. */
  int update(RecordedSession rec) {
    List<FakeMailbox.Message> gone = new ArrayList<>();
    List<FakeMailbox.Message> popped = new ArrayList<>();
    for (int i = 0; i < snapshot.size(); i++) {
      if (deleted.get(i) || (q(Q31_AUTO_DELETE_ON_RETR) && retrieved.get(i))) {
        gone.add(snapshot.get(i));
      } else if (retrieved.get(i)) {
        popped.add(snapshot.get(i));
      }
    }
    if (q(Q45_GMAIL_POP_VIEW)) {
      account.popped.addAll(popped);
      account.popped.addAll(gone);
    }
    if (!q(Q30_DELE_NOT_HONOURED) && !q(Q47_HUGE_MAILBOX)) {
      rec.removed(account.mailbox.removeReturningUids(gone));
    }
    return gone.size();
  }
}
