package dev.mailfetch.smtp.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The connection under a session: a TCP socket (TLS may be layered on it) or a Unix domain socket,
 * each read bounded by a deadline the session sets before it waits for a reply. A Unix socket's
 * channel has no read timeout of its own, so it is read non-blocking through a selector.
 */
abstract class Wire implements Closeable {
  abstract InputStream in();

  abstract OutputStream out();

  /** Bounds each read from now on. */
  abstract void readTimeout(Duration d) throws IOException;

  /** The TCP socket, to layer TLS on; null for a Unix socket. */
  abstract Socket socket();

  static Wire tcp(String host, int port, Duration connectTimeout) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), Math.toIntExact(connectTimeout.toMillis()));
      s.setTcpNoDelay(true);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    return new Tcp(s);
  }

  static Wire unix(Path path) throws IOException {
    SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path));
    ch.configureBlocking(false);
    return new Unix(ch);
  }

  /** A TCP socket, or the TLS socket that replaced it after STARTTLS. */
  static final class Tcp extends Wire {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Tcp(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    @Override
    InputStream in() {
      return in;
    }

    @Override
    OutputStream out() {
      return out;
    }

    @Override
    void readTimeout(Duration d) throws IOException {
      socket.setSoTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, d.toMillis())));
    }

    @Override
    Socket socket() {
      return socket;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static final class Unix extends Wire {
    private final SocketChannel channel;
    private final Selector selector;
    private volatile long timeoutMillis = 60_000;
    private final InputStream in =
        new InputStream() {
          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
              int n = channel.read(buf);
              if (n != 0) {
                return n;
              }
              await(SelectionKey.OP_READ, deadline, "reading");
            }
          }
        };
    private final OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (buf.hasRemaining()) {
              if (channel.write(buf) == 0) {
                await(SelectionKey.OP_WRITE, deadline, "writing");
              }
            }
          }
        };

    Unix(SocketChannel channel) throws IOException {
      this.channel = channel;
      this.selector = Selector.open();
    }

    private void await(int op, long deadline, String what) throws IOException {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        throw new SocketTimeoutException(what + " the Unix socket took longer than allowed");
      }
      SelectionKey key = channel.register(selector, op);
      try {
        selector.select(left);
      } finally {
        key.interestOps(0);
        selector.selectNow();
      }
    }

    @Override
    InputStream in() {
      return in;
    }

    @Override
    OutputStream out() {
      return out;
    }

    @Override
    void readTimeout(Duration d) {
      timeoutMillis = Math.max(1, d.toMillis());
    }

    @Override
    Socket socket() {
      return null;
    }

    @Override
    public void close() throws IOException {
      try {
        selector.close();
      } finally {
        channel.close();
      }
    }
  }
}
