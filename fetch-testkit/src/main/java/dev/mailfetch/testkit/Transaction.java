package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q24_NO_UIDL;
import static dev.mailfetch.testkit.Quirk.Q28_SINGLE_FORM_MULTILINE;
import static dev.mailfetch.testkit.Quirk.Q28_SINGLE_FORM_NO_NUMBER;
import static dev.mailfetch.testkit.Quirk.Q28_SINGLE_FORM_WRONG_NUMBER;
import static dev.mailfetch.testkit.Quirk.Q33_TOP_DOUBLE_OK;
import static dev.mailfetch.testkit.Quirk.Q33_TOP_ERR;
import static dev.mailfetch.testkit.Quirk.Q33_TOP_IGNORES_N;
import static dev.mailfetch.testkit.Quirk.Q33_TOP_TRUNCATES;
import static dev.mailfetch.testkit.Quirk.Q34_RETR_ERR_LISTED;
import static dev.mailfetch.testkit.Quirk.Q35_QUIT_ERR;
import static dev.mailfetch.testkit.Quirk.Q35_QUIT_NO_REPLY;
import static dev.mailfetch.testkit.Quirk.Q36_DROP_MID_RETR;
import static dev.mailfetch.testkit.Quirk.Q38_LOGIN_DELAY_ON_STAT;
import static dev.mailfetch.testkit.Quirk.Q47_STAT_ERR;
import static dev.mailfetch.testkit.Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8;
import static dev.mailfetch.testkit.Quirk.Q53_SERVED_EMPTY;
import static dev.mailfetch.testkit.Quirk.Q55_TOP_ADDS_EMPTY_LINE;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The TRANSACTION state (RFC 1939 §5) of one session: STAT, LIST, UIDL, RETR, TOP, DELE, RSET, and
 * the UPDATE that a QUIT starts, over the session's {@link MailboxView}, with the maildrop lock it
 * holds from the login to the end of UPDATE.
 */
final class Transaction {
  private final FakePop3Server.Settings s;
  private final Set<Quirk> quirks;
  private final Replies replies;
  private final Dialect dialect;
  private final RecordedSession rec;
  private final FaultPlayer faults;
  private final Account account;
  private final MailboxView mailbox;
  private boolean holdsLock;
  private int retrCount;
  private int fetches;

  /** Whether the client turned on UTF-8 mode (RFC 6856), which a Q52 server waits for. */
  private boolean utf8;

  /**
   * A transaction on {@code account}'s mailbox as session {@code number} sees it; {@code holdsLock}
   * says whether the login took the maildrop lock, which this transaction then gives back.
   */
  Transaction(
      FakePop3Server.Settings s,
      int number,
      Replies replies,
      RecordedSession rec,
      FaultPlayer faults,
      Account account,
      boolean holdsLock,
      boolean utf8) {
    this.s = s;
    this.quirks = s.quirks;
    this.replies = replies;
    this.dialect = replies.dialect();
    this.rec = rec;
    this.faults = faults;
    this.account = account;
    this.holdsLock = holdsLock;
    this.utf8 = utf8;
    this.mailbox = new MailboxView(account, s.quirks, number);
  }

  private boolean q(Quirk quirk) {
    return quirks.contains(quirk);
  }

  /** The client turned on UTF-8 mode (RFC 6856) after the login. */
  void utf8() {
    utf8 = true;
  }

  /**
   * Releases the maildrop lock if this session holds it (once: another session may take it next).
   */
  void releaseLock() {
    if (holdsLock) {
      holdsLock = false;
      account.mailbox.unlock();
    }
  }

  /** Answers one TRANSACTION command; {@code line} is the whole line, as recorded. */
  void command(String verb, String arg, String line) throws IOException {
    switch (verb) {
      case "STAT":
        stat();
        return;
      case "LIST":
      case "UIDL":
        listing(verb.equals("UIDL"), arg, line);
        return;
      case "RETR":
        retrieve(arg, -1, line);
        return;
      case "TOP":
        {
          if (q(Q33_TOP_ERR)) {
            replies.err("TOP not supported");
            return;
          }
          String[] p = arg.split(" ");
          if (p.length != 2 || !p[1].matches("[0-9]{1,9}")) {
            replies.err("Usage: TOP msg lines");
            return;
          }
          retrieve(p[0], Integer.parseInt(p[1]), line);
          return;
        }
      case "DELE":
        dele(arg, line);
        return;
      case "RSET":
        mailbox.undeleteAll();
        replies.ok("");
        return;
      default:
        replies.err("Unknown command: " + verb);
    }
  }

  /** QUIT: UPDATE, then the lock goes, then the reply (unless Q35 says otherwise). */
  void quit() throws IOException {
    if (q(Q35_QUIT_ERR)) {
      replies.err("Error locking your mailbox");
      return;
    }
    int gone = mailbox.update(rec);
    rec.finishing(); // what a client that waits for the reply does next comes after this
    releaseLock(); // UPDATE is over: the maildrop is free before the client hears so
    if (q(Q35_QUIT_NO_REPLY)) {
      return;
    }
    replies.ok("Logging out, " + gone + " messages deleted");
  }

  private void stat() throws IOException {
    if (q(Q38_LOGIN_DELAY_ON_STAT)) {
      replies.err("login allowed only every 15 minutes");
      return;
    }
    if (q(Q47_STAT_ERR)) {
      replies.err("SYS/TEMP", "Mailbox too large to count");
      return;
    }
    replies.line(dialect.okData(mailbox.count() + " " + mailbox.octets()));
  }

