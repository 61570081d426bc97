package dev.mailfetch.testkit.gmail;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One HTTP exchange on the fake: what was asked, how it was answered (or cut), and the record a
 * test reads afterwards.
 */
final class Call {
  /** Names whose values are secrets: recorded as {@code <redacted>}. */
  static final Set<String> SECRET_NAMES =
      Set.of(
          "access_token", "refresh_token", "client_secret", "code", "code_verifier", "upload_id");

  /** Thrown to unwind a handler once the connection has been cut on purpose. */
  static final class Cut extends IOException {
    private static final long serialVersionUID = 1L;

    Cut() {
      super("connection cut on purpose");
    }
  }

  final HttpExchange exchange;
  final String method;
  final String path;
  final Map<String, List<String>> query;
  final Instant received = Instant.now();
  GmailEndpoint endpoint = GmailEndpoint.OTHER;
  String account;
  GmailFault fault;
  int status;

  /** The account whose in-flight count this request holds, released when it ends. */
  String inFlightAccount;

  private long bodyBytes;
  private InputStream body;
  private boolean answered;
  private Runnable beforeAnswer;

  /** Claims a {@link GmailFault#STALLED_ANSWER} for this call, or returns null. */
  Supplier<InjectedFault> stall = () -> null;

  /**
   * Runs once, just before the answer leaves (or the connection is cut), so whatever the client
   * does next already sees this request recorded and no longer in flight.
   */
  void beforeAnswer(Runnable hook) {
    this.beforeAnswer = hook;
  }

  /** Runs the hook if it has not run yet. */
  void settle() {
    Runnable hook = beforeAnswer;
    beforeAnswer = null;
    if (hook != null) {
      hook.run();
    }
  }

  Call(HttpExchange exchange) {
    this.exchange = exchange;
    this.method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    this.path = exchange.getRequestURI().getRawPath();
    this.query = parseForm(exchange.getRequestURI().getRawQuery());
  }

  String param(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /** The request body, counted. */
  InputStream body() {
    if (body == null) {
      InputStream in = exchange.getRequestBody();
      body =
          new InputStream() {
            @Override
            public int read() throws IOException {
              int b = in.read();
              if (b >= 0) {
                bodyBytes++;
              }
              return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              int n = in.read(b, off, len);
              if (n > 0) {
                bodyBytes += n;
              }
              return n;
            }
          };
    }
    return body;
  }

  /** Reads a small body whole; IOException past {@code limit} bytes. */
  byte[] readBody(int limit) throws IOException {
    byte[] data = body().readNBytes(limit + 1);
    if (data.length > limit) {
      throw new IOException("request body larger than " + limit + " bytes");
    }
    return data;
  }

  /** Reads and drops what is left of the body, so an early answer reaches the client. */
  void drain() {
    try {
      body().transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // the client went away: nothing to answer anyway
    }
  }

  long bodyBytes() {
    return bodyBytes;
  }

  void send(int code, String contentType, byte[] payload, Map<String, String> headers)
      throws IOException {
    if (answered) {
      throw new IllegalStateException("answered twice");
    }
    answered = true;
    status = code;
    InjectedFault stalled = stall.get();
    if (stalled != null) {
      fault = GmailFault.STALLED_ANSWER;
    }
    settle();
    if (contentType != null) {
      exchange.getResponseHeaders().set("Content-Type", contentType);
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      exchange.getResponseHeaders().set(h.getKey(), h.getValue());
    }
    if (stalled != null) {
      stallAfterHeaders(code, payload, stalled.rule().delay);
      return;
    }
    if (payload.length == 0) {
      exchange.sendResponseHeaders(code, -1);
    } else {
      exchange.sendResponseHeaders(code, payload.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(payload);
      }
    }
    exchange.close();
  }

  /**
   * The headers promise a body; a few of its bytes go out, then silence, then the connection
   * closes.
   */
  private void stallAfterHeaders(int code, byte[] payload, Duration silence) throws IOException {
    exchange.sendResponseHeaders(code, Math.max(payload.length, 16));
    OutputStream out = exchange.getResponseBody();
    out.write(payload, 0, Math.min(3, payload.length));
    out.flush();
    try {
      Thread.sleep(silence.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the server is stopping
    }
    throw cutAfterStall();
  }

  private Cut cutAfterStall() {
    exchange.close();
    return new Cut();
  }

  void json(int code, byte[] payload) throws IOException {
    send(code, "application/json; charset=UTF-8", payload, Map.of());
  }

  void error(GoogleError error) throws IOException {
    send(error.code, "application/json; charset=UTF-8", error.body(), error.headers);
  }

  void oauthError(int code, String error, String description) throws IOException {
    json(
        code,
        Json.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("error", error);
              g.writeStringField("error_description", description);
              g.writeEndObject();
            }));
  }

  /**
   * Closes the TCP connection without an answer. The JDK's server closes the connection itself when
   * an exchange is closed before its response headers were sent; unread request bytes make the
   * close a reset.
   */
  Cut cut() {
    answered = true;
    status = 0;
    settle();
    exchange.close();
    return new Cut();
  }

  boolean answered() {
    return answered;
  }

  RecordedGmailRequest record(int sequence) {
    Map<String, List<String>> redacted = new LinkedHashMap<>();
    query.forEach((k, v) -> redacted.put(k, SECRET_NAMES.contains(k) ? List.of("<redacted>") : v));
    return new RecordedGmailRequest(
        sequence,
        endpoint,
        method,
        path,
        Collections.unmodifiableMap(redacted),
        account,
        status,
        bodyBytes,
        fault,
        received);
  }

  /** Parses {@code application/x-www-form-urlencoded} (a query string or a form body). */
  static Map<String, List<String>> parseForm(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
