package dev.mailfetch.cli.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness against a tiny page served by the JDK's HTTP server on loopback: a form that POSTs, a
 * button whose script changes text, a screenshot that is a PNG of the page's size, and no browser
 * process left after {@code close}. Skipped, saying so, where Chromium is not installed.
 */
@Timeout(180)
class HeadlessChromiumTest {
  private static final int WIDTH = 800;
  private static final int HEIGHT = 600;

  private static final String PAGE =
      """
      <!doctype html>
      <html><head><meta charset="utf-8"><title>Accounts</title></head>
      <body>
      <p id="state">idle</p>
      <button id="check" type="button"
        onclick="document.getElementById('state').textContent = 'checking'">Check now</button>
      <form id="note" method="post" action="/notes">
        <input id="text" name="text">
        <button id="send" type="submit">Send</button>
      </form>
      </body></html>
      """;

  @TempDir Path temp;

  private HttpServer server;
  private final List<String> posted = new CopyOnWriteArrayList<>();

  @BeforeEach
  void serve() throws IOException {
    HeadlessChromium.assumeInstalled();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", e -> answer(e, 200, PAGE));
    server.createContext(
        "/notes",
        e -> {
          if (!"POST".equals(e.getRequestMethod())) {
            answer(e, 405, "POST only");
            return;
          }
          String body;
          try (InputStream in = e.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          String text = URLDecoder.decode(body.replaceFirst("^text=", ""), StandardCharsets.UTF_8);
          posted.add(text);
          answer(
              e,
              200,
              "<!doctype html><title>Saved</title><p id=\"saved\">saved: "
                  + text.replace("&", "&amp;").replace("<", "&lt;")
                  + "</p>");
        });
    server.start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static void answer(HttpExchange e, int status, String html) throws IOException {
    byte[] b = html.getBytes(StandardCharsets.UTF_8);
    e.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    e.sendResponseHeaders(status, b.length);
    try (OutputStream out = e.getResponseBody()) {
      out.write(b);
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @Test
  void loadsClicksPostsAndShootsThePage_thenLeavesNoProcess() throws Exception {
    long t0 = System.nanoTime();
    HeadlessChromium browser = HeadlessChromium.start(temp, WIDTH, HEIGHT);
    try (browser) {
      long started = System.nanoTime();
      browser.open(url("/"));
      long loaded = System.nanoTime();
      System.out.printf(
          "headless Chromium: started in %d ms, first page loaded in %d ms%n",
          (started - t0) / 1_000_000, (loaded - started) / 1_000_000);
      assertEquals("Accounts", browser.title());
      assertEquals("idle", browser.text("#state"));

      // a script changes the text: the wait sees it
      browser.click("#check");
      assertEquals("checking", browser.waitForText("#state", "checking", Duration.ofSeconds(10)));

      // a screenshot: a PNG of the page's size
      Path png = browser.screenshot(temp.resolve("shots/page.png"));
      int[] size = pngSize(png);
      assertArrayEquals(new int[] {WIDTH, HEIGHT}, size, "width and height of " + png);

      // a form POST: typed, submitted, answered by a new page
      browser.type("#text", "a <b> & ü");
      browser.submit("#send");
      assertEquals("saved: a <b> & ü", browser.text("#saved"));
      assertEquals(List.of("a <b> & ü"), posted);
    }
    assertFalse(browser.anyProcessLeft(), "chromedriver or Chromium still runs after close");
  }

  /** The width and height of a PNG, checking its signature and that IHDR comes first. */
  static int[] pngSize(Path png) throws IOException {
    byte[] b = Files.readAllBytes(png);
    byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assertTrue(b.length > 24, "a PNG is longer than " + b.length + " bytes");
    assertArrayEquals(signature, Arrays.copyOf(b, 8), "PNG signature");
    try (DataInputStream in = new DataInputStream(Files.newInputStream(png))) {
      in.skipNBytes(8);
      int length = in.readInt();
      byte[] type = in.readNBytes(4);
      assertEquals("IHDR", new String(type, StandardCharsets.US_ASCII));
      assertEquals(13, length);
      return new int[] {in.readInt(), in.readInt()};
    }
  }
}
