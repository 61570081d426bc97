package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.Listing;
import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Tolerance;
import java.util.Arrays;
import java.util.BitSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listing of one session: STAT, LIST and UIDL (RFC 1939 §5, §7), pipelined where the server
 * allows it, possibly sent already with the CAPA after login ({@link #capaAndListing}); every line
 * validated, UIDs against {@link #validUid}, and what a listing may get wrong (quirks Q21, Q24,
 * Q25, Q27, Q29, Q46) handled here. Used under the session's connection lock only.
 */
final class ListingReader {
  // The session's logger, by name: the command mutes it where its report says the same.
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);

  /**
   * A STAT count from here on is no mailbox's (case R-07): the largest maildrops hold a few
   * million.
   */
  static final long HOSTILE_COUNT = 1_000_000_000L;

  private static final String STAT = "counting messages (STAT)";
  private static final String LIST = "listing sizes (LIST)";
  private static final String UIDL = "listing unique ids (UIDL)";

  private final Pop3Connection connection;
  private final ServerMemory memory;
  private final Consumer<FetchException> warn;

  /** STAT, LIST and UIDL sent with the CAPA after login, their replies unread. */
  private boolean sentAhead;

  private boolean stableUids;
  private int messageCount;

  /**
   * @param warn where a warning a person must read goes (a listing that disagrees with itself)
   */
  ListingReader(Pop3Connection connection, Consumer<FetchException> warn) {
    this.connection = connection;
    this.memory = connection.memory();
    this.warn = warn;
  }

  /** Whether a listing went out with the CAPA after login and its replies are still unread. */
  boolean sentAhead() {
    return sentAhead;
  }

  /** Whether the server's unique ids can be used (UIDL works). */
  boolean stableUids() {
    return stableUids;
  }

  /** The count STAT gave at the last listing. */
  int messageCount() {
    return messageCount;
  }

  /**
   * The CAPA after login, with STAT, LIST and UIDL behind it when the server said before login that
   * it pipelines and lists UIDs: the engine lists next, and the listing's replies are then on their
   * way while CAPA's are read (one round trip fewer per session). If CAPA now says otherwise, the
   * listing's replies are read and dropped, and everything goes on as without this.
   */
  void capaAndListing() throws FetchException {
    if (memory.noCapa || !connection.pipelining() || !connection.capabilities().has("UIDL")) {
      Greeting.capa(connection);
      return;
    }
    connection.firstCapa();
    connection.send(Pop3Commands.CAPA);
    connection.send(Pop3Commands.STAT);
    connection.send(Pop3Commands.LIST);
    connection.send(Pop3Commands.UIDL);
    sentAhead = true;
    try {
      Greeting.readCapa(connection, connection.reply(Greeting.READING_CAPABILITIES));
    } catch (FetchException e) {
      connection.markBroken();
      pipelinedListingFailed(e); // a server that stalls on pipelined commands may do so right here
      throw e.error() == FetchError.CONNECTION_TIMED_OUT ? new PipelinedUnanswered(e) : e;
    }
    if (!connection.pipelining() || !connection.capabilities().has("UIDL")) {
      dropSentAhead();
    }
  }

  /**
   * Reads, and drops, the replies to a listing sent with CAPA that the engine did not ask for
   * (yet).
   */
  void dropSentAhead() throws FetchException {
    sentAhead = false;
    try {
      Reply stat = connection.queuedReply(STAT);
      Reply list = connection.queuedReply(LIST);
      if (list.ok()) {
        connection.readListing(LIST, true, line -> {});
      }
      Reply uidl = connection.queuedReply(UIDL);
      if (uidl.ok()) {
        connection.readListing(UIDL, true, line -> {});
      }
      log.debug(
          "{} - dropped a listing sent ahead ({}, {}, {})",
          connection.settings().account(),
          stat,
          list,
          uidl);
    } catch (FetchException e) {
      connection.markBroken(); // replies may be left unread: nothing more on this connection
      if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
        memory.pipeliningStalled(connection);
        throw new PipelinedUnanswered(e);
      }
      throw e;
    }
  }

  /**
   * Whether unique ids work, known before the listing so the engine can refuse leave-on-server up
   * front: UIDL in CAPA, or else a probe with {@code UIDL 1} (quirk Q20: some servers support it
   * without saying so). With an empty mailbox and no UIDL in CAPA there is nothing to probe: the
   * ids count as missing, as Gmail's rule has it ("the server does not advertise UIDL").
   */
  void probeUidl() throws FetchException {
    if (connection.capabilities().has("UIDL")) {
      stableUids = true;
      return;
    }
    connection.send(Pop3Commands.STAT);
    Reply stat = connection.reply(STAT);
    String[] parts = stat.text().split("[ \t]+");
    if (!stat.ok() || parts.length < 1 || number(parts[0]) <= 0) {
      stableUids = false;
      return;
    }
    connection.send(Pop3Commands.uidl(1));
    stableUids = connection.reply("probing for UIDL").ok();
    connection.noticed(stableUids ? QuirkId.Q20 : QuirkId.Q24);
  }

  /** The listing, handed to {@code handler} once whole. */
  void list(ListingHandler handler) throws FetchException {
    // With pipelining, STAT, LIST and UIDL go out together: two round trips fewer per poll, most
    // of a poll with nothing new on a distant server. Their replies are read in order. They may
    // have gone out with the CAPA after login already (capaAndListing).
    boolean together = sentAhead || connection.pipelining();
    try {
      list(handler, together);
    } catch (FetchException e) {
      if (together) {
        connection.markBroken(); // replies to the other listing commands may be unread
        pipelinedListingFailed(e);
        if (e.error() == FetchError.CONNECTION_TIMED_OUT || e.error() == FetchError.WRONG_ORDER) {
          // Late, or a later command's reply where a dropped one's was due (quirk Q21): one at a
          // time.
          throw e instanceof PipelinedUnanswered ? e : new PipelinedUnanswered(e);
        }
      }
      throw e;
    } catch (RuntimeException e) {
      if (together) {
        connection.markBroken();
      }
      throw e;
    }
  }

  private void pipelinedListingFailed(FetchException e) {
    if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
      memory.pipeliningStalled(connection);
    } else if (!memory.noPipelining) {
      // A server that drops some of the queued commands (quirk Q21) answers the next one in the
      // wrong place: the listing then looks malformed rather than late. Whatever broke it, the
      // next session lists one command at a time.
      memory.stopPipelining(
          connection,
          QuirkId.Q21,
          "a pipelined listing from " + connection.server() + " failed (" + e.error() + ")");
    }
  }

  private void list(ListingHandler handler, boolean together) throws FetchException {
    boolean queued = sentAhead; // behind the CAPA, whose reply was read
    if (sentAhead) {
      sentAhead = false; // STAT, LIST and UIDL: stableUids holds, as CAPA listed UIDL
    } else {
      connection.send(Pop3Commands.STAT);
      if (together) {
        connection.send(Pop3Commands.LIST);
        if (stableUids) {
          connection.send(Pop3Commands.UIDL);
        }
      }
    }
    Reply stat = queued ? connection.queuedReply(STAT) : connection.reply(STAT);
    if (!stat.ok()) {
      throw statRefused(stat);
    }
    String[] parts = stat.text().split("[ \t]+");
    long count = parts.length >= 2 ? number(parts[0]) : -1;
    long octets = parts.length >= 2 ? number(parts[1]) : -1;
    checkCount(stat, count, octets, together || queued);
    messageCount = (int) count;
    handler.count(messageCount, octets);
    int max = connection.settings().limits().maxListingLinesOnTheWire();
    if (messageCount > max) {
      // Never allocate from a server's count (case R-07): the size table below is one long each.
      connection.markBroken();
      throw new FetchException(
          FetchError.LIMIT_EXCEEDED,
          connection.server()
              + " counts "
              + messageCount
              + " messages, more than "
              + Limit.LISTING_ENTRIES.words(max),
          stat.line(),
          null,
          Limit.LISTING_ENTRIES.remedy(max));
    }
    Parse parse = new Parse(messageCount, together);
    if (!together) {
      connection.send(Pop3Commands.LIST);
    }
    Reply list = together ? connection.queuedReply(LIST) : connection.reply(LIST);
    if (!list.ok()) {
      throw list.exception(
          FetchError.SERVER_TEMPORARY, connection.server() + " could not list the messages (LIST)");
    }
    connection.readListing(LIST, parse::sizeLine);
    if (parse.failure != null) {
      throw parse.failure;
    }
    Reply uidl = null;
    if (stableUids) {
      if (!together) {
        connection.send(Pop3Commands.UIDL);
      }
      uidl = together ? connection.queuedReply(UIDL) : connection.reply(UIDL);
    }
    if (uidl == null || !uidl.ok()) {
      connection.noticed(QuirkId.Q24);
      stableUids = false;
      for (int n = 1; n <= messageCount; n++) {
        if (parse.sizes[n] >= 0) {
          handler.message(new MessageRef(n, null, parse.sizes[n]));
        }
      }
      warn(parse.gaps.warning(connection.server(), parse.sizes, null));
      return;
    }
    parse.expectUids();
    connection.readListing(UIDL, true, parse::uidLine);
    if (parse.failure != null) {
      throw parse.failure;
    }
    warn(parse.gaps.warning(connection.server(), parse.sizes, parse.listed));
    Listing held = parse.held;
    if (!parse.sortLater) {
      for (int i = 0; i < held.count(); i++) {
        handler.message(held.ref(i));
      }
      return;
    }
    int[] byNumber = new int[messageCount + 1];
    for (int i = 0; i < held.count(); i++) {
      byNumber[held.number(i)] = i + 1;
    }
    for (int n = 1; n <= messageCount; n++) {
      if (byNumber[n] != 0) {
        handler.message(held.ref(byNumber[n] - 1));
      }
    }
  }

  private FetchException statRefused(Reply stat) {
    AuthMechanism loggedInWith = connection.loggedInWith();
    FetchException notIn =
        LoginRefusal.notReallyLoggedIn(
            connection.server(),
            stat,
            loggedInWith == null
                ? null
                : loggedInWith == AuthMechanism.USER
                    ? "USER and PASS"
                    : "AUTH " + Login.saslName(loggedInWith),
            "STAT");
    return notIn != null
        ? notIn
        : stat.exception(
            FetchError.SERVER_TEMPORARY,
            connection.server() + " could not count the" + " messages (STAT)");
  }

  /** STAT's count and size, which must be numbers and no hostile count ({@link #HOSTILE_COUNT}). */
  private void checkCount(Reply stat, long count, long octets, boolean queued)
      throws FetchException {
    if (count < 0 || octets < 0 || count > Integer.MAX_VALUE) {
      connection.markBroken();
      FetchException e =
          new FetchException(
              FetchError.PROTOCOL,
              connection.server()
                  + " answered STAT with no valid count"
                  + " and size (RFC 1939 §5: +OK, the number of messages, their size in octets)",
              stat.line(),
              null);
      // Queued, a bare +OK is LIST's or UIDL's reply where a dropped STAT's was due (quirk Q21).
      throw queued && stat.text().isBlank() ? new PipelinedUnanswered(e) : e;
    }
    if (count >= HOSTILE_COUNT) {
      // No maildrop holds that many (case R-07): a broken or hostile reply, not a limit to raise.
      connection.markBroken();
      throw new FetchException(
          FetchError.PROTOCOL,
          connection.server()
              + " answered STAT with a count of "
              + count
              + " messages, which no real mailbox holds: the server is broken or hostile; nothing was fetched",
          stat.line(),
          null,
          Remedy.of(
              "Tell the provider what their server answered (the reply is above); no setting"
                  + " of mailfetch should be raised for it."));
    }
  }

  private void warn(FetchException w) {
    if (w != null) {
      warn.accept(w);
    }
  }

  /**
   * What the LIST and UIDL lines of one listing have said so far: the sizes by number, the UIDs
   * held until the listing is whole, and the first line that made it fail.
   */
  private final class Parse {
    final int count;
    final boolean together;
    final boolean sortLater =
        connection.settings().tolerances().contains(Tolerance.UNORDERED_LISTING);
    final long[] sizes;
    final ListingDisagreement gaps;

    /**
     * Held until the listing is whole (a listing that breaks halfway hands over nothing), flat: a
     * million messages cost about 50 bytes each here (docs/benchmarks.md, scale).
     */
    Listing held;

    BitSet listed;
    int last;
    FetchException failure;

    Parse(int count, boolean together) {
      this.count = count;
      this.together = together;
      this.sizes = new long[count + 1];
      Arrays.fill(sizes, -1);
      this.gaps = new ListingDisagreement(count);
    }

    /** Before the UIDL lines: room for them (not taken where UIDL does not work). */
    void expectUids() {
      held = new Listing(count);
      listed = new BitSet(count + 1);
    }

    /** A LIST line: "n size". */
    void sizeLine(String line) {
      if (together && failure == null && (line.startsWith("+OK") || line.startsWith("-ERR"))) {
        // A status line among the sizes: the replies run ahead of the commands (case N-12).
        failure = repliesAhead(connection, "LIST's listing holds a status line");
        return;
      }
      String l = line.strip();
      int sp = indexOfSpace(l, 0);
      long n = sp < 0 ? -1 : number(l.substring(0, sp));
      long size = sp < 0 ? -1 : number(token(l, sp));
      if (n < 1 || n > count || size < 0 || sizes[(int) n] >= 0) {
        if (sortLater && size >= 0) {
          // ignored with a warning: numbers outside 1..STAT, or repeated
          connection.noticed(QuirkId.Q29);
          gaps.droppedList(n);
          return;
        }
        if (failure == null) {
          failure =
              wrongOrder(
                  connection,
                  n < 1 || n > count || size < 0
                      ? "LIST names a message that STAT did not count, or a bad size"
                      : "LIST names message " + n + " twice",
                  line);
        }
        return;
      }
      sizes[(int) n] = size;
    }

    /** A UIDL line: "n uid" (or "+OK n uid", quirk Q27(a)). */
    void uidLine(String line) {
      if (failure != null) {
        return;
      }
      String l = line.startsWith("+OK ") ? line.substring(4) : line; // quirk Q27(a)
      int sp = indexOfSpace(l, 0);
      long n = number(sp < 0 ? l : l.substring(0, sp));
      String uid = sp < 0 ? "" : l.substring(sp).strip();
      if (n < 1 || n > count || listed.get((int) n)) {
        if (sortLater) {
          // ignored with a warning; the message is fetched when it lists properly
          connection.noticed(QuirkId.Q29);
          gaps.droppedUidl(n);
          return;
        }
        failure =
            wrongOrder(
                connection,
                n < 1 || n > count
                    ? "UIDL names a message that STAT did not count"
                    : "UIDL names message " + n + " twice",
                line);
        return;
      }
      if (n < last && !sortLater) {
        failure =
            wrongOrder(connection, "UIDL lists message " + n + " after message " + last, line);
        return;
      }
      if (n < last) {
        connection.noticed(QuirkId.Q29);
      }
      last = (int) Math.max(last, n);
      listed.set((int) n);
      String key = validUid(uid);
      if (key == null) {
        connection.noticed(QuirkId.Q27);
      }
      long size = sizes[(int) n];
      if (size < 0) {
        connection.noticed(QuirkId.Q46); // listed by UIDL but not by LIST: fetched next time
        return;
      }
      if (key != null && held.indexOf(key) >= 0) {
        connection.noticed(QuirkId.Q25);
        // RFC 1939 §7 allows identical copies with one id: keep both, the second under a new name
        int copy = 2;
        while (held.indexOf(key + "#dup" + copy) >= 0) {
          copy++;
        }
        key = key + "#dup" + copy;
      }
      held.add((int) n, key, size);
    }
  }

  // ---------------------------------------------------------------- the rules, shared

  /**
   * {@code uid} if a state may key on it ({@link UidRule#clientValid}), else null: the message then
   * has no stable id (quirk Q27, cases U-01..U-04; a line cut at the listing limit ends with {@link
   * Pop3Connection#TRUNCATED}, which the rule refuses).
   */
  static String validUid(String uid) {
    return UidRule.clientValid(uid) ? uid : null;
  }

  /**
   * Case N-12 while pipelining: more replies than commands. The next session sends one at a time.
   */
  static FetchException repliesAhead(Pop3Connection connection, String what) {
    connection.markBroken();
    connection.memory().stopPipelining(connection, QuirkId.Q21, null);
    return new FetchException(
        FetchError.PROTOCOL,
        connection.server()
            + " sent more replies than commands: "
            + what
            + "; the session stops and pipelining is off for this server from now on");
  }

  static FetchException wrongOrder(Pop3Connection connection, String what, String line) {
    connection.markBroken();
    return new FetchException(
        FetchError.WRONG_ORDER, connection.server() + ": " + what + " (RFC 1939 §5)", line, null);
  }

  /** Where the first space or tab at or after {@code from} is, or -1. */
  static int indexOfSpace(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
        return i;
      }
    }
    return -1;
  }

  /** The word that starts after the spaces and tabs at {@code from}: up to the next, or the end. */
  static String token(String s, int from) {
    int start = from;
    while (start < s.length() && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
      start++;
    }
    int end = indexOfSpace(s, start);
    return s.substring(start, end < 0 ? s.length() : end);
  }

  /** A non-negative decimal of at most 18 digits, or -1. */
  static long number(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
