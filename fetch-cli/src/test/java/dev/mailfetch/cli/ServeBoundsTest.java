package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mailfetch.cli.serve.ServeSite;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounds of {@code mailfetch serve}'s HTTP server, with real sockets against a serve in a JVM
 * of its own: the JDK's server reads its bounds (connections, time to read a request) from system
 * properties once per JVM, so a serve in the test's JVM would have whatever the first server of
 * that JVM was made with. The child gets {@code -Dsun.net.httpserver.maxReqTime=4} (the default is
 * 10 s: the same path, a shorter wait) and the other bounds as serve sets them. Slow clients hold
 * the answering threads: the JDK's server reads a request line on the thread that answers it, so a
 * client that sends half a line holds a thread until it is cut off. Each test also asserts that the
 * poller went on checking (its interval is 1 s here) while the site was held.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeBoundsTest {
  /** The child's time to read a request, in seconds. */
  static final int REQUEST_SECONDS = 4;

  @TempDir static Path tmp;
  private static FakePop3Server alice;
  private static ServeProcess serve;
  private static InetSocketAddress site;
  private static final List<Socket> open = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    alice =
        FakePop3Server.builder()
            .account("alice", "alices pw", MailCorpus.generate(91, 1).toMailbox())
            .start();
    Path config = tmp.resolve("accounts.properties");
    Files.writeString(
        config,
        ServeUnderTest.account("alice", alice, "alice", "password-env = ALICE_PW", tmp.resolve("a"))
            + "\n");
    serve =
        ServeProcess.start(
            List.of(
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dsun.net.httpserver.maxReqTime=" + REQUEST_SECONDS),
            List.of("--config", config.toString(), "--min-interval", "1s", "--max-interval", "1s"),
            Map.of("ALICE_PW", "alices pw"),
            tmp,
            Duration.ofSeconds(60));
    site = new InetSocketAddress("127.0.0.1", serve.base.getPort());
  }

  /** Each test's clients closed after it, passed or not, so the next starts with none. */
  @AfterEach
  void closeClients() {
    closeAll();
  }

  @AfterAll
  static void stop() throws Exception {
    closeAll();
    if (serve != null) {
      serve.stop(); // SIGTERM: serve stops as it does for a service manager
    }
    if (alice != null) {
      alice.close();
    }
  }

  @Test
  @Order(1)
  void slowClient_halfARequestLine_isCutOffAfterTheRequestTime_othersAreServedMeanwhile()
      throws Exception {
    assertEquals("200", status("/healthz"), "served before");
    Socket slow = connect();
    slow.getOutputStream().write("GET /accounts.js".getBytes(StandardCharsets.US_ASCII));
    slow.getOutputStream().flush();
    long started = System.nanoTime();
    int sessions = alice.sessions().size();
    assertEquals("200", status("/healthz"), "another client is served while one stalls");
    slow.setSoTimeout((REQUEST_SECONDS + 10) * 1000);
    String got = readAll(slow);
    double seconds = (System.nanoTime() - started) / 1e9;
    assertEquals("", got, "cut off without an answer");
    // the JDK's timer looks every second: cut off between the request time and a few s after
    assertTrue(
        seconds >= REQUEST_SECONDS - 0.5 && seconds < REQUEST_SECONDS + 5,
        "cut off after " + seconds + " s");
    assertTrue(alice.sessions().size() > sessions, "the poller went on checking");
  }

  @Test
  @Order(2)
  void fullWaitingRoom_aFurtherRequestGets503AtOnce_andTheSiteRecovers() throws Exception {
    int busy = ServeSite.THREADS + ServeSite.WAITING;
    long held = System.nanoTime();
    for (int i = 0; i < busy; i++) {
      Socket s = connect();
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: 127.0".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }
    Thread.sleep(500); // the server has handed each to a thread or to the waiting room
    int sessions = alice.sessions().size();
    long asked = System.nanoTime();
    String answer = request("/", 3000);
    double seconds = (System.nanoTime() - asked) / 1e9;
    assertTrue(answer.startsWith("HTTP/1.1 503"), "a 503, not: [" + answer + "]");
    assertTrue(answer.toLowerCase(Locale.ROOT).contains("retry-after: 2"), answer);
    assertTrue(seconds < 2, "at once, not after a wait: " + seconds + " s");
    assertTrue(
        (System.nanoTime() - held) / 1e9 < REQUEST_SECONDS,
        "asked while the slow clients still held the site");
    Thread.sleep(1500);
    assertTrue(alice.sessions().size() > sessions, "the poller went on checking");
    // the slow clients are cut off after the request time; then the page is served again
    awaitStatus("/", "200", REQUEST_SECONDS + 10);
    closeAll();
  }

  @Test
  @Order(3)
  void connectionLimit_the65thIsClosedUnanswered_andServedOnceOneCloses() throws Exception {
    awaitStatus("/healthz", "200", REQUEST_SECONDS + 10); // the earlier tests' clients are gone
    int sessions = alice.sessions().size();
    for (int i = 0; i < ServeSite.MAX_CONNECTIONS; i++) {
      connect(); // open, saying nothing: each one of the server's connections
    }
    Thread.sleep(300);
    assertEquals("", request("/healthz", 3000), "the 65th: closed without an answer");
    assertTrue(alice.sessions().size() > sessions || waitForSession(sessions), "still polling");
    open.remove(0).close();
    awaitStatus("/healthz", "200", 3);
    closeAll();
  }

  private static boolean waitForSession(int before) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < end) {
      if (alice.sessions().size() > before) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  private static Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(site, 5000);
    open.add(s);
    return s;
  }

  private static void closeAll() {
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    open.clear();
  }

  /** The status code of a GET, or "" when the connection was closed without an answer. */
  private static String status(String path) throws IOException {
    String answer = request(path, 5000);
    return answer.isEmpty() ? "" : answer.substring(9, 12);
  }

  /** A GET on a connection of its own; what came back ("" if closed unanswered). */
  private static String request(String path, int timeoutMillis) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(site, 5000);
      s.setSoTimeout(timeoutMillis);
      try {
        OutputStream out = s.getOutputStream();
        out.write(
            ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (SocketTimeoutException e) {
        throw e;
      } catch (IOException closed) {
        return ""; // closed by the server before the request was written
      }
      return readAll(s);
    } catch (SocketTimeoutException e) {
      fail("no answer within " + timeoutMillis + " ms: " + path);
      return null;
    }
  }

  /** What the socket gives until it is closed ("" if closed, or reset, without a byte). */
  private static String readAll(Socket s) throws IOException {
    StringBuilder sb = new StringBuilder();
    try {
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) > 0) {
        sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException reset) {
      // a connection closed by the server with data unread may be reset rather than ended
    }
    return sb.toString();
  }

  private static void awaitStatus(String path, String expected, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "";
    while (System.nanoTime() < end) {
      try {
        last = status(path);
        if (last.equals(expected)) {
          return;
        }
      } catch (IOException | AssertionError e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    fail(path + " did not answer " + expected + " within " + seconds + " s: " + last);
  }
}
