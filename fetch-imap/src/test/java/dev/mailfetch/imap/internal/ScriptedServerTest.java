package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.testkit.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * What real servers will not do on demand, against a few lines of a scripted server on loopback:
 * STARTTLS missing, refused, or followed by injected bytes; a certificate for another host; a
 * {@code +} that never comes; an endless stream of untagged responses; a BYE. The named faults of
 * the sink are the testkit's {@code FakeImapServer}'s; these are the core's own.
 */
class ScriptedServerTest {
  private static final TestCertificates CERTS = GreenMailImap.CERTS;

  /** What the server side does with one connection. */
  interface Script {
    void run(Socket socket, BufferedReader in, PrintStream out) throws Exception;
  }

  /** A one-connection server on loopback running {@code script}; records the lines it read. */
  static final class Scripted implements AutoCloseable {
    final ServerSocket server;
    final List<String> heard = new CopyOnWriteArrayList<>();
    final Thread thread;

    Scripted(ServerSocket server, Script script) {
      this.server = server;
      this.thread =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                  PrintStream out = new PrintStream(s.getOutputStream(), true, "ISO-8859-1");
                  script.run(s, recording(in), out);
                } catch (Exception expected) {
                  // the client hung up: the script ends
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    Scripted(Script script) throws IOException {
      this(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()), script);
    }

    private BufferedReader recording(BufferedReader in) {
      return new BufferedReader(in) {
        @Override
        public String readLine() throws IOException {
          String l = in.readLine();
          if (l != null) {
            heard.add(l);
          }
          return l;
        }
      };
    }

    int port() {
      return server.getLocalPort();
    }

