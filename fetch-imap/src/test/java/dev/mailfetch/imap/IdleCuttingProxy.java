package dev.mailfetch.imap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of an IMAP server that cuts connections in IDLE at random moments, as a
 * server or a NAT gateway that drops idle connections does: it watches what the client sends in
 * plain text, and a connection whose last command was IDLE (no DONE since) may be cut, both sides
 * closed without a word. Sessions that fetch are left alone, so what is measured is the watch's
 * recovery, not a failed check's back-off.
 */
final class IdleCuttingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Pair> idling = ConcurrentHashMap.newKeySet();
  private final AtomicInteger cuts = new AtomicInteger();
  private final long minGapMillis;
  private final long maxGapMillis;
  private volatile boolean closed;

  private IdleCuttingProxy(InetSocketAddress target, long minGapMillis, long maxGapMillis)
      throws IOException {
    this.target = target;
    this.minGapMillis = minGapMillis;
    this.maxGapMillis = maxGapMillis;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
  }

  /** Starts a proxy to {@code port} on loopback that cuts an IDLE every min..max milliseconds. */
  static IdleCuttingProxy start(int port, long minGapMillis, long maxGapMillis) throws IOException {
    IdleCuttingProxy p =
        new IdleCuttingProxy(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
            minGapMillis,
            maxGapMillis);
    daemon(p::acceptLoop, "idle-proxy-accept");
    daemon(p::cutLoop, "idle-proxy-cutter");
    return p;
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections cut so far. */
  int cuts() {
    return cuts.get();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(target, 5000);
        Pair pair = new Pair(client, upstream);
        daemon(() -> pump(pair, client, upstream, true), "idle-proxy-up");
        daemon(() -> pump(pair, upstream, client, false), "idle-proxy-down");
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Pair pair, Socket from, Socket to, boolean fromClient) {
    byte[] buf = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      StringBuilder line = new StringBuilder();
      int n;
      while ((n = in.read(buf)) >= 0) {
        for (int i = 0; fromClient && i < n; i++) {
          char c = (char) (buf[i] & 0xff);
          if (c != '\n') {
            line.append(line.length() < 200 ? String.valueOf(c) : "");
            continue;
          }
          if (line.toString().toUpperCase(Locale.ROOT).endsWith(" IDLE\r")) {
            idling.add(pair);
          } else {
            idling.remove(pair);
          }
          line.setLength(0);
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // cut, or closed by one side: the pair ends below
    } finally {
      pair.close();
      idling.remove(pair);
    }
  }

  private void cutLoop() {
    while (!closed) {
      try {
        Thread.sleep(ThreadLocalRandom.current().nextLong(minGapMillis, maxGapMillis + 1));
      } catch (InterruptedException e) {
        return;
      }
      List<Pair> now = List.copyOf(idling);
      if (!now.isEmpty()) {
        Pair victim = now.get(ThreadLocalRandom.current().nextInt(now.size()));
        idling.remove(victim);
        victim.close();
        cuts.incrementAndGet();
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Pair p : List.copyOf(idling)) {
      p.close();
    }
  }

  private static void daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private record Pair(Socket client, Socket upstream) {
    void close() {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing
      }
      try {
        upstream.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
