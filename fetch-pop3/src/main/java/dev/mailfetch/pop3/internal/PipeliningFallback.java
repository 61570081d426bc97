package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.HeaderReading;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retrieval;
import dev.mailfetch.api.RetrievalMarks;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A POP3 session that survives a server which announces PIPELINING and then drops or stalls on
 * queued commands (quirk Q21), within the same run: when a pipelined command goes unanswered (while
 * listing, retrieving or deleting), the broken connection is closed without QUIT (so the server
 * commits none of its deletions, RFC 1939 §6), a new one logs in and sends one command at a time,
 * and the call is done again for what it had not finished. The server's maildrop lock may outlive
 * the old connection for a moment: {@code [IN-USE]} is retried within the reply deadline. Before
 * retrieving or deleting by number on the new connection, each message's number is checked to name
 * the same message (its UID, or its size without UIDs); if not, the run stops with that said.
 */
public final class PipeliningFallback implements FetchSession {
  private static final Logger log = LoggerFactory.getLogger(PipeliningFallback.class);

  /** The first wait after {@code [IN-USE]}; doubled each time, up to two seconds. */
  private static final Duration FIRST_PAUSE = Duration.ofMillis(100);

  private final Pop3Settings settings;
  private final ServerMemory learnt;
  private Pop3Session current;

  /** What earlier connections of this session noticed. */
  private final Set<QuirkId> quirks = new LinkedHashSet<>();

  private final List<FetchException> warnings = new ArrayList<>();
  private int listedCount = -1;

  private PipeliningFallback(Pop3Settings settings, ServerMemory learnt, Pop3Session first) {
    this.settings = settings;
    this.learnt = learnt;
    this.current = first;
  }

  /**
   * Connects, secures and logs in; a pipelined listing sent with the CAPA that goes unanswered
   * costs one reconnect.
   */
  public static FetchSession open(Pop3Settings settings, ServerMemory learnt)
      throws FetchException {
    try {
      return new PipeliningFallback(settings, learnt, Pop3Session.open(settings, learnt));
    } catch (PipelinedUnanswered e) {
      return new PipeliningFallback(settings, learnt, reopen(settings, learnt, e));
    }
  }

  /**
   * A new connection, one command at a time; {@code [IN-USE]} (the old one's lock) retried within
   * the reply deadline.
   */
  private static Pop3Session reopen(Pop3Settings settings, ServerMemory learnt, FetchException why)
      throws FetchException {
    learnt.noPipelining = true;
    log.info(
        "{} - {}:{} left pipelined commands unanswered (quirk Q21): connecting again, one command at a time",
        settings.account(),
        settings.host(),
        settings.port());
    long deadline = System.nanoTime() + settings.limits().commandTimeout().toNanos();
    long pause = FIRST_PAUSE.toNanos();
    while (true) {
      try {
        return Pop3Session.open(settings, learnt);
      } catch (FetchException e) {
        if (e.error() != FetchError.LOCKED || System.nanoTime() + pause > deadline) {
          e.addSuppressed(why);
          throw e;
        }
      }
      try {
        Thread.sleep(pause / 1_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FetchException(
            FetchError.CONNECTION_RESET,
            "interrupted while connecting again to " + settings.host() + ":" + settings.port(),
            e);
      }
      pause = Math.min(pause * 2, Duration.ofSeconds(2).toNanos());
    }
  }

  private void fallBack(PipelinedUnanswered e) throws FetchException {
    Pop3Session old = current;
    quirks.addAll(old.quirksNoticed());
    quirks.add(QuirkId.Q21);
    warnings.addAll(old.warnings());
    old.close(); // without QUIT: nothing it was asked to delete is deleted
    current = reopen(settings, learnt, e);
  }

  /** The connection in use now, for what only POP3 offers (TOP, {@code UIDL n}, {@code LIST n}). */
  public Pop3Session connection() {
    return current;
  }

  @Override
  public Capabilities capabilities() {
    return current.capabilities();
  }

  @Override
  public String server() {
    return current.server();
  }

  @Override
  public void list(ListingHandler handler) throws FetchException {
    ListingHandler once =
        new ListingHandler() {
          @Override
          public void count(int messages, long octets) throws FetchException {
            if (listedCount < 0) {
              listedCount = messages;
              handler.count(messages, octets);
            } else if (messages != listedCount) {
              throw changed(
                  "it counted "
                      + listedCount
                      + " messages on the first connection and "
                      + messages
                      + " on the second");
            }
          }

          @Override
          public void message(MessageRef ref) throws FetchException {
            handler.message(ref);
          }
        };
    try {
      current.list(once);
    } catch (PipelinedUnanswered e) {
      fallBack(e);
      current.list(once);
    }
  }

  @Override
  public void retrieve(Retrieval request, MessageHandler handler) throws FetchException {
    Settled settled = new Settled(handler);
    try {
      current.retrieve(request, settled);
    } catch (PipelinedUnanswered e) {
      fallBack(e);
      List<MessageRef> rest = settled.rest(request.batch());
      sameNumbers(rest);
      current.retrieve(Retrieval.of(rest).withLineEnding(request.lineEnding()), settled);
    }
  }

  /** {@code TOP n 0} on the connection in use at each call (see {@link Pop3Session#top}). */
  @Override
  public Optional<HeaderReading> headerReading() {
    return Optional.of(this::readHeaders);
  }

  private void readHeaders(List<MessageRef> batch, MessageHandler handler) throws FetchException {
    Settled settled = new Settled(handler);
    try {
      current.top(batch, 0, settled);
    } catch (PipelinedUnanswered e) {
      fallBack(e);
      List<MessageRef> rest = settled.rest(batch);
      sameNumbers(rest);
      current.top(rest, 0, settled);
    }
  }

  /** RSET on the connection in use at the call (see {@link Pop3Session#unmark}). */
  @Override
  public Optional<RetrievalMarks> retrievalMarks() {
    return Optional.of(retrievedNotStored -> current.unmark(retrievedNotStored));
  }

  @Override
  public Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
    try {
      return current.delete(messages);
    } catch (PipelinedUnanswered e) {
      fallBack(e); // the DELEs the old connection took are void without its QUIT: all of them again
      sameNumbers(messages);
      return current.delete(messages);
    }
  }

