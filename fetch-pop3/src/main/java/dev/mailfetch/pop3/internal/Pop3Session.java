package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.HeaderReading;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.Retrieval;
import dev.mailfetch.api.RetrievalMarks;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One POP3 session, as a {@link FetchSession}. The lifecycle (RFC 1939, 2449, 2595, 5034), each
 * step in the class that owns it:
 *
 * <ol>
 *   <li>connect; for implicit TLS, the handshake (TLS 1.2 or later, SNI, host name checked): {@link
 *       Pop3Connection};
 *   <li>greeting, CAPA; for STARTTLS, STLS (refused up front if not offered; bytes buffered after
 *       its reply are an injection), the handshake, CAPA again: {@link Greeting};
 *   <li>UTF8, where CAPA offers it (RFC 6856; {@link Utf8Mode});
 *   <li>login with the strongest allowed mechanism the server offers ({@link Login}); CAPA again;
 *   <li>STAT, LIST, UIDL: streamed, validated ({@link ListingReader});
 *   <li>RETR in pipelined batches: a message is whole only when the status line after it parses
 *       ({@link RetrievalPipeline}); NOOPs while the engine is busy ({@link KeepAlive});
 *   <li>DELE, QUIT ({@link Deletions}).
 * </ol>
 *
 * <p>Nothing secret reaches the trace: PASS, AUTH responses and APOP digests are shown redacted
 * ({@link Pop3Commands}).
 */