    /** Waits for the script to end (it ends when the client hangs up). */
    void finish() throws InterruptedException {
      thread.join(5000);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private static ImapSettings settings(int port, ImapSecurity security, ImapLimits limits) {
    return new ImapSettings(
        "localhost",
        port,
        security,
        CERTS.clientContext(),
        limits,
        "alice",
        () -> "secret-password",
        null,
        false,
        null);
  }

  private static String tag(String line) {
    return line.substring(0, line.indexOf(' '));
  }

  @Test
  void starttlsNotOffered_stopsBeforeAnyCredential() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hello\r\n");
              in.readLine();
            })) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () ->
                  ImapSession.open(
                      settings(srv.port(), ImapSecurity.STARTTLS, ImapLimits.defaults())));
      assertEquals(FetchError.TLS_REQUIRED_NOT_OFFERED, e.error());
      srv.finish();
      assertTrue(srv.heard.isEmpty(), "nothing was sent: " + srv.heard);
    }
  }

  @Test
  void bytesInjectedBeforeTheHandshake_areRefused() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hello\r\n");
              String l = in.readLine();
              // the reply and an injected line in one write, before TLS begins
              out.print(
                  tag(l) + " OK go ahead\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
              out.flush();
              in.readLine();
            })) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () ->
                  ImapSession.open(
                      settings(srv.port(), ImapSecurity.STARTTLS, ImapLimits.defaults())));
      assertEquals(FetchError.TLS_FAILED, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("injecting"), e.getMessage());
    }
  }

  @Test
  void starttls_securesTheSession_andTheCapabilitiesAreAskedAgain() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hello\r\n");
              String l = in.readLine();
              out.print(tag(l) + " OK begin TLS\r\n");
              out.flush();
              SSLSocket tls =
                  (SSLSocket)
                      CERTS
                          .serverContext(TestCertificates.Profile.VALID)
                          .getSocketFactory()
                          .createSocket(s, null, s.getPort(), true);
              tls.setUseClientMode(false);
              tls.startHandshake();
              BufferedReader tin =
                  new BufferedReader(
                      new InputStreamReader(tls.getInputStream(), StandardCharsets.ISO_8859_1));
              OutputStream tout = tls.getOutputStream();
              String cap = tin.readLine();
              tout.write(
                  ("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag(cap) + " OK done\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              String auth = tin.readLine();
              tout.write(
                  (tag(auth) + " OK [CAPABILITY IMAP4rev1] welcome\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              tin.readLine();
            })) {
      try (ImapSession session =
          ImapSession.open(settings(srv.port(), ImapSecurity.STARTTLS, ImapLimits.defaults()))) {
        assertTrue(session.tlsVersion().isPresent());
        assertFalse(session.capabilities().has("LOGINDISABLED"), "asked again after TLS");
        assertEquals(LoginMethod.AUTHENTICATE_PLAIN, session.login());
      }
    }
  }

  @Test
  void aCertificateForAnotherHost_isRefused() throws Exception {
    SSLServerSocket tls =
        (SSLServerSocket)
            CERTS
                .serverContext(TestCertificates.Profile.WRONG_HOST)
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    try (Scripted srv =
        new Scripted(
            tls,
            (s, in, out) -> {
              out.print("* OK hello\r\n");
              in.readLine();
            })) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () ->
                  ImapSession.open(
                      settings(srv.port(), ImapSecurity.IMPLICIT_TLS, ImapLimits.defaults())));
      assertEquals(FetchError.CERTIFICATE_INVALID, e.error(), e.getMessage());
      assertTrue(e.getMessage().contains("another host name than localhost"), e.getMessage());
      assertTrue(e.remedy().commandLine().contains("imaps://"), e.remedy().commandLine());
    }
  }

  @Test
  void aPlusThatNeverComes_endsAtTheContinuationDeadline() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* OK [CAPABILITY IMAP4rev1] hello\r\n");
              in.readLine(); // the APPEND line with {n}: no "+" is ever sent
              Thread.sleep(3000);
            })) {
      ImapLimits limits = ImapLimits.builder().continuationTimeout(Duration.ofMillis(300)).build();
      ImapSettings s =
          new ImapSettings(
              "localhost",
              srv.port(),
              ImapSecurity.NONE,
              null,
              limits,
              null,
              null,
              null,
              false,
              null);
      try (ImapSession session = ImapSession.open(s, ImapFailures.Role.SOURCE)) {
        long began = System.nanoTime();
        FetchException e =
            assertThrows(
                FetchException.class,
                () ->
                    session
                        .commands()
                        .append(
                            "INBOX",
                            new ImapCommands.Message(
                                List.of(), null, LiteralSource.of(new byte[] {'x'}))));
        assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error());
        assertTrue(e.getMessage().contains("\"+\""), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - began).toMillis() < 2500);
      }
    }
  }

  @Test
  void anEndlessStreamOfUntaggedResponses_isCutOff() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* OK [CAPABILITY IMAP4rev1] hello\r\n");
              in.readLine();
              for (int i = 0; ; i++) {
                out.print("* " + i + " EXISTS\r\n");
              }
            })) {
      ImapLimits limits = ImapLimits.builder().maxUntaggedPerCommand(1000).build();
      ImapSettings s =
          new ImapSettings(
              "localhost",
              srv.port(),
              ImapSecurity.NONE,
              null,
              limits,
              null,
              null,
              null,
              false,
              null);
      try (ImapSession session = ImapSession.open(s)) {
        FetchException e = assertThrows(FetchException.class, () -> session.commands().noop());
        assertEquals(FetchError.LIMIT_EXCEEDED, e.error());
        assertTrue(e.remedy().library().contains("maxUntaggedPerCommand"));
      }
    }
  }

  @Test
  void aByeMidCommand_isTheServersEnd_inItsWords() throws Exception {
    try (Scripted srv =
        new Scripted(
            (s, in, out) -> {
              out.print("* OK [CAPABILITY IMAP4rev1] hello\r\n");
              in.readLine();
              out.print("* BYE [ALERT] going down for maintenance\r\n");
              out.flush();
            })) {
      ImapSettings s =
          new ImapSettings(
              "localhost",
              srv.port(),
              ImapSecurity.NONE,
              null,
              ImapLimits.defaults(),
              null,
              null,
              null,
              false,
              null);
      try (ImapSession session = ImapSession.open(s, ImapFailures.Role.SOURCE)) {
        FetchException e = assertThrows(FetchException.class, () -> session.commands().noop());
        assertEquals(FetchError.CONNECTION_RESET, e.error());
        assertTrue(e.getMessage().contains("going down for maintenance"), e.getMessage());
        assertEquals(1, session.alerts().size(), "the ALERT is kept for the user");
        // The same end of a sink's server is its place's: SINK_FAILED, unreachable, same words.
        FetchException d = ImapFailures.asRole(e, session.server(), ImapFailures.Role.DESTINATION);
        assertEquals(FetchError.SINK_FAILED, d.error());
        assertTrue(
            d.getMessage().contains("the connection to the IMAP server " + session.server()),
            d.getMessage());
        assertEquals(e.serverReply(), d.serverReply(), "the server's words, escaped once");
        boolean unreachable = false;
        for (Throwable t = d; t != null; t = t.getCause()) {
          unreachable |= t instanceof ConnectException;
        }
        assertTrue(unreachable, "a cause the engine reads as an unreachable place");
      }
    }
  }
}