  /**
   * Whether each message's number names the same message on the new connection: a message deleted
   * elsewhere between the two would renumber those after it, and a RETR or DELE by number would
   * then reach another message.
   */
  private void sameNumbers(List<MessageRef> refs) throws FetchException {
    List<Integer> byUid = new ArrayList<>();
    List<Integer> bySize = new ArrayList<>();
    for (MessageRef r : refs) {
      (r.hasUid() ? byUid : bySize).add(r.number());
    }
    Map<Integer, String> uids = byUid.isEmpty() ? Map.of() : current.uids(byUid);
    Map<Integer, Long> sizes = bySize.isEmpty() ? Map.of() : current.sizes(bySize);
    for (MessageRef r : refs) {
      boolean same;
      if (r.hasUid()) {
        String now = uids.get(r.number());
        same =
            now != null
                && (r.uid().equals(now) || r.uid().startsWith(now + "#dup")); // Q25's copies
      } else {
        Long now = sizes.get(r.number());
        same = now != null && now == r.size();
      }
      if (!same) {
        throw changed("message " + r.number() + " is no longer the message it was");
      }
    }
  }

  private FetchException changed(String what) {
    return new FetchException(
        FetchError.SERVER_TEMPORARY,
        current.server()
            + " left pipelined commands"
            + " unanswered (quirk Q21), and when mailfetch connected again to go on one command at a time the mailbox"
            + " had changed: "
            + what
            + "; nothing more is done in this run, the next one lists the mailbox anew");
  }

  @Override
  public boolean quit() {
    return current.quit();
  }

  @Override
  public Set<QuirkId> quirksNoticed() {
    Set<QuirkId> all = new LinkedHashSet<>(quirks);
    all.addAll(current.quirksNoticed());
    return all;
  }

  @Override
  public List<FetchException> warnings() {
    List<FetchException> all = new ArrayList<>(warnings);
    all.addAll(current.warnings());
    return all;
  }

  @Override
  public Optional<String> lastRefusal() {
    return current.lastRefusal();
  }

  @Override
  public void close() {
    current.close();
  }

  @Override
  public String toString() {
    return current.toString();
  }

  /** The caller's handler, noting which messages it was told the end of (whole or failed). */
  private static final class Settled implements MessageHandler {
    private final MessageHandler to;
    private final Set<MessageRef> done = new HashSet<>();
    private MessageRef started;

    Settled(MessageHandler to) {
      this.to = to;
    }

    List<MessageRef> rest(List<MessageRef> batch) {
      List<MessageRef> rest = new ArrayList<>();
      for (MessageRef r : batch) {
        if (!done.contains(r)) {
          rest.add(r);
        }
      }
      return rest;
    }

    @Override
    public void start(MessageRef ref) {
      started = ref;
      to.start(ref);
    }

    @Override
    public void data(ByteBuffer slice) {
      to.data(slice);
    }

    @Override
    public void end() {
      if (started != null) {
        done.add(started);
      }
      started = null;
      to.end();
    }

    @Override
    public void failed(MessageRef ref, FetchException error) {
      done.add(ref);
      if (ref.equals(started)) {
        started = null;
      }
      to.failed(ref, error);
    }
  }
}
