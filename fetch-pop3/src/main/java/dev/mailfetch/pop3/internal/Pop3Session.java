package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.Listing;
import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Tolerance;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One POP3 session, as a {@link FetchSession}. The lifecycle (RFC 1939, 2449, 2595, 5034):
 *
 * <ol>
 *   <li>connect; for implicit TLS, the handshake (TLS 1.2 or later, SNI, host name checked);
 *   <li>greeting, CAPA; for STARTTLS, STLS (refused up front if not offered; bytes buffered after
 *       its reply are an injection), the handshake, CAPA again;
 *   <li>UTF8, where CAPA offers it (RFC 6856; {@link Utf8Mode});
 *   <li>login with the strongest allowed mechanism the server offers; CAPA again;
 *   <li>STAT, LIST, UIDL: streamed, validated;
 *   <li>RETR in pipelined batches: a message is whole only when the status line after it parses;
 *   <li>DELE, QUIT.
 * </ol>
 *
 * <p>Nothing secret reaches the trace: PASS, AUTH responses and APOP digests are shown redacted.
 */
public final class Pop3Session implements FetchSession {
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);
  private static final Logger trace = LoggerFactory.getLogger("dev.mailfetch.pop3.trace");
  private static final int WINDOW = 64;
  private static final Pattern APOP_TIMESTAMP =
      Pattern.compile("<[^<>@\\x00-\\x20\\x7F-\\xFF]+@[^<>@\\x00-\\x20\\x7F-\\xFF]+>");

  /**
   * A STAT count from here on is no mailbox's (case R-07): the largest maildrops hold a few
   * million.
   */
  static final long HOSTILE_COUNT = 1_000_000_000L;

  /** How long a body may rest at ".\r" before the Q02 probe (the catalogue's figure). */
  private static final Duration Q02_GRACE = Duration.ofSeconds(5);

  private static final Pop3Command NOOP_KEEPALIVE = Pop3Commands.NOOP.noted("keepalive");
  private static final Pop3Command Q02_PROBE =
      Pop3Commands.NOOP.noted("probe: did the message end at \".\\r\"? quirk Q02");

  /** One daemon thread keeps every idle session alive (quirk Q43). */
  private static final ScheduledExecutorService KEEPALIVE = keepAliveExecutor();

  /** Past this many unread keepalive answers (over four hours at 15 s) the keepalive stops. */
  private static final int MAX_UNANSWERED_NOOPS = 1024;

  private final Pop3Settings settings;
  private final ServerMemory memory;
  private final Pop3Connection connection;
  private boolean stableUids;

  /** What this session noticed that a person must know ({@link #warnings()}). */
  private final List<FetchException> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** What was retrieved and marked, against servers that delete what was retrieved (quirk Q31). */
  private final RetrievedMarks marks = new RetrievedMarks();

  /** The last refused DELE or QUIT, as the server said it ({@link #lastRefusal()}). */
  private volatile String lastRefusal;

  private int messageCount;

  /** Held by every use of the connection: the engine's calls and the keepalive's NOOP. */
  private final ReentrantLock connectionLock = new ReentrantLock();

  private volatile long lastCommand = System.nanoTime();
  private ScheduledFuture<?> keepAlive;

  /**
   * STAT, LIST and UIDL sent with the CAPA after login, their replies unread (only under {@link
   * #line}).
   */
  private boolean listingSent;

  /** Keepalive NOOPs whose answers are still to be read (only under {@link #connectionLock}). */
  private int unansweredNoops;

  /**
   * Commands whose replies are unread, in the order sent, beyond what the last retrieve read: the
   * RETRs sent for what the engine said comes next ({@link MessageRef}s), so that the pipeline
   * never runs dry across its barriers, and keepalive NOOPs sent behind them ({@link
   * #KEEPALIVE_NOOP}); within a retrieve, also its own RETRs and closing NOOP ({@link
   * #CLOSING_NOOP}) (only under {@link #connectionLock}).
   */
  private final ArrayDeque<Object> ahead = new ArrayDeque<>();

  private static final Object KEEPALIVE_NOOP = new Object();
  private static final Object CLOSING_NOOP = new Object();

  /**
   * The status line of {@code ahead}'s first command: read, as it proved the message before it
   * whole.
   */
  private Reply aheadStatus;

  /** Keepalive NOOPs in {@link #ahead}. */
  private int noopsAhead;

  private Pop3Session(Pop3Settings settings, ServerMemory memory) {
    this.settings = settings;
    this.memory = memory;
    this.connection = new Pop3Connection(settings, memory);
  }

  /**
   * Connects, secures and logs in. A server that closes or hangs on the first CAPA gets one more
   * try without CAPA (quirk Q19), and is remembered.
   */
  public static Pop3Session open(Pop3Settings settings, ServerMemory memory) throws FetchException {
    try {
      return openOnce(settings, memory);
    } catch (Pop3Connection.CapaBroken e) {
      memory.noCapa = true;
      log.warn(
          "{} - {}:{} dropped or ignored CAPA (quirk Q19); trying again without it",
          settings.account(),
          settings.host(),
          settings.port());
      return openOnce(settings, memory);
    }
  }

  private static Pop3Session openOnce(Pop3Settings settings, ServerMemory memory)
      throws FetchException {
    Pop3Session session = new Pop3Session(settings, memory);
    try {
      session.connection.connect();
      Greeting.greetAndSecure(session.connection);
      // RFC 6856: in the AUTHORIZATION state, so before the login
      Utf8Mode.enable(session.connection);
      new Login(session.connection).login();
      session.capaAndListing();
      session.probeUidl();
      session.startKeepAlive();
      return session;
    } catch (FetchException e) {
      session.close();
      throw e;
    } catch (RuntimeException e) {
      session.close();
      // A bug of ours, not the server's: said so, without the exception's class name.
      throw new FetchException(
          FetchError.PROTOCOL,
          "an unexpected failure inside mailfetch while opening the session"
              + " with "
              + settings.host()
              + ":"
              + settings.port()
              + ": "
              + e.getMessage(),
          null,
          e,
          Remedy.of(
              "This is a bug in mailfetch: please report it with the output of --trace (it holds no password).",
              "This is a bug in mailfetch: please report it with the dev.mailfetch.pop3.trace log at TRACE (it holds"
                  + " no password)."));
    }
  }

  /**
   * The CAPA after login, with STAT, LIST and UIDL behind it when the server said before login that
   * it pipelines and lists UIDs: the engine lists next, and the listing's replies are then on their
   * way while CAPA's are read (one round trip fewer per session). If CAPA now says otherwise, the
   * listing's replies are read and dropped, and everything goes on as without this.
   */
  void capaAndListing() throws FetchException {
    if (memory.noCapa || !pipelining() || !connection.capabilities().has("UIDL")) {
      Greeting.capa(connection);
      return;
    }
    connection.firstCapa();
    connection.send(Pop3Commands.CAPA);
    connection.send(Pop3Commands.STAT);
    connection.send(Pop3Commands.LIST);
    connection.send(Pop3Commands.UIDL);
    listingSent = true;
    try {
      Greeting.readCapa(connection, connection.reply(Greeting.READING_CAPABILITIES));
    } catch (FetchException e) {
      connection.markBroken();
      pipelinedListingFailed(e); // a server that stalls on pipelined commands may do so right here
      throw e.error() == FetchError.CONNECTION_TIMED_OUT ? new PipelinedUnanswered(e) : e;
    }
    if (!pipelining() || !connection.capabilities().has("UIDL")) {
      dropListing();
    }
  }

  /**
   * Reads, and drops, the replies to a listing sent with CAPA that the engine did not ask for
   * (yet).
   */
  private void dropListing() throws FetchException {
    listingSent = false;
    try {
      Reply stat = connection.queuedReply("counting messages (STAT)");
      Reply list = connection.queuedReply("listing sizes (LIST)");
      if (list.ok()) {
        connection.readListing("listing sizes (LIST)", true, line -> {});
      }
      Reply uidl = connection.queuedReply("listing unique ids (UIDL)");
      if (uidl.ok()) {
        connection.readListing("listing unique ids (UIDL)", true, line -> {});
      }
      log.debug(
          "{} - dropped a listing sent ahead ({}, {}, {})", settings.account(), stat, list, uidl);
    } catch (FetchException e) {
      connection.markBroken(); // replies may be left unread: nothing more on this connection
      if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
        pipeliningStalled();
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
  private void probeUidl() throws FetchException {
    if (connection.capabilities().has("UIDL")) {
      stableUids = true;
      return;
    }
    connection.send(Pop3Commands.STAT);
    Reply stat = connection.reply("counting messages (STAT)");
    String[] parts = stat.text().split("[ \t]+");
    if (!stat.ok() || parts.length < 1 || number(parts[0]) <= 0) {
      stableUids = false;
      return;
    }
    connection.send(Pop3Commands.uidl(1));
    stableUids = connection.reply("probing for UIDL").ok();
    connection.noticed(stableUids ? QuirkId.Q20 : QuirkId.Q24);
  }

  // ---------------------------------------------------------------- FetchSession

  @Override
  public Capabilities capabilities() {
    Pop3Capabilities caps = connection.capabilities();
    return new Capabilities(stableUids, caps.expire(), caps.lines());
  }

  @Override
  public String server() {
    return settings.host() + ":" + settings.port();
  }

  @Override
  public Set<QuirkId> quirksNoticed() {
    return Set.copyOf(connection.quirks());
  }

  @Override
  public List<FetchException> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public Optional<String> lastRefusal() {
    return Optional.ofNullable(lastRefusal);
  }

  private void warn(FetchException w) {
    if (w != null) {
      warnings.add(w);
    }
  }

  @Override
  public void list(ListingHandler handler) throws FetchException {
    acquire();
    try {
      listLocked(handler);
    } finally {
      connectionLock.unlock();
    }
  }

  private void listLocked(ListingHandler handler) throws FetchException {
    // With pipelining, STAT, LIST and UIDL go out together: two round trips fewer per poll, most
    // of a poll with nothing new on a distant server. Their replies are read in order. They may
    // have gone out with the CAPA after login already (capaAndListing).
    boolean together = listingSent || pipelining();
    try {
      listLocked(handler, together);
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
      pipeliningStalled();
    } else if (!memory.noPipelining) {
      // A server that drops some of the queued commands (quirk Q21) answers the next one in the
      // wrong place: the listing then looks malformed rather than late. Whatever broke it, the
      // next session lists one command at a time.
      memory.stopPipelining(
          connection,
          QuirkId.Q21,
          "a pipelined listing from " + server() + " failed (" + e.error() + ")");
    }
  }

  private void listLocked(ListingHandler handler, boolean together) throws FetchException {
    boolean queued = listingSent; // behind the CAPA, whose reply was read
    if (listingSent) {
      listingSent = false; // STAT, LIST and UIDL: stableUids holds, as CAPA listed UIDL
    } else {
      connection.send(Pop3Commands.STAT);
      if (together) {
        connection.send(Pop3Commands.LIST);
        if (stableUids) {
          connection.send(Pop3Commands.UIDL);
        }
      }
    }
    AuthMechanism loggedInWith = connection.loggedInWith();
    Reply stat =
        queued
            ? connection.queuedReply("counting messages (STAT)")
            : connection.reply("counting messages (STAT)");
    if (!stat.ok()) {
      FetchException notIn =
          LoginRefusal.notReallyLoggedIn(
              server(),
              stat,
              loggedInWith == null
                  ? null
                  : loggedInWith == AuthMechanism.USER
                      ? "USER and PASS"
                      : "AUTH " + Login.saslName(loggedInWith),
              "STAT");
      throw notIn != null
          ? notIn
          : stat.exception(
              FetchError.SERVER_TEMPORARY, server() + " could not count the" + " messages (STAT)");
    }
    String[] parts = stat.text().split("[ \t]+");
    long count = parts.length >= 2 ? number(parts[0]) : -1;
    long octets = parts.length >= 2 ? number(parts[1]) : -1;
    if (count < 0 || octets < 0 || count > Integer.MAX_VALUE) {
      connection.markBroken();
      FetchException e =
          new FetchException(
              FetchError.PROTOCOL,
              server()
                  + " answered STAT with no valid count"
                  + " and size (RFC 1939 §5: +OK, the number of messages, their size in octets)",
              stat.line(),
              null);
      // Queued, a bare +OK is LIST's or UIDL's reply where a dropped STAT's was due (quirk Q21).
      throw (together || queued) && stat.text().isBlank() ? new PipelinedUnanswered(e) : e;
    }
    if (count >= HOSTILE_COUNT) {
      // No maildrop holds that many (case R-07): a broken or hostile reply, not a limit to raise.
      connection.markBroken();
      throw new FetchException(
          FetchError.PROTOCOL,
          server()
              + " answered STAT with a count of "
              + count
              + " messages, which no real mailbox holds: the server is broken or hostile; nothing was fetched",
          stat.line(),
          null,
          Remedy.of(
              "Tell the provider what their server answered (the reply is above); no setting"
                  + " of mailfetch should be raised for it."));
    }
    messageCount = (int) count;
    handler.count(messageCount, octets);
    if (messageCount > settings.limits().maxListingEntries()) {
      // Never allocate from a server's count (case R-07): the size table below is one long each.
      connection.markBroken();
      throw new FetchException(
          FetchError.LIMIT_EXCEEDED,
          server()
              + " counts "
              + messageCount
              + " messages, more than "
              + Limit.LISTING_ENTRIES.words(settings.limits().maxListingEntries()),
          stat.line(),
          null,
          Limit.LISTING_ENTRIES.remedy(settings.limits().maxListingEntries()));
    }
    long[] sizes = new long[messageCount + 1];
    java.util.Arrays.fill(sizes, -1);
    ListingDisagreement gaps = new ListingDisagreement(messageCount);
    if (!together) {
      connection.send(Pop3Commands.LIST);
    }
    Reply list =
        together
            ? connection.queuedReply("listing sizes (LIST)")
            : connection.reply("listing sizes (LIST)");
    if (!list.ok()) {
      throw list.exception(
          FetchError.SERVER_TEMPORARY, server() + " could not list the messages (LIST)");
    }
    FetchException[] bad = new FetchException[1];
    connection.readListing(
        "listing sizes (LIST)",
        line -> {
          if (together && bad[0] == null && (line.startsWith("+OK") || line.startsWith("-ERR"))) {
            // A status line among the sizes: the replies run ahead of the commands (case N-12).
            bad[0] = repliesAhead("LIST's listing holds a status line");
            return;
          }
          String[] f = line.strip().split("[ \t]+");
          long n = f.length >= 2 ? number(f[0]) : -1;
          long size = f.length >= 2 ? number(f[1]) : -1;
          boolean tolerant = settings.tolerances().contains(Tolerance.UNORDERED_LISTING);
          if (n < 1 || n > messageCount || size < 0 || sizes[(int) n] >= 0) {
            if (tolerant && size >= 0) {
              connection.noticed(
                  QuirkId.Q29); // ignored with a warning: numbers outside 1..STAT, or repeated
              gaps.droppedList(n);
              return;
            }
            if (bad[0] == null) {
              bad[0] =
                  wrongOrder(
                      n < 1 || n > messageCount || size < 0
                          ? "LIST names a message that STAT did not count, or a bad size"
                          : "LIST names message " + n + " twice",
                      line);
            }
            return;
          }
          sizes[(int) n] = size;
        });
    if (bad[0] != null) {
      throw bad[0];
    }
    Reply uidl = null;
    if (stableUids) {
      if (!together) {
        connection.send(Pop3Commands.UIDL);
      }
      uidl =
          together
              ? connection.queuedReply("listing unique ids (UIDL)")
              : connection.reply("listing unique ids (UIDL)");
    }
    if (uidl == null || !uidl.ok()) {
      connection.noticed(QuirkId.Q24);
      stableUids = false;
      for (int n = 1; n <= messageCount; n++) {
        if (sizes[n] >= 0) {
          handler.message(new MessageRef(n, null, sizes[n]));
        }
      }
      warn(gaps.warning(server(), sizes, null));
      return;
    }
    // Held until the listing is whole (a listing that breaks halfway hands over nothing), flat:
    // a million messages cost about 50 bytes each here (docs/benchmarks.md, scale).
    Listing held = new Listing(messageCount);
    BitSet listed = new BitSet(messageCount + 1);
    int[] last = {0};
    boolean sortLater = settings.tolerances().contains(Tolerance.UNORDERED_LISTING);
    FetchException[] fail = new FetchException[1];
    connection.readListing(
        "listing unique ids (UIDL)",
        true,
        line -> {
          if (fail[0] != null) {
            return;
          }
          String l = line.startsWith("+OK ") ? line.substring(4) : line; // quirk Q27(a)
          int sp = indexOfSpace(l);
          long n = number(sp < 0 ? l : l.substring(0, sp));
          String uid = sp < 0 ? "" : l.substring(sp).strip();
          if (n < 1 || n > messageCount || listed.get((int) n)) {
            if (sortLater) {
              connection.noticed(
                  QuirkId.Q29); // ignored with a warning; the message is fetched when it lists
              // properly
              gaps.droppedUidl(n);
              return;
            }
            fail[0] =
                wrongOrder(
                    n < 1 || n > messageCount
                        ? "UIDL names a message that STAT did not count"
                        : "UIDL names message " + n + " twice",
                    line);
            return;
          }
          if (n < last[0] && !sortLater) {
            fail[0] = wrongOrder("UIDL lists message " + n + " after message " + last[0], line);
            return;
          }
          if (n < last[0]) {
            connection.noticed(QuirkId.Q29);
          }
          last[0] = (int) Math.max(last[0], n);
          listed.set((int) n);
          String key = validUid(uid);
          long size = sizes[(int) n];
          if (size < 0) {
            connection.noticed(QuirkId.Q46); // listed by UIDL but not by LIST: fetched next time
            return;
          }
          if (key != null && held.indexOf(key) >= 0) {
            connection.noticed(QuirkId.Q25);
            // RFC 1939 §7 allows identical copies with one id: keep both, the second under a new
            // name
            int copy = 2;
            while (held.indexOf(key + "#dup" + copy) >= 0) {
              copy++;
            }
            key = key + "#dup" + copy;
          }
          held.add((int) n, key, size);
        });
    if (fail[0] != null) {
      throw fail[0];
    }
    warn(gaps.warning(server(), sizes, listed));
    if (!sortLater) {
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

  private static int indexOfSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
        return i;
      }
    }
    return -1;
  }

  /**
   * A UID the state may key on, or null (the message then has no stable id: quirks Q27,
   * U-01..U-04).
   */
  private String validUid(String uid) {
    if (uid.isEmpty()
        || uid.length() > MessageRef.MAX_UID_LENGTH
        || uid.endsWith(Pop3Connection.TRUNCATED)) {
      connection.noticed(QuirkId.Q27);
      return null;
    }
    for (int i = 0; i < uid.length(); i++) {
      char c = uid.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        connection.noticed(QuirkId.Q27);
        return null;
      }
    }
    return uid;
  }

  /**
   * Case N-12 while pipelining: more replies than commands. The next session sends one at a time.
   */
  private FetchException repliesAhead(String what) {
    connection.markBroken();
    memory.stopPipelining(connection, QuirkId.Q21, null);
    return new FetchException(
        FetchError.PROTOCOL,
        server()
            + " sent more replies than commands: "
            + what
            + "; the session stops and pipelining is off for this server from now on");
  }

  private FetchException wrongOrder(String what, String line) {
    connection.markBroken();
    return new FetchException(
        FetchError.WRONG_ORDER, server() + ": " + what + " (RFC 1939 §5)", line, null);
  }

  /** A non-negative decimal of at most 18 digits, or -1. */
  private static long number(String s) {
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

  private boolean pipelining() {
    if (memory.noPipelining) {
      return false;
    }
    return settings.pipelining() != null
        ? settings.pipelining()
        : connection.capabilities().has("PIPELINING");
  }

  @Override
  public void retrieve(List<MessageRef> batch, MessageHandler handler) throws FetchException {
    retrieve(batch, LineEnding.CRLF, handler);
  }

  /**
   * As RETR bodies are read, each CRLF becomes LF by where the reader cuts its slices: no second
   * pass.
   */
  @Override
  public void retrieve(List<MessageRef> batch, LineEnding ending, MessageHandler handler)
      throws FetchException {
    retrieve(batch, List.of(), ending, handler);
  }

  /**
   * As above; with pipelining, the RETRs for {@code next} follow this batch's, so that their
   * replies travel while the engine makes this batch durable. The next {@code retrieve} takes them
   * up; any other call drops the session without QUIT (see {@link #dropAhead}).
   */
  @Override
  public void retrieve(
      List<MessageRef> batch, List<MessageRef> next, LineEnding ending, MessageHandler handler)
      throws FetchException {
    acquireKeepingAhead();
    try {
      if (listingSent) {
        dropListing();
      }
      connection.reader().lineEndsToLf(ending == LineEnding.LF);
      connection.reader().aboutMessages(true);
      bodiesLocked(batch, next, handler, "RETR", "");
    } catch (RuntimeException e) {
      // the handler stopped us mid-batch: replies are in flight, nothing more on this line
      connection.markBroken();
      throw e;
    } finally {
      connection.reader().aboutMessages(false);
      connection.reader().lineEndsToLf(false);
      connectionLock.unlock();
    }
  }

  /**
   * TOP for each message of {@code batch}: its header section and the first {@code lines} lines of
   * its body, handed to {@code handler} as {@link #retrieve} hands whole messages, pipelined in the
   * same window. Read-only: it marks nothing on servers that mark or delete on RETR (quirk Q45). A
   * {@code -ERR} fails that message only (quirk Q33, servers without TOP). A second {@code +OK}
   * where the content should start is dropped (quirk Q33, FTGate). The content is what the server
   * sent: a server that ignores {@code lines} or truncates (Q33) is for the caller to judge against
   * the listed size.
   */
  public void top(List<MessageRef> batch, int lines, MessageHandler handler) throws FetchException {
    if (lines < 0) {
      throw new IllegalArgumentException("lines must be 0 or more: " + lines);
    }
    acquireDroppingListing();
    try {
      bodiesLocked(batch, List.of(), handler, "TOP", " " + lines);
    } finally {
      connectionLock.unlock();
    }
  }

  /** The header sections, by {@code TOP n 0} (see {@link #top}). */
  @Override
  public void headers(List<MessageRef> batch, MessageHandler handler) throws FetchException {
    top(batch, 0, handler);
  }

  /**
   * {@code UIDL n} for each number, pipelined: the unique id of each message the server knows, in
   * the order asked; a number the server refuses ({@code -ERR}: deleted, or never there) or whose
   * id is not one a state may key on (quirk Q27) is absent. Quirk Q28: an answer without the number
   * ({@code +OK abc}) is taken when the rest is one token; an answer for another number is
   * WRONG_ORDER, or dropped with Tolerance.UNORDERED_LISTING; a multi-line answer is READ_ERROR,
   * and this server gets the bulk form ({@code UIDL}, keeping the numbers asked) from then on.
   */
  public Map<Integer, String> uids(List<Integer> numbers) throws FetchException {
    Map<Integer, String> out = new LinkedHashMap<>();
    acquireDroppingListing();
    try {
      singleLinesLocked(
          "UIDL",
          numbers,
          (n, value) -> {
            String uid = validUid(value);
            if (uid != null) {
              out.put(n, uid);
            }
          });
    } finally {
      connectionLock.unlock();
    }
    return out;
  }

  /**
   * {@code LIST n} for each number, pipelined: the size the server announces for each message it
   * knows, in the order asked; refused numbers are absent. Quirk Q28 as in {@link #uids}.
   */
  public Map<Integer, Long> sizes(List<Integer> numbers) throws FetchException {
    Map<Integer, Long> out = new LinkedHashMap<>();
    acquireDroppingListing();
    try {
      singleLinesLocked(
          "LIST",
          numbers,
          (n, value) -> {
            long size = number(value.split("[ \t]+", 2)[0]); // RFC 1939 lets more follow the size
            if (size < 0) {
              connection.markBroken();
              throw new FetchException(
                  FetchError.PROTOCOL,
                  server() + " answered LIST " + n + " without a valid size",
                  value,
                  null);
            }
            out.put(n, size);
          });
    } finally {
      connectionLock.unlock();
    }
    return out;
  }

  private interface NumberedValue {
    void accept(int number, String value) throws FetchException;
  }

  /**
   * "VERB n" for each number in a window; each +OK reply is "n value" (RFC 1939 §5, LIST and UIDL).
   */
  private void singleLinesLocked(String verb, List<Integer> numbers, NumberedValue each)
      throws FetchException {
    for (int n : numbers) {
      if (n < 1) {
        throw new IllegalArgumentException("message numbers start at 1: " + n);
      }
    }
    if (memory.noSingleForms) {
      bulkLocked(verb, numbers, each);
      return;
    }
    int window = pipelining() ? WINDOW : 1;
    ArrayDeque<Integer> queue = new ArrayDeque<>(numbers);
    ArrayDeque<Integer> sent = new ArrayDeque<>();
    boolean answered = false;
    while (!queue.isEmpty() || !sent.isEmpty()) {
      while (sent.size() < window && !queue.isEmpty()) {
        int n = queue.poll();
        connection.send(Pop3Command.plain(verb + " " + n));
        sent.add(n);
      }
      int n = sent.poll();
      String doing = verb + " " + n;
      Reply r;
      try {
        r = window > 1 && answered ? connection.queuedReply(doing) : connection.reply(doing);
        answered = true;
      } catch (FetchException e) {
        if (e.error() == FetchError.CONNECTION_TIMED_OUT && window > 1) {
          connection.markBroken();
          pipeliningStalled();
          throw new PipelinedUnanswered(e);
        }
        throw e;
      }
      if (!r.ok()) {
        log.debug("{} - {} refused {}: {}", settings.account(), server(), doing, r);
        continue;
      }
      String text = r.text().strip();
      if (text.isEmpty()) {
        connection
            .markBroken(); // the listing lines that may follow would be taken for the next replies
        memory.noSingleForms = true;
        connection.noticed(QuirkId.Q28);
        throw new FetchException(
            FetchError.READ_ERROR,
            server()
                + " answered "
                + doing
                + " without a value, as"
                + " if with a multi-line listing (quirk Q28); the bulk form is used with this server from now on",
            r.line(),
            null);
      }
      int sp = indexOfSpace(text);
      if (sp < 0) {
        connection.noticed(
            QuirkId.Q28); // the value without its number: one token, so nothing is ambiguous
        each.accept(n, text);
        continue;
      }
      long m = number(text.substring(0, sp));
      if (m != n) {
        connection.noticed(QuirkId.Q28);
        if (settings.tolerances().contains(Tolerance.UNORDERED_LISTING)) {
          log.warn(
              "{} - {} answered {} for message {}; dropped (quirk Q28)",
              settings.account(),
              server(),
              doing,
              m);
          continue;
        }
        throw wrongOrder("answered " + doing + " for another message (quirk Q28)", r.line());
      }
      each.accept(n, text.substring(sp).strip());
    }
  }

  /**
   * The bulk listing ("UIDL", "LIST"), keeping the numbers asked, for a server whose single forms
   * fail.
   */
  private void bulkLocked(String verb, List<Integer> numbers, NumberedValue each)
      throws FetchException {
    Set<Integer> wanted = new java.util.HashSet<>(numbers);
    Map<Integer, String> found = new HashMap<>();
    connection.send(Pop3Command.plain(verb));
    Reply r = connection.reply("listing (" + verb + ")");
    if (!r.ok()) {
      throw r.exception(
          FetchError.SERVER_TEMPORARY, server() + " could not list the messages (" + verb + ")");
    }
    connection.readListing(
        "listing (" + verb + ")",
        verb.equals("UIDL"),
        line -> {
          String l = line.strip();
          int sp = indexOfSpace(l);
          long n = sp < 0 ? -1 : number(l.substring(0, sp));
          if (n > 0 && n <= Integer.MAX_VALUE && wanted.contains((int) n)) {
            found.putIfAbsent((int) n, l.substring(sp).strip());
          }
        });
    for (int n : numbers) {
      String value = found.get(n);
      if (value != null) {
        each.accept(n, value);
      }
    }
  }

  /**
   * RETR or TOP ({@code verb}, then the number, then {@code suffix}) for each message of the batch.
   */
  private void bodiesLocked(
      List<MessageRef> batch,
      List<MessageRef> next,
      MessageHandler handler,
      String verb,
      String suffix)
      throws FetchException {
    boolean top = verb.equals("TOP");
    int window = pipelining() ? WINDOW : 1;
    List<MessageRef> following = window > 1 && !top ? next : List.of();
    int total = batch.size() + following.size();
    // What earlier calls requested ahead must be where this batch, then what follows it, begin.
    int requested = 0;
    for (Object sent : ahead) {
      if (sent instanceof MessageRef) {
        if (top || (requested < total && !sent.equals(nth(batch, following, requested)))) {
          throw dropAhead();
        }
        requested++;
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    Reply statusRead = aheadStatus;
    aheadStatus = null;
    // Each RETR is followed by one more command (the next RETR, or a closing NOOP) whose status
    // line proves that the message ended where the terminator said (quirk Q04).
    boolean closeWithNoop = requested <= batch.size() && following.isEmpty();
    Window w = new Window(batch, following, verb, suffix, window, requested, closeWithNoop);
    topUp(w, batch, handler);
    MessageRef pending = null; // a message whose bytes are in, awaiting the next status line
    int index = 0;
    while (true) {
      Object cmd = ahead.peekFirst();
      if (cmd == null) {
        throw new IllegalStateException(
            "no command in flight while reading message " + (index + 1) + " of a batch");
      }
      Reply r;
      try {
        if (statusRead != null) {
          r = statusRead;
          statusRead = null;
        } else {
          String doing =
              cmd == CLOSING_NOOP
                  ? "confirming the last message"
                  : cmd == KEEPALIVE_NOOP
                      ? "reading the answer to a keepalive NOOP"
                      : (top ? "reading the top of message " : "retrieving message ")
                          + ((MessageRef) cmd).number();
          r =
              window > 1 && pending != null
                  ? connection.queuedReply(doing)
                  : connection.reply(doing);
        }
      } catch (FetchException e) {
        if (e.error() == FetchError.CONNECTION_TIMED_OUT
            && window > 1
            && (pending == null || !connection.reader().lastBodyEndedAtCr())) {
          connection.markBroken();
          pipeliningStalled();
          if (pending != null) {
            // Silence after its terminator: nothing of it, nor of anything after it, was left to
            // come (a '.' left unescaped inside it, quirk Q04, is followed by the rest at once).
            handler.end();
          }
          throw new PipelinedUnanswered(e);
        }
        throw bodyFailed(e, pending, handler, window > 1);
      }
      if (pending != null) {
        handler.end(); // the status line after it parsed: the message is whole
        pending = null;
      }
      if (cmd == KEEPALIVE_NOOP) {
        ahead.pollFirst(); // sent during the engine's barrier, answered in its place
        noopsAhead--;
        continue;
      }
      if (index == batch.size()) {
        if (cmd == CLOSING_NOOP) {
          ahead.pollFirst();
        } else {
          aheadStatus =
              r; // the first reply of what follows: the engine's next call reads on from here
        }
        break;
      }
      ahead.pollFirst();
      MessageRef ref = batch.get(index++);
      w.received();
      if (!r.ok()) {
        connection.noticed(top ? QuirkId.Q33 : QuirkId.Q34);
        handler.failed(
            ref,
            top
                ? r.exception(
                    FetchError.SERVER_TEMPORARY,
                    server()
                        + " refused to send the top of"
                        + " message "
                        + ref.number()
                        + " (TOP); it stays there")
                : r.listedMessageRefused(server(), ref.number()));
        topUp(w, batch, handler);
        continue;
      }
      if (window > 1) {
        FetchException misplaced = misplaced(r, ref, batch, following, index, top);
        if (misplaced != null) {
          connection.markBroken();
          pipeliningStalled();
          throw new PipelinedUnanswered(misplaced);
        }
      }
      if (!top) {
        marks.retrieved(ref.number());
      }
      if (top && connection.reader().nextLineIsStatus()) {
        // Quirk Q33 (FTGate): TOP answers +OK twice. Dropping the second keeps the framing; no
        // decision that loses mail rests on what TOP returns.
        connection.noticed(QuirkId.Q33);
        connection.reader().readLineTruncating(settings.limits().maxStatusLine());
      }
      if (connection.reader().nextLineIsStatus()) {
        // A message that starts with a status line: the replies are one ahead of the commands
        // (case N-12). Nothing of it reaches the sink; pipelining is off for this server now.
        FetchException desync = repliesAhead("message " + ref.number() + " would be another reply");
        handler.failed(ref, desync);
        throw desync;
      }
      handler.start(ref);
      connection
          .reader()
          .deadline(
              System.nanoTime()
                  + settings.limits().commandTimeout().toNanos()
                  + (long) (ref.size() / 100_000.0 * 1e9),
              "receiving message " + ref.number());
      connection.reader().replyMayFollow(window > 1);
      long bodyStart = connection.reader().offset();
      try {
        connection
            .reader()
            .readBody(
                handler::data,
                settings.limits().maxMessageSize(),
                window == 1 && crTolerated() ? dotCrProbe : null);
        if (connection.reader().lastBodyProbed()) {
          // The probe's answer, a status line, shows the body ended where the reader stopped.
          connection.reply(
              "checking where message " + ref.number() + " ended (the quirk Q02 probe)");
        }
      } catch (FetchException e) {
        connection.markBroken();
        e = endless(e, ref, connection.reader().offset() - bodyStart);
        if (connection.reader().lastBodyRanIntoReply() != null) {
          // The body ran into the next reply (Q02, Q03): one command at a time from now on, where
          // such a message stalls (or, Q02 with its tolerance, is probed) instead of swallowing the
          // next.
          memory.stopPipelining(connection, connection.reader().lastBodyRanIntoReply(), null);
        }
        handler.failed(ref, e);
        throw e;
      }
      if (connection.reader().lastBodyEndedAtCr()) {
        connection.noticed(
            QuirkId.Q02); // whole only if the next line is a status line, checked above on the next
        // turn
      }
      pending = ref;
      // Only now, with this body read, may a non-pipelining client send its next command.
      w.topUp();
    }
  }

  /**
   * Sends what the window has room for, with no message of the batch half read. A connection that
   * breaks on the way out while a command of the batch is already in flight broke while the server
   * was answering it (quirk Q36: a server that resets inside RETR 1 is met while RETR 2 goes out,
   * and the kernel drops what of message 1 had come): that message is the one cut off, as if the
   * reset had been met reading it, so a message that breaks the connection run after run is counted
   * against every time, whatever the timing.
   */
  private void topUp(Window w, List<MessageRef> batch, MessageHandler handler)
      throws FetchException {
    try {
      w.topUp();
    } catch (FetchException e) {
      if (e.error() != FetchError.CONNECTION_RESET) {
        throw e;
      }
      for (Object cmd : ahead) {
        if (cmd instanceof MessageRef && batch.contains(cmd)) {
          MessageRef due = (MessageRef) cmd;
          FetchException cut =
              new FetchException(
                  FetchError.CONNECTION_RESET,
                  "the connection broke while message "
                      + due.number()
                      + " was due (met while sending the next command)"
                      + (e.getCause() == null || e.getCause().getMessage() == null
                          ? ""
                          : ": " + e.getCause().getMessage()),
                  e.serverReply().orElse(null),
                  e,
                  e.remedy());
          handler.failed(due, cut);
          throw cut;
        }
      }
      throw e;
    }
  }

  /**
   * Pipelined, a server that dropped the command for {@code ref} (quirk Q21) answers a later one in
   * its place: a reply that names the size of another message in flight instead of this one's, or
   * one that nothing follows within {@link #QUEUED_WAIT} (a keepalive NOOP's bare +OK). Null when
   * the reply fits; either way nothing of the message was handed over yet.
   */
  private FetchException misplaced(
      Reply r,
      MessageRef ref,
      List<MessageRef> batch,
      List<MessageRef> following,
      int index,
      boolean top)
      throws FetchException {
    String what = (top ? "TOP " : "RETR ") + ref.number();
    String[] f = r.text().strip().split("[ \t]+");
    long octets = !top && f.length >= 2 && f[1].equalsIgnoreCase("octets") ? number(f[0]) : -1;
    if (octets >= 0 && octets != ref.size()) {
      for (int j = index; j < batch.size() + following.size(); j++) {
        MessageRef later = nth(batch, following, j);
        if (later.size() == octets) {
          return new FetchException(
              FetchError.PROTOCOL,
              server()
                  + " answered "
                  + what
                  + " with the size of message "
                  + later.number()
                  + ": it dropped a pipelined command (quirk Q21)",
              r.line(),
              null);
        }
      }
    }
    return connection.withinQueuedWait(
        () -> {
          try {
            connection.reader().nextLineIsStatus(); // waits for the first bytes of the content
            return null;
          } catch (FetchException e) {
            if (e.error() != FetchError.CONNECTION_TIMED_OUT) {
              throw e;
            }
            return new FetchException(
                FetchError.CONNECTION_TIMED_OUT,
                server()
                    + " answered "
                    + what
                    + " and then sent"
                    + " nothing of it: another command's reply in place of one it dropped (quirk Q21)",
                r.line(),
                e);
          }
        });
  }

  /**
   * A body whose deadline passed while it still came, far past the size the server listed for it
   * (case R-03): a server sending without end, which more time would not mend. Else {@code e}.
   */
  private FetchException endless(FetchException e, MessageRef ref, long received) {
    if (e.error() != FetchError.CONNECTION_TIMED_OUT
        || e.getCause() instanceof SocketTimeoutException
        || received <= Math.max(2 * ref.size(), ref.size() + 1_000_000)) {
      return e; // silence, or a body not past its size: a slow server, as the error says
    }
    return new FetchException(
        FetchError.CONNECTION_TIMED_OUT,
        "message "
            + ref.number()
            + " was still arriving when"
            + " its time ran out, "
            + dev.mailfetch.api.internal.Sizes.size(received)
            + " into a message the server"
            + " listed as "
            + dev.mailfetch.api.internal.Sizes.size(ref.size())
            + ": the server sends it without end"
            + " (broken or hostile); it stays on the server",
        null,
        e,
        Remedy.of(
            "Tell the provider that their server sends message "
                + ref.number()
                + " without end; more time would"
                + " not help. Until it is mended, the message stays on the server and the run stops there.",
            "Tell the provider that their server sends message "
                + ref.number()
                + " without end; a longer deadline"
                + " would not help. Until it is mended, the message stays on the server and the run stops there."));
  }

  /**
   * A reply after {@code pending} (null if none) failed with {@code e}: what the caller throws,
   * handed over.
   */
  private FetchException bodyFailed(
      FetchException e, MessageRef pending, MessageHandler handler, boolean pipelined) {
    if (e.error() == FetchError.CONNECTION_TIMED_OUT && pipelined) {
      pipeliningStalled();
    }
    FetchException stray = pending == null ? null : strayTerminator(pending, e);
    if (stray != null) {
      handler.failed(pending, stray);
      return stray;
    }
    if (pending != null) {
      FetchException framing =
          e.error() == FetchError.READ_ERROR || e.error() == FetchError.EMPTY_LINE
              ? new FetchException(
                  FetchError.READ_ERROR,
                  "message "
                      + pending.number()
                      + " did not end where its"
                      + " terminator said: the server probably left a line with a single '.' unescaped (quirk Q04);"
                      + " it stays on the server",
                  e.serverReply().orElse(null),
                  e)
              : e;
      handler.failed(pending, framing);
      return framing;
    }
    return e;
  }

  /**
   * Quirk Q11's stray end marker (hMailServer): where the reply after message {@code pending} was
   * due came an empty line and a lone '.' ({@code e}: the empty line, or with Tolerance.EMPTY_LINES
   * the '.' after it). The same bytes are what a message whose last lines are a lone '.' and an
   * empty line looks like when the server leaves that '.' unescaped (quirk Q04), so the message is
   * not stored either way; null where {@code e} is something else.
   */
  private FetchException strayTerminator(MessageRef pending, FetchException e) {
    boolean dot = e.error() == FetchError.READ_ERROR && ".".equals(e.serverReply().orElse(null));
    if (!dot && e.error() == FetchError.EMPTY_LINE) {
      try {
        dot =
            connection
                .reader()
                .readLine(settings.limits().maxStatusLine(), Limit.STATUS_LINE)
                .equals(".");
      } catch (FetchException unread) {
        return null; // nothing more came: the empty line stands on its own
      }
    }
    return !dot
        ? null
        : new FetchException(
            FetchError.EMPTY_LINE,
            "after message "
                + pending.number()
                + "'s end"
                + " marker the server sent an empty line and a lone '.' where the next reply was due: a stray end marker"
                + " (quirk Q11), or a line with a single '.' it left unescaped at the end of message "
                + pending.number()
                + " (quirk Q04); the two cannot be told apart, so the message is not stored and stays on the server",
            null,
            e,
            Advice.strayTerminator());
  }

  private static MessageRef nth(List<MessageRef> batch, List<MessageRef> following, int i) {
    return i < batch.size() ? batch.get(i) : following.get(i - batch.size());
  }

  /**
   * The RETRs (or TOPs) of one call in flight: this batch's, then, with pipelining, those of what
   * follows it, never more than {@code size} unanswered; the closing NOOP, if any, goes with the
   * last of them, outside the window (it carries no message), or, one command at a time, after it.
   */
  private final class Window {
    private final List<MessageRef> batch;
    private final List<MessageRef> following;
    private final String verb;
    private final String suffix;
    private final int size;
    private final int total;
    private int sent;
    private int unanswered;
    private boolean noopDue;

    Window(
        List<MessageRef> batch,
        List<MessageRef> following,
        String verb,
        String suffix,
        int size,
        int requested,
        boolean closeWithNoop) {
      this.batch = batch;
      this.following = following;
      this.verb = verb;
      this.suffix = suffix;
      this.size = size;
      this.total = batch.size() + following.size();
      this.sent = requested;
      this.unanswered = requested;
      this.noopDue = closeWithNoop;
    }

    void received() {
      unanswered--;
    }

    void topUp() throws FetchException {
      while (unanswered < size && sent < total) {
        MessageRef ref = nth(batch, following, sent++);
        String c = verb + " " + ref.number() + suffix;
        connection.send(Pop3Command.plain(c));
        ahead.addLast(ref);
        unanswered++;
      }
      if (noopDue && sent == total && (size > 1 || unanswered == 0)) {
        connection.send(Pop3Commands.NOOP);
        ahead.addLast(CLOSING_NOOP);
        noopDue = false;
      }
    }
  }

  /**
   * The engine did not take up the RETRs sent ahead (it stopped, or it deletes or quits first): the
   * session is dropped without QUIT, as after a crash. Reading those messages and then ending with
   * QUIT could make a server that forgets what was retrieved (Gmail's POP, quirk Q31) forget
   * messages that were never stored; without QUIT a server deletes nothing (RFC 1939 §6), so the
   * run's deletions simply wait for the next run.
   */
  private FetchException dropAhead() {
    int n = 0;
    for (Object sent : ahead) {
      n += sent instanceof MessageRef ? 1 : 0;
    }
    ahead.clear();
    aheadStatus = null;
    noopsAhead = 0;
    connection.markBroken();
    close();
    return new FetchException(
        FetchError.PROTOCOL,
        "the session with "
            + server()
            + " was dropped without QUIT: "
            + n
            + " messages requested ahead were not taken up, and some servers forget retrieved messages at QUIT"
            + " (quirk Q31); nothing is deleted this time");
  }

  private boolean crTolerated() {
    return settings.tolerances().contains(Tolerance.CR_TERMINATOR);
  }

  /**
   * Quirk Q02 on a server that does not pipeline: a body resting at ".\r" gets, after a grace (5 s,
   * or half the read timeout if that is shorter), one NOOP; a reply that follows the CR, or a late
   * LF and then the reply, both end the message there, proven by the NOOP's status line.
   */
  private final Pop3Reader.DotCrProbe dotCrProbe =
      new Pop3Reader.DotCrProbe() {
        @Override
        public void readTimeout(Duration wait) throws FetchException {
          connection.readTimeout(wait);
        }

        @Override
        public Duration grace() {
          Duration half = settings.limits().readTimeout().dividedBy(2);
          return half.compareTo(Q02_GRACE) < 0 ? half : Q02_GRACE;
        }

        @Override
        public void send() throws FetchException {
          connection.noticed(QuirkId.Q02);
          connection.send(Q02_PROBE);
        }
      };

  /** RFC 2449 P6: no answer while pipelining; a false alarm only costs speed next time. */
  private void pipeliningStalled() {
    // quirk Q21: the next session goes one command at a time
    memory.stopPipelining(
        connection, QuirkId.Q21, server() + " stopped answering pipelined commands");
  }

  /**
   * RSET, before any DELE of the session: a server that marks what RETR sent as deleted (quirk Q31,
   * MercuryP) would remove these at QUIT, and they were never stored. On a server without that
   * habit RSET changes nothing, as no DELE was sent yet. A refused RSET is an error: the engine
   * then ends without QUIT.
   */
  @Override
  public void keep(List<MessageRef> retrievedNotStored) throws FetchException {
    if (retrievedNotStored.isEmpty()) {
      return;
    }
    marks.notStored();
    acquireDroppingListing();
    try {
      connection.send(Pop3Commands.RSET);
      Reply r =
          connection.reply(
              "keeping " + retrievedNotStored.size() + " messages that were not stored (RSET)");
      if (!r.ok()) {
        connection.markBroken();
        throw r.exception(
            FetchError.PROTOCOL,
            server()
                + " refused RSET: messages it sent but that were not"
                + " stored might be removed at QUIT (quirk Q31), so the session ends without QUIT");
      }
    } finally {
      connectionLock.unlock();
    }
  }

  @Override
  public Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
    acquireDroppingListing();
    try {
      return deleteLocked(messages);
    } finally {
      connectionLock.unlock();
    }
  }

  private Set<MessageRef> deleteLocked(List<MessageRef> messages) throws FetchException {
    Set<MessageRef> accepted = new LinkedHashSet<>();
    int window = pipelining() ? WINDOW : 1;
    boolean answered = false;
    ArrayDeque<MessageRef> queue = new ArrayDeque<>(messages);
    ArrayDeque<MessageRef> sent = new ArrayDeque<>();
    while (!queue.isEmpty() || !sent.isEmpty()) {
      while (sent.size() < window && !queue.isEmpty()) {
        MessageRef ref = queue.poll();
        connection.send(Pop3Commands.dele(ref.number()));
        sent.add(ref);
      }
      MessageRef ref = sent.poll();
      Reply r;
      try {
        r =
            window > 1 && answered
                ? connection.queuedReply("deleting message " + ref.number())
                : connection.reply("deleting message " + ref.number());
        answered = true;
      } catch (FetchException e) {
        if (e.error() == FetchError.CONNECTION_TIMED_OUT && window > 1) {
          connection
              .markBroken(); // without QUIT, the DELEs this connection took are void (RFC 1939 §6)
          pipeliningStalled();
          throw new PipelinedUnanswered(e);
        }
        throw e;
      }
      if (r.ok() || marks.alreadyDeleted(ref.number(), r)) {
        if (!r.ok()) {
          connection.noticed(
              QuirkId.Q31); // RETR marked it deleted already: the deletion asked for holds
        }
        accepted.add(ref);
        marks.marked();
      } else {
        lastRefusal = r.line();
        log.debug("{} - {} refused DELE {}: {}", settings.account(), server(), ref.number(), r);
      }
    }
    return accepted;
  }

  @Override
  public boolean quit() {
    stopKeepAlive();
    try {
      acquireDroppingListing();
    } catch (FetchException e) {
      return false; // the keepalive's answers did not come: the session is broken, QUIT cannot
      // confirm
    }
    try {
      return quitLocked();
    } finally {
      connectionLock.unlock();
    }
  }

  private boolean quitLocked() {
    if (connection.isBroken() || connection.socket() == null) {
      return false;
    }
    if (marks.endWithoutQuit() || (marks.rsetBeforeQuit() && !unmarkRetrieved())) {
      close(); // nothing to commit, and a message not stored must not be removed at QUIT
      // (RetrievedMarks)
      return false;
    }
    try {
      connection.send(Pop3Commands.QUIT);
      connection
          .reader()
          .deadline(
              System.nanoTime() + Duration.ofSeconds(10).toNanos(), "waiting for the QUIT reply");
      Reply r = connection.reply("waiting for the QUIT reply");
      if (!r.ok()) {
        connection.noticed(QuirkId.Q35);
        lastRefusal = r.line();
        log.debug(
            "{} - {} answered QUIT with {}: deletions not confirmed",
            settings.account(),
            server(),
            r);
      } else {
        warn(marks.quitDeletedMore(server(), r));
      }
      return r.ok();
    } catch (FetchException e) {
      connection.noticed(QuirkId.Q35);
      log.debug(
          "{} - no reply to QUIT from {}: deletions not confirmed ({})",
          settings.account(),
          server(),
          e.getMessage());
      return false;
    } finally {
      close();
    }
  }

  /**
   * RSET before QUIT, where mail was retrieved and none marked for deletion (see {@link
   * RetrievedMarks}); STAT first, whose count falls below the listing's on a server whose RETR
   * marks (quirk Q31). False when either failed: the session then ends without QUIT, which commits
   * nothing.
   */
  private boolean unmarkRetrieved() {
    try {
      connection.send(Pop3Commands.STAT);
      Reply stat = connection.reply("counting messages before RSET (STAT)");
      long now = stat.ok() ? number(stat.text().split("[ \t]+")[0]) : -1;
      if (now >= 0 && now < messageCount) {
        connection.noticed(QuirkId.Q31);
      }
      connection.send(Pop3Commands.RSET);
      return connection.reply("undoing the deletion marks a server may set on RETR (RSET)").ok();
    } catch (FetchException e) {
      log.debug(
          "{} - STAT and RSET before QUIT failed ({}); ending without QUIT",
          settings.account(),
          e.getMessage());
      return false;
    }
  }

  /**
   * Takes the connection for a command other than retrieve; with RETRs sent ahead, the session is
   * dropped.
   */
  private void acquire() throws FetchException {
    acquireKeepingAhead();
    if (!ahead.isEmpty()) {
      FetchException dropped = dropAhead();
      connectionLock.unlock();
      throw dropped;
    }
  }

  /**
   * As {@link #acquire}, for a command other than the listing: a listing sent ahead is read first.
   */
  private void acquireDroppingListing() throws FetchException {
    acquire();
    if (listingSent) {
      try {
        dropListing();
      } catch (FetchException e) {
        connectionLock.unlock();
        throw e;
      }
    }
  }

  /** Takes the connection for a retrieve, which may take up what the last one sent ahead. */
  private void acquireKeepingAhead() throws FetchException {
    connectionLock.lock();
    try {
      while (unansweredNoops > 0) {
        unansweredNoops--;
        Reply r = connection.reply("reading the answer to a keepalive NOOP");
        if (!r.ok()) {
          log.debug("{} - {} answered a keepalive NOOP with {}", settings.account(), server(), r);
        }
      }
    } catch (FetchException e) {
      connectionLock.unlock();
      throw e;
    }
  }

  /**
   * Sends NOOP whenever the connection has had no command for {@code keepAliveInterval} and the
   * caller is not using it (it holds {@link #connectionLock} while it does), so that a slow sink's
   * barrier does not let the server drop the session (quirk Q43). NOOP is allowed only after login
   * (RFC 1939), which is when this starts. The answers are read by the engine's next call, not
   * here: one thread serves every session, and a server slow to answer must not hold up the others.
   */
  private void startKeepAlive() {
    long every = settings.limits().keepAliveInterval().toNanos();
    long tick = Math.max(50_000_000L, every / 4);
    keepAlive =
        KEEPALIVE.scheduleWithFixedDelay(
            () -> {
              if (connection.isBroken()
                  || System.nanoTime() - connection.lastCommand() < every
                  || !connectionLock.tryLock()) {
                return;
              }
              if (listingSent) { // the listing's replies are on their way: the server is not idle
                connectionLock.unlock();
                return;
              }
              try {
                if (!connection.isBroken()
                    && unansweredNoops + noopsAhead < MAX_UNANSWERED_NOOPS
                    && System.nanoTime() - connection.lastCommand() >= every) {
                  connection.send(NOOP_KEEPALIVE);
                  if (ahead.isEmpty()) {
                    unansweredNoops++;
                  } else {
                    ahead.addLast(
                        KEEPALIVE_NOOP); // answered after the RETRs sent ahead, read in its place
                    noopsAhead++;
                  }
                }
              } catch (FetchException e) {
                log.debug("{} - keepalive NOOP failed: {}", settings.account(), e.getMessage());
              } finally {
                connectionLock.unlock();
              }
            },
            tick,
            tick,
            TimeUnit.NANOSECONDS);
  }

  private static ScheduledExecutorService keepAliveExecutor() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mailfetch-pop3-keepalive");
              t.setDaemon(true);
              return t;
            });
    e.setRemoveOnCancelPolicy(true); // an ended session leaves nothing behind in the queue
    // With no session open the thread ends, so an embedder that unloads us (a redeployed web
    // application) is not kept alive by it.
    e.setKeepAliveTime(30, TimeUnit.SECONDS);
    e.allowCoreThreadTimeOut(true);
    return e;
  }

  private void stopKeepAlive() {
    if (keepAlive != null) {
      keepAlive.cancel(false);
    }
  }

  @Override
  public void close() {
    stopKeepAlive();
    connection.close();
  }

  @Override
  public String toString() {
    return "Pop3Session["
        + settings.account()
        + " at "
        + server()
        + (connection.tls() ? ", TLS" : "")
        + "]";
  }
}
