package dev.mailfetch.gmail.internal.oauth;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The redirect's listener (RFC 8252 §7.3): HTTP/1.1 on 127.0.0.1 only, one request per connection,
 * one connection at a time, each GET of {@code /} with a query handed to the handler, whose page
 * the browser shows. Anything else (a favicon, a probe) gets 404 and is otherwise ignored. The
 * request line is never logged: it carries the code.
 */
public final class LoopbackListener implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(LoopbackListener.class);
  private static final int MAX_REQUEST = 16 * 1024;
  private static final int READ_TIMEOUT_MS = 10_000;
  static final byte[] LOOPBACK = {127, 0, 0, 1};

  /** A page to show in the browser. */
  public static final class Page {
    final int status;
    final String title;
    final String text;
    final Runnable then;

    public Page(int status, String title, String text) {
      this(status, title, text, null);
    }

    /** A page, and what to do once the browser has it (the program may end right after). */
    public Page(int status, String title, String text, Runnable then) {
      this.status = status;
      this.title = title;
      this.text = text;
      this.then = then;
    }

    /** Does what was to follow the page, where nothing showed it (a pasted address). */
    public void done() {
      if (then != null) {
        then.run();
      }
    }
  }

  private final ServerSocket server;
  private volatile boolean closed;

  private LoopbackListener(ServerSocket server) {
    this.server = server;
  }

  /** Listens on 127.0.0.1 at {@code port}, or at a free port for 0. */
  public static LoopbackListener bind(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    try {
      s.bind(new InetSocketAddress(InetAddress.getByAddress(LOOPBACK), port), 8);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return new LoopbackListener(s);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Serves requests on a thread of its own until closed. */
  public void start(Function<Map<String, String>, Page> handler) {
    Thread t = new Thread(() -> serve(handler), "mailfetch-oauth-redirect-" + port());
    t.setDaemon(true);
    t.start();
  }

  private void serve(Function<Map<String, String>, Page> handler) {
    while (!closed) {
      try (Socket c = server.accept()) {
        c.setSoTimeout(READ_TIMEOUT_MS);
        String target = requestTarget(c.getInputStream());
        Page page;
        if (target == null) {
          page = new Page(400, "Bad request", "This address answers mailfetch's sign-in only.");
        } else {
          int q = target.indexOf('?');
          String path = q < 0 ? target : target.substring(0, q);
          page = path.equals("/") && q >= 0 ? handler.apply(query(target.substring(q + 1))) : null;
          if (page == null) {
            page = new Page(404, "Not found", "This address answers mailfetch's sign-in only.");
          }
        }
        try {
          write(c.getOutputStream(), page);
        } finally {
          page.done();
        }
      } catch (SocketException e) {
        if (!closed) {
          log.debug(
              "the sign-in's redirect listener: a connection failed ({})",
              e.getClass().getSimpleName());
        }
      } catch (IOException | RuntimeException e) {
        log.debug(
            "the sign-in's redirect listener: a request failed ({})", e.getClass().getSimpleName());
      }
    }
  }

  /**
   * The target of a {@code GET} request line, or null for anything else; reads the headers away.
   */
  private static String requestTarget(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0 || head.size() >= MAX_REQUEST) {
        return null;
      }
      head.write(b);
      state =
          (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
              ? state + 1
              : b == '\r' ? 1 : 0;
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    String line = text.substring(0, text.indexOf("\r\n"));
    String[] parts = line.split(" ");
    if (parts.length != 3 || !parts[0].equals("GET") || !parts[2].startsWith("HTTP/1.")) {
      return null;
    }
    return parts[1];
  }

  /** A query's parameters, decoded; the first of a repeated name counts. */
  public static Map<String, String> query(String q) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : q.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.putIfAbsent(k, v);
      } catch (IllegalArgumentException e) {
        // a malformed %-escape: not a parameter anyone sent us on purpose
      }
    }
    return out;
  }

  private static void write(OutputStream out, Page p) throws IOException {
    String html =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>mailfetch: "
            + html(p.title)
            + "</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\"><h1>"
            + html(p.title)
            + "</h1><p>"
            + html(p.text)
            + "</p></body></html>";
    byte[] body = html.getBytes(StandardCharsets.UTF_8);
    String reason = p.status == 200 ? "OK" : p.status == 404 ? "Not Found" : "Bad Request";
    String head =
        "HTTP/1.1 "
            + p.status
            + " "
            + reason
            + "\r\nContent-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: "
            + body.length
            + "\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n"
            + "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static String html(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing a listening socket: nothing to do about it
    }
  }
}
