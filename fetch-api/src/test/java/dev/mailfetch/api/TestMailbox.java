package dev.mailfetch.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A mailbox on a pretend server, with POP3's rules: numbers from 1 per session, deletions marked by
 * DELE and applied only when QUIT is confirmed, nothing applied when a session just ends. Its
 * source hands each message over in small slices so that every boundary the engine must handle
 * (inside the header section, across the empty line) is crossed.
 */
final class TestMailbox {
  record Msg(String uid, byte[] content) {}

  private final List<Msg> messages = new ArrayList<>();
  private final Faults faults;
  final List<String> events;
  boolean stableUids = true;

  /**
   * Sizes the listing gives instead of the real ones, by unique id (quirk Q32: a server that
   * understates).
   */
  final Map<String, Long> listedSize = new HashMap<>();

  /** Whether the source can read a message's header section alone (POP3 TOP). */
  boolean headersAlone = true;

  Optional<Duration> expire = Optional.empty();
  int slice = 7;
  int sessionsOpened;

  TestMailbox(Faults faults, List<String> events) {
    this.faults = faults;
    this.events = events;
  }

  TestMailbox add(String uid, String content) {
    return add(uid, content.getBytes(StandardCharsets.UTF_8));
  }

  TestMailbox add(String uid, byte[] content) {
    messages.add(new Msg(uid, content.clone()));
    return this;
  }

  /** Removes the message with this unique id, as a mail program deleting it elsewhere does. */
  TestMailbox remove(String uid) {
    messages.removeIf(m -> m.uid().equals(uid));
    return this;
  }

  /** Removes every message (before adding them again under other ids, as a server renumbering). */
  TestMailbox clear() {
    messages.clear();
    return this;
  }

  List<Msg> messages() {
    return List.copyOf(messages);
  }

  Set<String> uids() {
    Set<String> uids = new LinkedHashSet<>();
    for (Msg m : messages) {
      uids.add(m.uid());
    }
    return uids;
  }

  FetchSource source(String account) {
    return new FetchSource() {
      @Override
      public String account() {
        return account;
      }

      @Override
      public FetchSession open() throws FetchException {
        if (faults.step("source.open")) {
          throw new FetchException(FetchError.CONNECTION_TIMED_OUT, "test: connect timed out");
        }
        sessionsOpened++;
        return new Session(List.copyOf(messages));
      }
    };
  }

  private final class Session implements FetchSession {
    private final List<Msg> snapshot;
    private final Set<Integer> marked = new HashSet<>();
    private boolean ended;
    private String lastRefusal;

    Session(List<Msg> snapshot) {
      this.snapshot = snapshot;
    }

    @Override
    public Capabilities capabilities() {
      return new Capabilities(stableUids, expire, Optional.empty(), Set.of("UIDL"));
    }

    @Override
    public String server() {
      return "pop.test.invalid:995";
    }

    @Override
    public void list(ListingHandler handler) throws FetchException {
      if (faults.step("source.list")) {
        throw new FetchException(FetchError.CONNECTION_RESET, "test: reset while listing");
      }
      long octets = 0;
      for (Msg m : snapshot) {
        octets += m.content().length;
      }
      handler.count(snapshot.size(), octets);
      for (int i = 0; i < snapshot.size(); i++) {
        Msg m = snapshot.get(i);
        handler.message(
            new MessageRef(
                i + 1,
                stableUids ? m.uid() : null,
                listedSize.getOrDefault(m.uid(), (long) m.content().length)));
      }
    }

    @Override
    public void retrieve(Retrieval request, MessageHandler to) throws FetchException {
      MessageHandler handler = request.convertingFromCrlf(to);
      for (MessageRef ref : request.batch()) {
        Msg m = snapshot.get(ref.number() - 1);
        events.add("retr " + m.uid());
        FetchException refused = faults.refuse.get(m.uid());
        if (refused != null) {
          handler.failed(ref, refused);
          continue;
        }
        if (faults.step("source.retr")) {
          throw new FetchException(FetchError.CONNECTION_RESET, "test: reset before " + m.uid());
        }
        handler.start(ref);
        byte[] c = m.content();
        long dropAt = faults.dropAfterBytes.getOrDefault(m.uid(), Long.MAX_VALUE);
        // A reused buffer, as a real reader has: the engine must not keep what it is lent.
        ByteBuffer buf = ByteBuffer.allocate(Math.max(1, slice));
        for (int off = 0; off < c.length; off += slice) {
          if (off >= dropAt) {
            throw new FetchException(FetchError.CONNECTION_RESET, "test: reset inside " + m.uid());
          }
          if (faults.step("source.data")) {
            throw new FetchException(FetchError.CONNECTION_RESET, "test: reset inside " + m.uid());
          }
          buf.clear();
          buf.put(c, off, Math.min(slice, c.length - off)).flip();
          handler.data(buf);
          buf.clear();
          while (buf.hasRemaining()) {
            buf.put((byte) 'X'); // scribble over what was lent
          }
        }
        if (dropAt <= c.length) {
          throw new FetchException(FetchError.CONNECTION_RESET, "test: reset at end of " + m.uid());
        }
        handler.end();
      }
    }

    @Override
    public Optional<HeaderReading> headerReading() {
      return headersAlone ? Optional.of(this::readHeaders) : Optional.empty();
    }

    private void readHeaders(List<MessageRef> batch, MessageHandler handler) {
      for (MessageRef ref : batch) {
        Msg m = snapshot.get(ref.number() - 1);
        events.add("top " + m.uid());
        String text = new String(m.content(), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        handler.start(ref);
        handler.data(ByteBuffer.wrap(m.content(), 0, end < 0 ? m.content().length : end + 4));
        handler.end();
      }
    }

    @Override
    public Set<MessageRef> delete(List<MessageRef> refs) throws FetchException {
      if (faults.deleteFails || faults.step("source.dele")) {
        throw new FetchException(FetchError.CONNECTION_RESET, "test: reset at DELE");
      }
      Set<MessageRef> accepted = new HashSet<>();
      for (MessageRef ref : refs) {
        if (faults.deleteRefused.contains(snapshot.get(ref.number() - 1).uid())) {
          lastRefusal = faults.deleteRefusalWords != null ? faults.deleteRefusalWords : lastRefusal;
          continue;
        }
        events.add("dele " + snapshot.get(ref.number() - 1).uid());
        marked.add(ref.number());
        accepted.add(ref);
      }
      return accepted;
    }

    @Override
    public boolean quit() {
      ended = true;
      if (faults.step("source.quit") || faults.quitUnconfirmed) {
        lastRefusal = faults.quitRefusalWords != null ? faults.quitRefusalWords : lastRefusal;
        return false;
      }
      List<Msg> gone = new ArrayList<>();
      for (int n : marked) {
        gone.add(snapshot.get(n - 1));
      }
      messages.removeAll(gone);
      events.add("quit");
      return true;
    }

    @Override
    public Optional<String> lastRefusal() {
      return Optional.ofNullable(lastRefusal);
    }

    @Override
    public void close() {
      ended = true;
    }

    @Override
    public String toString() {
      return "Session[ended=" + ended + "]";
    }
  }
}