public final class Pop3Session implements FetchSession {
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);

  private static final Pop3Command NOOP_KEEPALIVE = Pop3Commands.NOOP.noted("keepalive");

  /** Past this many unread keepalive answers (over four hours at 15 s) the keepalive stops. */
  private static final int MAX_UNANSWERED_NOOPS = 1024;

  private final Pop3Settings settings;
  private final Pop3Connection connection;

  /** What this session noticed that a person must know ({@link #warnings()}). */
  private final List<FetchException> warnings = new CopyOnWriteArrayList<>();

  private final ListingReader listing;
  private final RetrievalPipeline pipeline;
  private final Deletions deletions;
  private final KeepAlive keepAlive = new KeepAlive();

  /**
   * Held by every use of the connection: the engine's calls and the keepalive's NOOP. One rule:
   * only this class takes and releases it, each public call as {@code lock(); try { … } finally {
   * unlock(); }} and the keepalive as {@code tryLock()} with the same {@code finally}; the classes
   * it delegates to ({@link ListingReader}, {@link RetrievalPipeline}, {@link Deletions}, {@link
   * SingleForms}) run with it held and never touch it.
   */
  private final ReentrantLock connectionLock = new ReentrantLock();

  /** Keepalive NOOPs whose answers are still to be read (only under {@link #connectionLock}). */
  private int unansweredNoops;

  private Pop3Session(Pop3Settings settings, ServerMemory memory) {
    this.settings = settings;
    this.connection = new Pop3Connection(settings, memory);
    this.listing = new ListingReader(connection, warnings::add);
    RetrievedMarks marks = new RetrievedMarks();
    this.pipeline = new RetrievalPipeline(connection, marks, this::close);
    this.deletions =
        new Deletions(connection, marks, listing::messageCount, warnings::add, this::close);
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
    Pop3Connection connection = session.connection;
    try {
      connection.connect();
      Greeting.greetAndSecure(connection);
      Utf8Mode.enable(connection); // RFC 6856: in the AUTHORIZATION state, so before the login
      new Login(connection).login();
      session.listing.capaAndListing();
      session.listing.probeUidl();
      session.keepAlive.start(
          settings.limits().keepAliveInterval(), connection::lastCommand, session::keepAliveNoop);
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

  // ---------------------------------------------------------------- FetchSession

  @Override
  public Capabilities capabilities() {
    Pop3Capabilities caps = connection.capabilities();
    return new Capabilities(listing.stableUids(), caps.expire(), caps.loginDelay(), caps.lines());
  }

  @Override
  public String server() {
    return connection.server();
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
    return Optional.ofNullable(deletions.lastRefusal());
  }

  @Override
  public void list(ListingHandler handler) throws FetchException {
    connectionLock.lock();
    try {
      readKeepAliveAnswers();
      dropRetrsAhead();
      listing.list(handler);
    } finally {
      connectionLock.unlock();
    }
  }

  /**
   * With pipelining, the RETRs for {@code request.following()} follow this batch's, so that their
   * replies travel while the engine makes this batch durable. The next {@code retrieve} takes them
   * up; any other call drops the session without QUIT (see {@link RetrievalPipeline#dropAhead}). As
   * RETR bodies are read, each CRLF becomes LF by where the reader cuts its slices: no second pass.
   */
  @Override
  public void retrieve(Retrieval request, MessageHandler handler) throws FetchException {
    connectionLock.lock();
    try {
      readKeepAliveAnswers();
      Pop3Reader reader = connection.reader();
      try {
        if (listing.sentAhead()) {
          listing.dropSentAhead();
        }
        reader.lineEndsToLf(request.lineEnding() == LineEnding.LF);
        reader.aboutMessages(true);
        pipeline.retrieve(request.batch(), request.following(), handler);
      } catch (RuntimeException e) {
        // the handler stopped us mid-batch: replies are in flight, nothing more on this line
        connection.markBroken();
        throw e;
      } finally {
        reader.aboutMessages(false);
        reader.lineEndsToLf(false);
      }
    } finally {
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
    connectionLock.lock();
    try {
      beforeOtherCommands();
      pipeline.top(batch, lines, handler);
    } finally {
      connectionLock.unlock();
    }
  }

  /** The header sections, by {@code TOP n 0} (see {@link #top}). */
  @Override
  public Optional<HeaderReading> headerReading() {
    return Optional.of((batch, handler) -> top(batch, 0, handler));
  }

  /**
   * {@code UIDL n} for each number ({@link SingleForms#uids}): the unique ids the server gives,
   * absent where refused or not one a state may key on.
   */
  Map<Integer, String> uids(List<Integer> numbers) throws FetchException {
    connectionLock.lock();
    try {
      beforeOtherCommands();
      return new SingleForms(connection).uids(numbers);
    } finally {
      connectionLock.unlock();
    }
  }

  /** {@code LIST n} for each number ({@link SingleForms#sizes}): the sizes the server announces. */
  Map<Integer, Long> sizes(List<Integer> numbers) throws FetchException {
    connectionLock.lock();
    try {
      beforeOtherCommands();
      return new SingleForms(connection).sizes(numbers);
    } finally {
      connectionLock.unlock();
    }
  }

  /** RSET, through {@link #unmark}. */
  @Override
  public Optional<RetrievalMarks> retrievalMarks() {
    return Optional.of(this::unmark);
  }

  /** RSET for what was retrieved but not stored ({@link Deletions#keep}). */
  public void unmark(List<MessageRef> retrievedNotStored) throws FetchException {
    if (retrievedNotStored.isEmpty()) {
      return;
    }
    deletions.notStored();
    connectionLock.lock();
    try {
      beforeOtherCommands();
      deletions.keep(retrievedNotStored.size());
    } finally {
      connectionLock.unlock();
    }
  }

  @Override
  public Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
    connectionLock.lock();
    try {
      beforeOtherCommands();
      return deletions.delete(messages);
    } finally {
      connectionLock.unlock();
    }
  }

  @Override
  public boolean quit() {
    keepAlive.stop();
    connectionLock.lock();
    try {
      try {
        beforeOtherCommands();
      } catch (FetchException e) {
        // the keepalive's answers did not come: the session is broken, QUIT cannot confirm
        return false;
      }
      return deletions.quit();
    } finally {
      connectionLock.unlock();
    }
  }

  @Override
  public void close() {
    keepAlive.stop();
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

  // ---------------------------------------------------------------- before a call, under the lock

  /** Reads the answers to keepalive NOOPs sent while the connection was idle. */
  private void readKeepAliveAnswers() throws FetchException {
    while (unansweredNoops > 0) {
      unansweredNoops--;
      Reply r = connection.reply("reading the answer to a keepalive NOOP");
      if (!r.ok()) {
        log.debug("{} - {} answered a keepalive NOOP with {}", settings.account(), server(), r);
      }
    }
  }

  /** With RETRs sent ahead that a call other than retrieve would leave, the session is dropped. */
  private void dropRetrsAhead() throws FetchException {
    if (pipeline.hasAhead()) {
      throw pipeline.dropAhead();
    }
  }

  /** Before a command other than the listing or a retrieve: a listing sent ahead is read first. */
  private void beforeOtherCommands() throws FetchException {
    readKeepAliveAnswers();
    dropRetrsAhead();
    if (listing.sentAhead()) {
      listing.dropSentAhead();
    }
  }

  /**
   * Sends NOOP when the connection has had no command for {@code keepAliveInterval} and the caller
   * is not using it (it holds {@link #connectionLock} while it does), so that a slow sink's barrier
   * does not let the server drop the session (quirk Q43). NOOP is allowed only after login (RFC
   * 1939), which is when this starts. The answers are read by the engine's next call, not here: one
   * thread serves every session, and a server slow to answer must not hold up the others.
   */
  private void keepAliveNoop() {
    if (connection.isBroken() || !connectionLock.tryLock()) {
      return;
    }
    try {
      if (listing.sentAhead()) { // the listing's replies are on their way: the server is not idle
        return;
      }
      if (!connection.isBroken()
          && unansweredNoops + pipeline.noopsAhead() < MAX_UNANSWERED_NOOPS
          && keepAlive.idle()) {
        connection.send(NOOP_KEEPALIVE);
        if (!pipeline.keepAliveSent()) {
          unansweredNoops++;
        }
      }
    } catch (FetchException e) {
      log.debug("{} - keepalive NOOP failed: {}", settings.account(), e.getMessage());
    } finally {
      connectionLock.unlock();
    }
  }
}
