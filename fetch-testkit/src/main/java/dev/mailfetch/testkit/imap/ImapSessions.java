package dev.mailfetch.testkit.imap;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FakeImapServer}'s accept loop and its sessions, each on a daemon thread of its own,
 * recorded in accept order; {@link #close} ends them all.
 */
final class ImapSessions {
  private final ImapSettings settings;
  private final ServerSocket serverSocket;
  private final List<ImapRecordedSession> sessions =
      Collections.synchronizedList(new ArrayList<>());
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  ImapSessions(ImapSettings settings, ServerSocket serverSocket) {
    this.settings = settings;
    this.serverSocket = serverSocket;
    Thread acceptor =
        new Thread(this::acceptLoop, "fake-imap-accept-" + serverSocket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  List<ImapRecordedSession> recorded() {
    synchronized (sessions) {
      return List.copyOf(sessions);
    }
  }

  void awaitEnded(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!recorded().stream().allMatch(ImapRecordedSession::ended)) {
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
      ImapRecordedSession recorded = new ImapRecordedSession(number);
      sessions.add(recorded);
      open.add(socket);
      int n = number;
      Thread t =
          new Thread(
              () -> {
                try {
                  new ImapConversation(socket, settings, recorded, n).run();
                } finally {
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
              "fake-imap-session-" + serverSocket.getLocalPort() + "-" + n);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }
}
