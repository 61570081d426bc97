package dev.mailfetch.gmail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token endpoint that answers what the test scripts, for what the testkit's FakeGmailServer
 * (Google's rules) does not do: Microsoft's rotation of the refresh token at every refresh, HTTP
 * 5xx, an answer without {@code expires_in}. Each request's form is recorded.
 */
final class ScriptedTokenEndpoint implements AutoCloseable {
  /** One scripted answer. */
  record Answer(int status, String json) {}

  /** How long each answer waits before it leaves. */
  volatile Duration delay = Duration.ZERO;

  private final ServerSocket server;
  private final Deque<Answer> script = new ArrayDeque<>();
  final List<Map<String, String>> forms = new CopyOnWriteArrayList<>();

  ScriptedTokenEndpoint() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 8);
    Thread t = new Thread(this::serve, "scripted-token-endpoint");
    t.setDaemon(true);
    t.start();
  }

  /** HTTP/1.1, one request per connection: enough for java.net.http's POST of a form. */
  private void serve() {
    while (!server.isClosed()) {
      try (Socket c = server.accept()) {
        InputStream in = c.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          head.write(b);
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
          if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            form.put(
                URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
          }
        }
        forms.add(form);
        Answer a;
        synchronized (script) {
          a = script.isEmpty() ? new Answer(500, "{\"error\":\"unscripted\"}") : script.poll();
        }
        Thread.sleep(delay.toMillis());
        byte[] out = a.json().getBytes(StandardCharsets.UTF_8);
        OutputStream o = c.getOutputStream();
        o.write(
            ("HTTP/1.1 "
                    + a.status()
                    + " Scripted\r\nContent-Type: application/json\r\nContent-Length: "
                    + out.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        o.write(out);
        o.flush();
      } catch (IOException e) {
        // closed at the end of the test, or a client gone
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  ScriptedTokenEndpoint then(int status, String json) {
    synchronized (script) {
      script.add(new Answer(status, json));
    }
    return this;
  }

  /** Microsoft's answer: an access token and, in place of the old, a new refresh token. */
  ScriptedTokenEndpoint rotating(String accessToken, String newRefreshToken) {
    return then(
        200,
        "{\"token_type\":\"Bearer\",\"scope\":\"https://outlook.office.com/POP.AccessAsUser.All\","
            + "\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\""
            + accessToken
            + "\",\"refresh_token\":\""
            + newRefreshToken
            + "\"}");
  }

  URI tokenUri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/token");
  }

  /** Microsoft's rules at this endpoint. */
  OAuthEndpoints microsoft() {
    return OAuthEndpoints.microsoft("consumers")
        .at(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/authorize"), tokenUri());
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
