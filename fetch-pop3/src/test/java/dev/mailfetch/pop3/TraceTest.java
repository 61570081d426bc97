package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Quirk;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The protocol trace ({@code dev.mailfetch.pop3.trace}, what {@code --trace} shows) holds every
 * line the server sent before the listings: the greeting and the junk after it, the reply to the
 * first CAPA whatever it was, and the capabilities; and still no secret.
 */
@Isolated
@Timeout(60)
class TraceTest {
  private static final String PASSWORD = "tr4ce pässword";

  private interface Session {
    void run() throws Exception;
  }

  /** What the trace showed while {@code session} ran: stderr, where SimpleLogger writes it. */
  private static String traced(Session session) throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      session.run();
    } finally {
      System.setErr(saved);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertFalse(log.contains(PASSWORD) || log.contains("tr4ce"), "no secret in the trace");
    return log;
  }

  /** A fetch from {@code server}, traced. */
  private static String traced(FakePop3Server server) throws Exception {
    return traced(
        () -> {
          Pop3Source source =
              Pop3Source.builder()
                  .host("localhost")
                  .port(server.port())
                  .security(Security.NONE)
                  .allowPlaintextAuthentication(true)
                  .user("alice")
                  .password(() -> PASSWORD)
                  .build();
          FetchResult r =
              Fetcher.builder()
                  .source(source)
                  .sink(InMemorySink.create())
                  .uidStore(InMemoryUidStore.create())
                  .retention(Retention.KEEP)
                  .build()
                  .run();
          assertTrue(r.ok(), r::summary);
        });
  }

  private static FakePop3Server.Builder server() {
    return FakePop3Server.builder()
        .account("alice", PASSWORD, FakeMailbox.create().add("Subject: a\r\n\r\nbody\r\n"));
  }

  @Test
  void Q19_aCapaAnsweredErr_showsInTheTrace() throws Exception {
    try (FakePop3Server s = server().quirk(Quirk.Q19_CAPA_ERR).start()) {
      String log = traced(s);
      assertTrue(log.contains("C: CAPA"), log);
      int refused = log.indexOf("S: -ERR unknown command");
      assertTrue(
          refused >= 0 && refused < log.indexOf("C: USER alice"),
          "the reply to the first CAPA: " + log);
    }
  }

  @Test
  void Q16_theGreetingsJunkLines_showInTheTrace_asSkipped() throws Exception {
    try (FakePop3Server s = server().quirk(Quirk.Q16_GREETING_JUNK).start()) {
      String log = traced(s);
      assertTrue(log.contains("S: +OK mailfetch testkit POP3 server ready"), log);
      assertTrue(
          log.contains("This server welcomes you; read the notice below"),
          "junk after the greeting: " + log);
      assertTrue(log.contains("+OK second greeting line"), log);
    }
  }

  /**
   * Junk that comes only once CAPA is sent is skipped on the way to CAPA's reply (quirk Q16); a
   * scripted server on a real loopback socket sends it ahead of the first CAPA's answer only.
   */
  @Test
  void Q16_junkThatArrivesAfterCapaWasSent_showsInTheTrace() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread server =
          new Thread(
              () -> {
                try (Socket c = listener.accept()) {
                  BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
                  OutputStream out = c.getOutputStream();
                  out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
                  int capas = 0;
                  for (String line; (line = in.readLine()) != null; ) {
                    String reply =
                        switch (line.split(" ")[0]) {
                          case "CAPA" ->
                              capas++ == 0
                                  ? "a line of junk\r\n+OK Capability list follows\r\nUSER\r\n.\r\n"
                                  : "+OK Capability list follows\r\nUSER\r\n.\r\n";
                          case "USER", "PASS" -> "+OK\r\n";
                          case "STAT" -> "+OK 0 0\r\n";
                          case "QUIT" -> "+OK bye\r\n";
                          default -> "-ERR unknown command\r\n";
                        };
                    out.write(reply.getBytes(StandardCharsets.US_ASCII));
                    if (line.equals("QUIT")) {
                      return;
                    }
                  }
                } catch (IOException e) {
                  // the client left
                }
              });
      server.setDaemon(true);
      server.start();
      String log =
          traced(
              () -> {
                FetchSession session =
                    Pop3Source.builder()
                        .host("localhost")
                        .port(listener.getLocalPort())
                        .security(Security.NONE)
                        .allowPlaintextAuthentication(true)
                        .user("alice")
                        .password(() -> PASSWORD)
                        .build()
                        .open();
                session.quit();
              });
      assertTrue(log.contains("a line of junk"), "junk skipped before CAPA's reply: " + log);
      assertTrue(log.contains("S: +OK Capability list follows"), log);
    }
  }

  @Test
  void theCapabilitiesListed_showInTheTrace() throws Exception {
    try (FakePop3Server s = server().start()) {
      String log = traced(s);
      assertTrue(log.contains("S: +OK Capability list follows"), log);
      assertTrue(
          log.contains("S: IMPLEMENTATION mailfetch-testkit"), "each capability line: " + log);
    }
  }
}
