package dev.mailfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A DNS server on loopback (UDP) that answers A, AAAA and SRV questions from records a test sets,
 * says NXDOMAIN for names it has no record of, or goes silent: enough to test how a client tells
 * "no such host" from "DNS did not answer", and RFC 6186 SRV discovery, without asking a real DNS.
 *
 * <pre>{@code
 * try (FakeDnsServer dns = FakeDnsServer.start()) {
 *   dns.address("pop.example.test", "127.0.0.1");
 *   dns.srv("_pop3s._tcp.example.test", 0, 1, 995, "pop.example.test");
 *   // point the client's DNS at dns.socketAddress()
 * }
 * }</pre>
 */
public final class FakeDnsServer implements AutoCloseable {
  private static final int A = 1;
  private static final int AAAA = 28;
  private static final int SRV = 33;

  private record Rr(int type, byte[] rdata) {}

  private final DatagramSocket socket;
  private final Map<String, List<Rr>> records = new ConcurrentHashMap<>();
  private final List<String> questions = new CopyOnWriteArrayList<>();
  private volatile boolean silent;
  private final Thread thread;

  private FakeDnsServer() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "fake-dns-" + socket.getLocalPort());
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts a server on a free loopback port. */
  public static FakeDnsServer start() {
    try {
      return new FakeDnsServer();
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where to send questions. */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
  }

  /** An A or AAAA record (by the address's kind). */
  public FakeDnsServer address(String name, String ip) {
    try {
      byte[] a = InetAddress.getByName(ip).getAddress();
      add(name, new Rr(a.length == 4 ? A : AAAA, a));
    } catch (IOException e) {
      throw new IllegalArgumentException("not an address: " + ip, e);
    }
    return this;
  }

  /** An SRV record (RFC 2782); a target of "." says the service is not offered (RFC 6186 §3.4). */
  public FakeDnsServer srv(String name, int priority, int weight, int port, String target) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(priority >> 8);
    b.write(priority);
    b.write(weight >> 8);
    b.write(weight);
    b.write(port >> 8);
    b.write(port);
    writeName(b, target);
    add(name, new Rr(SRV, b.toByteArray()));
    return this;
  }

  /** The name exists, with no records of the asked type (NOERROR, no answers). */
  public FakeDnsServer exists(String name) {
    records.computeIfAbsent(key(name), k -> new CopyOnWriteArrayList<>());
    return this;
  }

  /** Whether to stop answering at all, as a DNS server that is down or unreachable. */
  public FakeDnsServer silent(boolean silent) {
    this.silent = silent;
    return this;
  }

  /** The questions asked so far, as {@code "TYPE name"}. */
  public List<String> questions() {
    return List.copyOf(questions);
  }

  private void add(String name, Rr rr) {
    records.computeIfAbsent(key(name), k -> new CopyOnWriteArrayList<>()).add(rr);
  }

  private static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  private void serve() {
    byte[] buf = new byte[512];
    while (!socket.isClosed()) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
        if (silent) {
          continue;
        }
        byte[] reply = answer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
        if (reply != null) {
          socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
        }
      } catch (IOException | RuntimeException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  private byte[] answer(ByteBuffer q) {
    int id = q.getShort() & 0xFFFF;
    q.getShort(); // flags
    int qd = q.getShort() & 0xFFFF;
    q.position(12);
    if (qd != 1) {
      return null;
    }
    StringBuilder name = new StringBuilder();
    int start = q.position();
    for (int len = q.get() & 0xFF; len > 0; len = q.get() & 0xFF) {
      if (name.length() > 0) {
        name.append('.');
      }
      byte[] label = new byte[len];
      q.get(label);
      name.append(new String(label, StandardCharsets.US_ASCII));
    }
    int type = q.getShort() & 0xFFFF;
    q.getShort(); // class
    byte[] question = new byte[q.position() - start];
    q.get(start, question);
    String key = key(name.toString());
    questions.add(typeName(type) + " " + key);
    List<Rr> all = records.get(key);
    List<Rr> answers = new ArrayList<>();
    if (all != null) {
      for (Rr r : all) {
        if (r.type() == type) {
          answers.add(r);
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    short16(out, id);
    short16(out, 0x8180 | (all == null ? 3 : 0)); // response, recursion desired+available; NXDOMAIN
    short16(out, 1);
    short16(out, answers.size());
    short16(out, 0);
    short16(out, 0);
    out.write(question, 0, question.length);
    for (Rr r : answers) {
      short16(out, 0xC00C); // the name of the question
      short16(out, r.type());
      short16(out, 1);
      short16(out, 0);
      short16(out, 60);
      short16(out, r.rdata().length);
      out.write(r.rdata(), 0, r.rdata().length);
    }
    return out.toByteArray();
  }

  private static String typeName(int type) {
    return switch (type) {
      case A -> "A";
      case AAAA -> "AAAA";
      case SRV -> "SRV";
      default -> "TYPE" + type;
    };
  }

  private static void short16(ByteArrayOutputStream out, int v) {
    out.write(v >> 8);
    out.write(v);
  }

  private static void writeName(ByteArrayOutputStream b, String name) {
    String n = key(name);
    if (!n.isEmpty()) {
      for (String label : n.split("\\.")) {
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        b.write(l.length);
        b.write(l, 0, l.length);
      }
    }
    b.write(0);
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
