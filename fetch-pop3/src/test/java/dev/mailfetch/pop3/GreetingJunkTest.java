package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Quirk Q16 with Q19: greeting junk that arrives only after CAPA was sent, its last line a {@code
 * +OK}, then CAPA refused. The {@code +OK} junk line must never be taken for CAPA's reply, however
 * the bytes meet the client's reads.
 */
@Timeout(300)
class GreetingJunkTest {
  private static Pop3Source.Builder client(int port) {
    return Pop3Source.builder()
        .host("localhost")
        .port(port)
        .security(Security.NONE)
        .allowPlaintextAuthentication(true)
        .user("alice")
        .password(() -> "pw")
        .limits(
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(3))
                .commandTimeout(Duration.ofSeconds(5))
                .build());
  }

  /**
   * Deterministic: the junk is sent only once CAPA has arrived, so it always comes after the
   * greeting was read.
   */
  @Test
  void Q16_Q19_junkAfterCapa_endingInPlusOk_thenCapaRefused_isNotTakenForCapasReply()
      throws Exception {
    try (LateJunkServer server = new LateJunkServer("-ERR unknown command\r\n")) {
      long t0 = System.nanoTime();
      try (FetchSession session = client(server.port()).build().open()) {
        assertTrue(
            session.quirksNoticed().contains(QuirkId.Q16), session.quirksNoticed().toString());
        assertTrue(
            session.quirksNoticed().contains(QuirkId.Q19),
            "CAPA refused: " + session.quirksNoticed());
      }
      assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "no wait for a listing that never comes");
    }
  }

  /** The same junk before a CAPA that works: its capabilities are read, not lost. */
  @Test
  void Q16_junkAfterCapa_endingInPlusOk_thenCapa_readsTheRealCapabilities() throws Exception {
    try (LateJunkServer server =
        new LateJunkServer("+OK Capability list follows\r\nUSER\r\nUIDL\r\n.\r\n")) {
      try (FetchSession session = client(server.port()).build().open()) {
        assertTrue(
            session.quirksNoticed().contains(QuirkId.Q16), session.quirksNoticed().toString());
        assertTrue(
            session.capabilities().toString().contains("UIDL"), session.capabilities().toString());
      }
    }
  }

  /**
   * With the testkit's quirks, whose bytes meet the client's reads as timing has it: twenty runs,
   * each whole.
   */
  @TestFactory
  Stream<DynamicTest> Q16_Q19_CAPA_ERR_fetchesEverything_everyTime() {
    return IntStream.rangeClosed(1, Integer.getInteger("mailfetch.q16.repeat", 20))
        .mapToObj(
            i ->
                DynamicTest.dynamicTest(
                    "run " + i,
                    () -> {
                      FakeMailbox box = MailCorpus.generate(16, 3).toMailbox();
                      try (FakePop3Server s =
                          FakePop3Server.builder()
                              .account("alice", "pw", box)
                              .quirk(Quirk.Q19_CAPA_ERR, Quirk.Q16_GREETING_JUNK)
                              .start()) {
                        FetchResult r =
                            Fetcher.builder()
                                .source(client(s.port()).build())
                                .sink(InMemorySink.create())
                                .uidStore(InMemoryUidStore.create())
                                .build()
                                .run();
                        assertTrue(r.ok(), r.summary());
                        assertEquals(3, r.listed(), r.summary());
                      }
                    }));
  }

  /**
   * The doctor's findings come in one order whether the junk arrives with the greeting or only
   * behind CAPA (Q16 and Q19 were swapped from run to run).
   */
  @Test
  void Q16_Q19_theDoctorsFindings_comeInOneOrder_whenTheJunkArrives() throws Exception {
    List<List<Symptom>> said = new ArrayList<>();
    for (boolean early : new boolean[] {true, false}) {
      try (LateJunkServer server = new LateJunkServer("-ERR unknown command\r\n", early)) {
        Diagnosis d =
            Pop3Doctor.builder()
                .source(client(server.port()).build())
                .otherPorts()
                .timeout(Duration.ofSeconds(5))
                .build()
                .examine();
        said.add(
            d.findings().stream()
                .map(Diagnosis.Finding::symptom)
                .filter(x -> x == Symptom.GREETING_JUNK || x == Symptom.CAPA_REFUSED)
                .toList());
      }
    }
    assertEquals(
        List.of(Symptom.GREETING_JUNK, Symptom.CAPA_REFUSED), said.get(0), said.toString());
    assertEquals(said.get(0), said.get(1), "early junk, then late junk: " + said);
  }

  /** Greets, then at CAPA sends greeting junk ending in a +OK line and then {@code capaReply}. */
  private static final class LateJunkServer implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final Thread thread;

    LateJunkServer(String capaReply) throws IOException {
      this(capaReply, false);
    }

    /** {@code early}: the junk goes out with the greeting, before any command. */
    LateJunkServer(String capaReply, boolean early) throws IOException {
      thread =
          new Thread(
              () -> {
                while (!listener
                    .isClosed()) { // one connection at a time: the doctor may connect more than
                  // once
                  serve(capaReply, early);
                }
              },
              "late-junk");
      thread.setDaemon(true);
      thread.start();
    }

    private void serve(String capaReply, boolean early) {
      try (Socket c = listener.accept()) {
        OutputStream out = c.getOutputStream();
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
        out.write(
            ("+OK ready\r\n"
                    + (early ? "This server welcomes you\r\n\r\n+OK second greeting line\r\n" : ""))
                .getBytes(StandardCharsets.US_ASCII));
        boolean junkSent = early;
        for (String line; (line = in.readLine()) != null; ) {
          String verb = line.split(" ")[0].toUpperCase(Locale.ROOT);
          String reply;
          switch (verb) {
            case "CAPA":
              reply =
                  (junkSent ? "" : "This server welcomes you\r\n\r\n+OK second greeting line\r\n")
                      + capaReply;
              junkSent = true;
              break;
            case "USER":
            case "PASS":
            case "NOOP":
            case "RSET":
              reply = "+OK\r\n";
              break;
            case "STAT":
              reply = "+OK 0 0\r\n";
              break;
            case "LIST":
            case "UIDL":
              reply = line.contains(" ") ? "-ERR no such message\r\n" : "+OK\r\n.\r\n";
              break;
            case "QUIT":
              out.write("+OK bye\r\n".getBytes(StandardCharsets.US_ASCII));
              return;
            default:
              reply = "-ERR unknown command\r\n";
          }
          out.write(reply.getBytes(StandardCharsets.US_ASCII));
        }
      } catch (IOException e) {
        // the client left
      }
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }
}
