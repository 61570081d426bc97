package dev.mailfetch.bench;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import javax.net.SocketFactory;

/**
 * A POP3 server inside a socket: every command written is answered at once, into the socket's
 * input, so a client library runs its real protocol code with no network and no thread. This is how
 * the parser benchmark drives Angus Mail and Commons Net on the same bytes as mailfetch.
 */
final class InMemoryPop3Socket extends Socket {
  private final List<byte[]> wire;
  private final long[] sizes;
  private byte[] in = new byte[1 << 16];
  private int inHead;
  private int inTail;
  private final ByteArrayOutputStream command = new ByteArrayOutputStream();
  private boolean closed;

  /**
   * @param wire each message's RETR body as sent: dot-stuffed, with its terminator
   */
  InMemoryPop3Socket(List<byte[]> wire, long[] sizes) {
    this.wire = wire;
    this.sizes = sizes;
    answer("+OK in-memory POP3\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  static SocketFactory factory(List<byte[]> wire, long[] sizes) {
    return new SocketFactory() {
      @Override
      public Socket createSocket() {
        return new InMemoryPop3Socket(wire, sizes);
      }

      @Override
      public Socket createSocket(String host, int port) {
        return createSocket();
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress local, int localPort) {
        return createSocket();
      }

      @Override
      public Socket createSocket(InetAddress host, int port) {
        return createSocket();
      }

      @Override
      public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) {
        return createSocket();
      }
    };
  }

  private void answer(byte[] b) {
    if (inTail + b.length > in.length) {
      int live = inTail - inHead;
      byte[] grown = new byte[Math.max(in.length, (live + b.length) * 2)];
      System.arraycopy(in, inHead, grown, 0, live);
      in = grown;
      inHead = 0;
      inTail = live;
    }
    System.arraycopy(b, 0, in, inTail, b.length);
    inTail += b.length;
  }

  private void handle(String line) {
    String[] p = line.split(" ");
    String verb = p[0].toUpperCase(Locale.ROOT);
    switch (verb) {
      case "STAT":
        {
          long total = 0;
          for (long s : sizes) {
            total += s;
          }
          answer(("+OK " + wire.size() + " " + total + "\r\n").getBytes(StandardCharsets.US_ASCII));
          return;
        }
      case "LIST":
        {
          if (p.length > 1) {
            int n = Integer.parseInt(p[1]);
            answer(("+OK " + n + " " + sizes[n - 1] + "\r\n").getBytes(StandardCharsets.US_ASCII));
            return;
          }
          StringBuilder sb = new StringBuilder("+OK\r\n");
          for (int i = 0; i < sizes.length; i++) {
            sb.append(i + 1).append(' ').append(sizes[i]).append("\r\n");
          }
          answer(sb.append(".\r\n").toString().getBytes(StandardCharsets.US_ASCII));
          return;
        }
      case "RETR":
        {
          int n = Integer.parseInt(p[1]);
          answer(("+OK " + sizes[n - 1] + " octets\r\n").getBytes(StandardCharsets.US_ASCII));
          answer(wire.get(n - 1));
          return;
        }
      case "CAPA":
        answer("-ERR no CAPA here\r\n".getBytes(StandardCharsets.US_ASCII));
        return;
      default:
        answer("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  @Override
  public void connect(SocketAddress endpoint) {}

  @Override
  public void connect(SocketAddress endpoint, int timeout) {}

  @Override
  public boolean isConnected() {
    return !closed;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  @Override
  public InetAddress getInetAddress() {
    return InetAddress.getLoopbackAddress();
  }

  @Override
  public InetAddress getLocalAddress() {
    return InetAddress.getLoopbackAddress();
  }

  @Override
  public int getPort() {
    return 110;
  }

  @Override
  public void setSoTimeout(int timeout) {}

  @Override
  public int getSoTimeout() {
    return 0;
  }

  @Override
  public void setTcpNoDelay(boolean on) {}

  @Override
  public void setKeepAlive(boolean on) {}

  @Override
  public void setSoLinger(boolean on, int linger) {}

  @Override
  public InputStream getInputStream() {
    return new InputStream() {
      @Override
      public int read() {
        return inHead < inTail ? in[inHead++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (inHead == inTail) {
          return -1;
        }
        int n = Math.min(len, inTail - inHead);
        System.arraycopy(in, inHead, b, off, n);
        inHead += n;
        return n;
      }

      @Override
      public int available() {
        return inTail - inHead;
      }
    };
  }

  @Override
  public OutputStream getOutputStream() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        if (b == '\n') {
          String line = command.toString(StandardCharsets.ISO_8859_1).strip();
          command.reset();
          handle(line);
        } else {
          command.write(b);
        }
      }
    };
  }
}
