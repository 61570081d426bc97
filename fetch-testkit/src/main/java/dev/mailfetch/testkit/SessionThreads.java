package dev.mailfetch.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FakePop3Server}'s accept loop and its sessions: each on a daemon thread of its own,
 * recorded in accept order, refused once {@code maxSessions} run at once; {@link #close} ends them
 * all.
 */
final class SessionThreads {
  private final FakePop3Server.Settings settings;
  private final ServerSocket serverSocket;
  private final List<RecordedSession> sessions = Collections.synchronizedList(new ArrayList<>());
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger active = new AtomicInteger();
  private volatile boolean closed;

  /** Starts accepting on {@code serverSocket}, which is bound. */
  SessionThreads(FakePop3Server.Settings settings, ServerSocket serverSocket) {
    this.settings = settings;
    this.serverSocket = serverSocket;
    Thread acceptor =
        new Thread(this::acceptLoop, "fake-pop3-accept-" + serverSocket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Every session so far, in accept order. */
  List<RecordedSession> recorded() {
    synchronized (sessions) {
      return List.copyOf(sessions);
    }
  }

  /** Waits until every session so far has ended; see {@link FakePop3Server#awaitSessionsEnded}. */
  void awaitEnded(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      for (RecordedSession s : recorded()) {
        all &= s.ended();
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "sessions still running after " + timeout + ": " + recorded());
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** Stops listening and ends every session. Safe to call more than once. */
  void close() {
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException e) {
      // closing a listening socket on loopback does not fail in a way a test could act on
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // already gone
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Too many sessions: say so and close, as Dovecot does at its process limit. */
  private static void refuseBusy(Socket socket, FakePop3Server.Settings s) {
    try {
      socket
          .getOutputStream()
          .write(
              ((s.respCodes ? "-ERR [SYS/TEMP] " : "-ERR ") + "Too many sessions, try later\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
    } catch (IOException e) {
      // the client went away first
    }
  }

  private void acceptLoop() {
    int number = 0;
    while (!closed) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        return; // closed
      }
      number++;
      RecordedSession recorded = new RecordedSession(number, socket.getPort());
      sessions.add(recorded);
      open.add(socket);
      int n = number;
      // Counted here, in accept order, so that the session over the limit is the one that came
      // last.
      boolean overLimit = active.incrementAndGet() > settings.maxSessions;
      Thread t =
          new Thread(
              () -> {
                try {
                  if (overLimit) {
                    refuseBusy(socket, settings);
                  } else {
                    new Conversation(socket, settings, recorded, n).run();
                  }
                } finally {
                  active.decrementAndGet();
                  open.remove(socket);
                  try {
                    socket.close();
                  } catch (IOException e) {
                    // already gone
                  }
                  recorded.markEnded();
                  threads.remove(Thread.currentThread());
                }
              },
              "fake-pop3-session-" + serverSocket.getLocalPort() + "-" + n);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }
}
