package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class FakeServerMainTest {

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * The help names every option it takes (--mailbox too), and --password-env's default reads as a
   * password, not a variable.
   */
  @Test
  void helpNamesMailbox_andSaysWhatThePasswordIsWithoutPasswordEnv() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Assertions.assertEquals(
        0,
        FakeServerMain.run(
            new String[] {"--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err,
            Map.of()));
    String help = out.toString(StandardCharsets.UTF_8);
    Assertions.assertTrue(help.contains("--mailbox maildir:DIR"), help);
    Assertions.assertFalse(help.contains("(default: secret)"), help);
    Assertions.assertTrue(help.contains("the password is the word \"secret\""), help);
  }

  @Test
  void runsAProfileStandalone_withTls_andStopsAfterItsSessions(@TempDir Path tmp) throws Exception {
    int port = freePort();
    Path ca = tmp.resolve("ca.pem");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> exit =
          ex.submit(
              () ->
                  FakeServerMain.run(
                      new String[] {
                        "--port",
                        String.valueOf(port),
                        "--tls",
                        "implicit",
                        "--user",
                        "alice",
                        "--password-env",
                        "PW",
                        "--generate",
                        "3",
                        "--quirk",
                        "Q12",
                        "--max-sessions",
                        "1",
                        "--ca-out",
                        ca.toString()
                      },
                      new PrintStream(out, true, StandardCharsets.UTF_8),
                      System.err,
                      Map.of("PW", "from env")));
      for (int i = 0; i < 100 && !Files.exists(ca); i++) {
        Thread.sleep(50);
      }
      Thread.sleep(200);
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry(
          "ca",
          CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(ca)));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      try (Socket plain = new Socket("127.0.0.1", port);
          SSLSocket ssl =
              (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true)) {
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        ssl.getOutputStream()
            .write(
                "USER alice\r\nPASS from env\r\nSTAT\r\nQUIT\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        String t = new String(ssl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(t.startsWith("+OK\r\n+OK\r\n+OK\r\n+OK 3 "), t);
      }
      assertEquals(0, exit.get(10, TimeUnit.SECONDS));
      String printed = out.toString(StandardCharsets.UTF_8);
      assertTrue(
          printed.contains(
              "listening on 127.0.0.1:" + port + " (implicit; trust the CA in " + ca + ")"),
          printed);
      assertTrue(printed.contains("the password in $PW"), printed);
      assertTrue(
          printed.contains(
              "fetch from it into ./fake-mail: mailfetch fetch pop3s://alice@127.0.0.1:"
                  + port
                  + " --ca-file "
                  + ca
                  + " --password-env PW --to maildir:fake-mail\n"),
          "a command line to copy: " + printed);
      assertTrue(!printed.contains("from env"), "the password is never printed");
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void runsAHostileCaseByItsId() throws Exception {
    int port = freePort();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> exit =
          ex.submit(
              () ->
                  FakeServerMain.run(
                      new String[] {
                        "--port", String.valueOf(port), "--profile", "R-14", "--max-sessions", "1"
                      },
                      new PrintStream(out, true, StandardCharsets.UTF_8),
                      System.err,
                      Map.of()));
      String greeting = null;
      for (int i = 0; i < 100 && greeting == null; i++) {
        try (Socket s = new Socket("127.0.0.1", port)) {
          s.setSoTimeout(5000);
          s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
          greeting = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (ConnectException notYet) {
          Thread.sleep(50);
        }
      }
      assertTrue(greeting.startsWith("-ERR [SYS/TEMP] Service temporarily unavailable"), greeting);
      assertEquals(0, exit.get(10, TimeUnit.SECONDS));
      assertTrue(
          out.toString(StandardCharsets.UTF_8).contains("hostile case R-14 R14_ERR_GREETING"));
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void badArguments_sayWhatIsWrong_withExitCode2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(2, FakeServerMain.run(new String[] {"--tls", "maybe"}, System.out, e, Map.of()));
    assertEquals(2, FakeServerMain.run(new String[] {"--quirk", "Q27"}, System.out, e, Map.of()));
    assertEquals(
        2, FakeServerMain.run(new String[] {"--password-env", "NOPE"}, System.out, e, Map.of()));
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("--tls takes none, implicit or starttls, not maybe"), text);
    assertTrue(text.contains("--quirk Q27 is ambiguous"), text);
    assertTrue(text.contains("--password-env NOPE: that environment variable is not set"), text);
  }

  @Test
  void aMaildirIsServedWithCrlfLineEnds(@TempDir Path tmp) throws Exception {
    MailCorpus corpus = MailCorpus.generate(5, 4);
    corpus.writeMaildir(tmp.resolve("Maildir"));
    FakeMailbox box = FakeMailbox.fromMaildir(tmp.resolve("Maildir"));
    assertEquals(4, box.size());
    for (int i = 0; i < 4; i++) {
      Assertions.assertArrayEquals(
          corpus.messages().get(i).content(), box.messages().get(i).content());
    }
  }
}
