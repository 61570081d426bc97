package dev.mailfetch.api.poll;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Retrieval;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mailbox server in the test's hands: mail can arrive, opening can fail with a chosen error, it
 * can announce capabilities, and its sessions can be held open until the test lets them go, so that
 * concurrency can be counted.
 */
final class ScriptedServer {
  private final List<String[]> mail = new ArrayList<>();
  private int nextUid = 1;
  volatile FetchException openError;
  volatile Set<String> capa = Set.of();
  volatile Optional<Duration> loginDelay = Optional.empty();
  volatile CountDownLatch hold;

  /** Whether QUIT is answered with an error, so that deletions are not confirmed. */
  volatile boolean quitUnconfirmed;

  /** Unique ids whose retrieval fails, as a server that cannot read them. */
  volatile Set<String> unreadable = Set.of();

  /** Unique ids inside whose retrieval the connection breaks: the session ends there. */
  volatile Set<String> breaksInside = Set.of();

  final AtomicInteger sessions = new AtomicInteger();
  final AtomicInteger open = new AtomicInteger();
  final AtomicInteger mostOpen = new AtomicInteger();

  /** Shared by servers on one host, to count sessions per host. */
  final AtomicInteger hostOpen;

  final AtomicInteger hostMostOpen;
  final AtomicInteger[] globalOpen;

  ScriptedServer() {
    this(
        new AtomicInteger(),
        new AtomicInteger(),
        new AtomicInteger[] {new AtomicInteger(), new AtomicInteger()});
  }

  ScriptedServer(AtomicInteger hostOpen, AtomicInteger hostMostOpen, AtomicInteger[] globalOpen) {
    this.hostOpen = hostOpen;
    this.hostMostOpen = hostMostOpen;
    this.globalOpen = globalOpen;
  }

  synchronized void arrive(int n) {
    for (int i = 0; i < n; i++) {
      int u = nextUid++;
      mail.add(new String[] {"u" + u, "Subject: " + u + "\r\n\r\nbody " + u + "\r\n"});
    }
  }

  synchronized int onServer() {
    return mail.size();
  }

  FetchSource source(String account) {
    return new FetchSource() {
      @Override
      public String account() {
        return account;
      }

      @Override
      public FetchSession open() throws FetchException {
        sessions.incrementAndGet();
        FetchException e = openError;
        if (e != null) {
          throw e;
        }
        return new Session();
      }
    };
  }

  private static void raise(AtomicInteger now, AtomicInteger most) {
    int n = now.incrementAndGet();
    most.accumulateAndGet(n, Math::max);
  }

  private final class Session implements FetchSession {
    private final List<String[]> listed;
    private final Set<MessageRef> marked = new LinkedHashSet<>();
    private boolean closed;

    Session() {
      raise(open, mostOpen);
      raise(hostOpen, hostMostOpen);
      raise(globalOpen[0], globalOpen[1]);
      synchronized (ScriptedServer.this) {
        listed = List.copyOf(mail);
      }
    }

    @Override
    public Capabilities capabilities() {
      return new Capabilities(true, Optional.empty(), loginDelay, capa);
    }

    @Override
    public String server() {
      return "scripted:110";
    }

    @Override
    public void list(ListingHandler handler) throws FetchException {
      CountDownLatch h = hold;
      if (h != null) {
        try {
          h.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      handler.count(listed.size(), 0);
      for (int i = 0; i < listed.size(); i++) {
        handler.message(new MessageRef(i + 1, listed.get(i)[0], listed.get(i)[1].length()));
      }
    }

    @Override
    public void retrieve(Retrieval request, MessageHandler to) throws FetchException {
      MessageHandler handler = request.convertingFromCrlf(to);
      for (MessageRef ref : request.batch()) {
        if (breaksInside.contains(ref.uid())) {
          FetchException reset =
              new FetchException(
                  dev.mailfetch.api.FetchError.CONNECTION_RESET,
                  "the connection broke while receiving " + ref.uid());
          handler.failed(ref, reset);
          throw reset;
        }
        if (unreadable.contains(ref.uid())) {
          handler.failed(
              ref,
              new FetchException(
                  dev.mailfetch.api.FetchError.PROTOCOL, "cannot read " + ref.uid()));
          continue;
        }
        handler.start(ref);
        handler.data(
            ByteBuffer.wrap(listed.get(ref.number() - 1)[1].getBytes(StandardCharsets.US_ASCII)));
        handler.end();
      }
    }

    @Override
    public Set<MessageRef> delete(List<MessageRef> messages) {
      marked.addAll(messages);
      return Set.copyOf(messages);
    }

    @Override
    public boolean quit() {
      if (quitUnconfirmed) {
        return false;
      }
      synchronized (ScriptedServer.this) {
        for (MessageRef ref : marked) {
          mail.removeIf(m -> m[0].equals(ref.uid()));
        }
      }
      return true;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        open.decrementAndGet();
        hostOpen.decrementAndGet();
        globalOpen[0].decrementAndGet();
      }
    }
  }

  static Duration minutes(long m) {
    return Duration.ofMinutes(m);
  }
}
