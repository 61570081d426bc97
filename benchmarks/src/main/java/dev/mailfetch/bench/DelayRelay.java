package dev.mailfetch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on loopback that holds every chunk for half a round trip in each direction, so a
 * client on this machine sees the server as if it were {@code rtt} away. Order and bytes are kept;
 * only time is added. What a client does per round trip (waiting for each reply, or not) then
 * shows, as it does on a real network.
 */
final class DelayRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress upstream;
  private final long oneWayNanos;

  private record Chunk(long due, byte[] bytes) {}

  DelayRelay(InetSocketAddress upstream, Duration rtt) throws IOException {
    this.upstream = upstream;
    this.oneWayNanos = rtt.toNanos() / 2;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "delay-relay-" + listener.getLocalPort());
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(upstream, 10_000);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        if (listener.isClosed()) {
          return;
        }
      }
    }
  }

  /** One direction: a reader stamps each chunk with when it may leave, a writer sends it then. */
  private void pump(Socket from, Socket to) throws IOException {
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    Thread reader =
        new Thread(
            () -> {
              byte[] buf = new byte[64 * 1024];
              try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  queue.put(new Chunk(System.nanoTime() + oneWayNanos, Arrays.copyOf(buf, n)));
                }
              } catch (IOException | InterruptedException e) {
                // the connection ended
              }
              queue.add(new Chunk(System.nanoTime() + oneWayNanos, null));
            },
            "delay-relay-read");
    Thread writer =
        new Thread(
            () -> {
              try {
                while (true) {
                  Chunk c = queue.take();
                  long wait = c.due() - System.nanoTime();
                  if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                  }
                  if (c.bytes() == null) {
                    to.shutdownOutput();
                    return;
                  }
                  out.write(c.bytes());
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // the connection ended
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "delay-relay-write");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closed already
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
