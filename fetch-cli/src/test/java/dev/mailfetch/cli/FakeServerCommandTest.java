package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailfetch fake-server} serves, and {@code mailfetch fetch} fetches from it, over verified
 * TLS.
 */
@Timeout(60)
class FakeServerCommandTest {
  @TempDir Path tmp;

  @Test
  void aFakeServerStartedByTheCommand_servesAFetchByTheCommand_thenStops() throws Exception {
    Path ca = tmp.resolve("ca.pem");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    FakeServerCommand server = new FakeServerCommand();
    server.env = Map.of("PW", "fake pw");
    server.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    server.args =
        List.of(
            "--tls",
            "implicit",
            "--user",
            "alice",
            "--password-env",
            "PW",
            "--generate",
            "12",
            "--ca-out",
            ca.toString(),
            "--max-sessions",
            "1");
    CompletableFuture<Integer> running = CompletableFuture.supplyAsync(server::call);
    int port = -1;
    for (int i = 0; i < 100 && port < 0; i++) {
      Matcher m =
          Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)")
              .matcher(printed.toString(StandardCharsets.UTF_8));
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
      } else {
        Thread.sleep(100);
      }
    }
    assertTrue(port > 0, "it says where it listens: " + printed);
    assertTrue(Files.exists(ca), "and writes the CA to trust");
    StringWriter out = new StringWriter();
    int exit =
        Main.run(
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            Map.of("PW", "fake pw"),
            "fetch",
            "pop3s://alice@localhost:" + port,
            "--password-env",
            "PW",
            "--ca-file",
            ca.toString(),
            "--to",
            "maildir:" + tmp.resolve("Mail"),
            "--dedup",
            "none");
    assertEquals(0, exit, out.toString());
    assertTrue(out.toString().contains("12 listed: 12 stored"), out.toString());
    assertEquals(0, running.get(20, TimeUnit.SECONDS), "it stops after --max-sessions");
  }

  @Test
  void aBusyPort_isSaidAsInUse_withWhatToType_exit2_notABug() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit =
          Main.run(
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              Map.of(),
              "fake-server",
              "--port",
              String.valueOf(port),
              "--max-sessions",
              "1");
      String said = err.toString();
      assertEquals(2, exit, said);
      assertTrue(said.contains("port " + port) && said.contains("in use"), said);
      assertTrue(
          said.toLowerCase(Locale.ROOT).contains("choose another with --port")
              && said.contains("leave --port out"),
          said);
      assertTrue(!said.contains("bug") && !said.contains("unexpected"), said);
      assertNoAdviceFakeServerRejects(said);
    }
  }

  @Test
  void aCaFileThatCannotBeWritten_namesCaOutAndThePath_exit2() {
    StringWriter err = new StringWriter();
    Path nowhere = tmp.resolve("no-such-dir").resolve("ca.pem");
    int exit =
        Main.run(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            Map.of(),
            "fake-server",
            "--tls",
            "implicit",
            "--ca-out",
            nowhere.toString(),
            "--max-sessions",
            "1");
    String said = err.toString();
    assertEquals(2, exit, said);
    assertTrue(said.contains("--ca-out") && said.contains(nowhere.toString()), said);
    assertTrue(said.contains("cannot write"), said);
    assertNoAdviceFakeServerRejects(said);
  }

  /** Every option fake-server advises is one it takes (it has no --verbose, --json, --trace). */
  private static void assertNoAdviceFakeServerRejects(String said) {
    for (String option : List.of("--verbose", "--json", "--trace", "--quiet")) {
      assertTrue(
          !said.contains(option), "advises " + option + ", which fake-server rejects: " + said);
    }
    assertTrue(!said.contains("Exception"), "no Java class name: " + said);
  }
}