  private void dele(String arg, String line) throws IOException {
    int i = message(arg, line);
    if (i < 0) {
      return;
    }
    rec.deleReceived(s.identifyClients);
    if (!s.sentWhole.contains(mailbox.message(i))) {
      rec.deletedUnsent(line);
    }
    mailbox.delete(i);
    if (s.deleImmediately) {
      mailbox.removeNow(i);
    }
    for (int n = dialect.emptyLinesBeforeDeleReply(); n > 0; n--) {
      replies.out().write(dialect.eol());
    }
    replies.ok("Marked to be deleted");
  }

  /** The index of message {@code arg}, or -1 after replying -ERR. */
  private int message(String arg, String line) throws IOException {
    if (!arg.matches("[1-9][0-9]{0,8}") || Integer.parseInt(arg) > mailbox.size()) {
      rec.unlisted(line); // not a number RFC 1939 allows here, whatever this server lists
    }
    if (!arg.matches("[0-9]{1,9}")) {
      replies.err("Invalid message number");
      return -1;
    }
    int i = mailbox.indexOf(Integer.parseInt(arg));
    if (i < 0) {
      replies.err("No such message");
      return -1;
    }
    if (mailbox.isDeleted(i)) {
      replies.err("Message is deleted");
      return -1;
    }
    return i;
  }

  private void listing(boolean uidl, String arg, String line) throws IOException {
    if (uidl && q(Q24_NO_UIDL)) {
      replies.err("Command UIDL is not supported");
      return;
    }
    if (!arg.isEmpty()) {
      singleListing(uidl, arg, line);
      return;
    }
    if (faults.has(Fault.Kind.ENDLESS_LISTING)) {
      long[] n = {0};
      faults.endless(
          "+OK\r\n".getBytes(StandardCharsets.US_ASCII),
          () -> (++n[0]) + (uidl ? " uid" + n[0] : " 1000") + "\r\n");
      return;
    }
    replies.multiline(dialect.ok(""), mailbox.listing(uidl));
  }

  private void singleListing(boolean uidl, String arg, String line) throws IOException {
    int i = message(arg, line);
    if (i < 0) {
      return;
    }
    String value = mailbox.listedValue(i, uidl);
    if (q(Q28_SINGLE_FORM_NO_NUMBER)) {
      replies.line(dialect.okData(value));
    } else if (q(Q28_SINGLE_FORM_WRONG_NUMBER)) {
      replies.line(dialect.okData((mailbox.listedNumber(i) + 1) + " " + value));
    } else if (uidl && q(Q28_SINGLE_FORM_MULTILINE)) {
      replies.multiline(dialect.ok(""), List.of(mailbox.listingLine(i, true)));
    } else {
      replies.line(dialect.okData(mailbox.listedNumber(i) + " " + value));
    }
  }

  /** RETR (lines &lt; 0) or TOP n lines. */
  private void retrieve(String arg, int lines, String line) throws IOException {
    int i = message(arg, line);
    if (i < 0) {
      return;
    }
    boolean top = lines >= 0;
    if (q(Q34_RETR_ERR_LISTED) && i == 1) {
      replies.err("Message 2 expunged.");
      return;
    }
    if (faults.has(Fault.Kind.ENDLESS_BODY)) {
      faults.endless(
          "+OK\r\nSubject: endless\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
          () -> "x".repeat(ThreadLocalRandom.current().nextInt(1, 80)) + "\r\n");
      return;
    }
    FakeMailbox.Message m = mailbox.message(i);
    byte[] content =
        q(Q53_SERVED_EMPTY) && i % 2 == 1
            ? MessageRewrites.emptyWithUid(mailbox.uidOf(i))
            : MessageRewrites.served(m.raw(), quirks, ++fetches);
    boolean substituted =
        q(Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8) && !utf8 && UnicodeNotice.applies(content);
    if (substituted) {
      content = UnicodeNotice.wrap(content, UnicodeNotice.boundary());
    }
    int end = content.length;
    if (top) {
      end = MessageRewrites.topEnd(content, q(Q33_TOP_IGNORES_N) ? 1 : lines);
      if (q(Q33_TOP_TRUNCATES)) {
        end = Math.min(end, 64 * 1024);
      }
    }
    if (top && q(Q55_TOP_ADDS_EMPTY_LINE)) {
      int header = MessageRewrites.topEnd(content, 0);
      content = MessageRewrites.withEmptyLineAfterHeader(content);
      end = end >= header ? end + 2 : end;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream(end + end / 64 + 32);
    b.writeBytes(
        (top ? dialect.ok("") : dialect.ok((substituted ? content.length : m.size()) + " octets"))
            .getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(dialect.eol());
    if (top && q(Q33_TOP_DOUBLE_OK)) {
      b.writeBytes(dialect.ok("").getBytes(StandardCharsets.US_ASCII));
      b.writeBytes(dialect.eol());
    }
    dialect.body(b, content, end, top);
    if (!top) {
      mailbox.retrieved(i);
    }
    if (!top && retrCount++ == 0 && q(Q36_DROP_MID_RETR)) {
      byte[] all = b.toByteArray();
      replies.out().write(all, 0, all.length / 2);
      replies.out().endAbruptly(true, "dropped mid-RETR");
    }
    if (!top) {
      b.writeBytes(dialect.afterRetr());
    }
    replies.out().write(b.toByteArray());
    if (!top) {
      s.sentWhole.add(m);
    }
  }
}
