package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemorySink.StoredMessage;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapFault;
import dev.mailfetch.testkit.imap.ImapMessage;
import dev.mailfetch.testkit.imap.ImapMove;
import dev.mailfetch.testkit.imap.ImapQuirk;
import dev.mailfetch.testkit.imap.ImapSeed;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of docs/testkit.md, compiled and run. Each sits between "example: NAME" and "end
 * example" comments; {@link #theDocumentShowsExactlyTheseExamples} checks the document shows them
 * as they are here.
 */
class TestkitExamplesTest {

  /** Stands in for the client under test: here, a few raw commands. */
  private static void fetchWithMyClient(String host, int port, String user, String password)
      throws IOException {
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("USER " + user + "\r\nPASS " + password + "\r\nRETR 1\r\nQUIT\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      s.getInputStream().readAllBytes();
    }
  }

  /** Stands in for an IMAP client under test: logs in and appends one message. */
  private static void appendWithMyClient(String host, int port, String user, String password)
      throws IOException {
    byte[] message = "Subject: hi\r\n\r\nHello.\r\n".getBytes(StandardCharsets.US_ASCII);
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("a LOGIN "
                      + user
                      + " "
                      + password
                      + "\r\nb APPEND INBOX {"
                      + message.length
                      + "+}\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write(message);
      s.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getInputStream().readAllBytes();
    }
  }

  @Test
  void aFakeImapServerWithAFault() throws IOException {
    // spotless:off
    // example: imap
    try (FakeImapServer imap = FakeImapServer.builder()
        .account("alice", "secret")
        .fault(ImapFault.okLost(1).inSession(1))      // stores the first APPEND, then hangs up
        .start()) {
      appendWithMyClient(imap.host(), imap.port(), "alice", "secret");

      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      List<ImapMessage> inbox = imap.messages("alice", "INBOX");
      assertEquals(1, inbox.size());                  // stored, though the client never heard OK
      assertEquals("OK_LOST at APPEND #1", imap.session(1).endedBy().orElseThrow());
    }
    // end example
    // spotless:on
  }

  /** Stands in for an IMAP client that reads: fetches message 42 and moves it to Trash. */
  private static void readAndMoveWithMyClient(String host, int port, String user, String pw)
      throws IOException {
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("a LOGIN "
                      + user
                      + " "
                      + pw
                      + "\r\nb SELECT INBOX\r\nc UID FETCH 42 BODY[]\r\n"
                      + "d UID MOVE 42 Trash\r\ne LOGOUT\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      s.getInputStream().readAllBytes();
    }
  }

  @Test
  void aFakeImapServerAsASource() throws IOException {
    byte[] bytes = "Subject: hi\r\n\r\nHello.\r\n".getBytes(StandardCharsets.US_ASCII);
    // spotless:off
    // example: imapsource
    try (FakeImapServer imap = FakeImapServer.builder()
        .account("alice", "secret")
        .uidValidity("alice", "INBOX", 1733500000L)
        .specialUse("alice", "Trash", "\\Trash")           // LIST shows (\Trash \HasNoChildren)
        .message("alice", "INBOX", ImapSeed.of(bytes).uid(42).flags("\\Flagged"))
        .quirk(ImapQuirk.I05_NO_UIDNEXT)                   // a named real-world behaviour
        .start()) {
      readAndMoveWithMyClient(imap.host(), imap.port(), "alice", "secret");

      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(List.of(new ImapMove("INBOX", 42, "Trash", 1)), imap.source().moved("alice"));
      assertEquals(List.of(42L), imap.source().expunged("alice", "INBOX"));
      assertEquals(Optional.of(Set.of("\\Flagged", "\\Seen")),   // BODY[] set \Seen
          imap.source().flags("alice", "Trash", 1));
    }
    // end example
    // spotless:on
  }

  @Test
  void startAServer_runAClient_assertWhatItSent() throws IOException {
    // spotless:off
    // example: plain
    FakeMailbox inbox = FakeMailbox.create()
        .add("Subject: hello\r\n\r\nA first message.\r\n")
        .add("Subject: dots\r\n\r\n.\r\n..a line with dots\r\n");
    try (FakePop3Server server = FakePop3Server.builder()
        .account("alice", "correct horse", inbox)
        .start()) {
      fetchWithMyClient(server.host(), server.port(), "alice", "correct horse");

      server.awaitSessionsEnded(Duration.ofSeconds(5));
      RecordedSession session = server.session(1);
      assertEquals(List.of("USER alice", "PASS correct horse", "RETR 1", "QUIT"), session.commandLines());
      assertTrue(session.commands("DELE").isEmpty());
    }
    // end example
    // spotless:on
  }

  // spotless:off
  // example: extension
  @RegisterExtension
  final FakePop3ServerExtension pop3 = FakePop3ServerExtension.of(server -> server
      .account("alice", "secret", MailCorpus.generate(42, 50).toMailbox())
      .quirk(Quirk.Q04_UNSTUFFED_LONE_DOT, Quirk.Q12_BARE_OK)
      .fault(Fault.resetAtCommand("RETR", 3).inSession(1)));

  @Test
  void aServerPerTest(FakePop3Server server) throws IOException {
    fetchWithMyClient(server.host(), server.port(), "alice", "secret");
    assertEquals(50, server.mailbox("alice").size());
  }
  // end example
  // spotless:on

  @Test
  void tls_stls_andWhatCrossedInPlainText() throws IOException {
    // spotless:off
    // example: tls
    TestCertificates certs = TestCertificates.generate();
    try (FakePop3Server server = FakePop3Server.builder()
        .account("alice", "secret", FakeMailbox.create())
        .tls(TlsMode.STLS, certs)                 // or IMPLICIT; or a broken profile:
        // .tls(TlsMode.IMPLICIT, certs, TestCertificates.Profile.EXPIRED)
        .start()) {
      // Point the client at server.port(), trusting certs.caPem() (or certs.trustStore()).
      fetchWithMyClient(server.host(), server.port(), "alice", "secret");

      server.awaitSessionsEnded(Duration.ofSeconds(5));
      assertTrue(server.session(1).sentInPlaintext("secret"), "this client never sent STLS");
      assertFalse(server.session(1).tlsEstablished());
    }
    // end example
    // spotless:on
  }

  @Test
  void faultsAndPipelining() throws IOException {
    // spotless:off
    // example: faults
    try (FakePop3Server server = FakePop3Server.builder()
        .account("alice", "secret", MailCorpus.generate(7, 10).toMailbox())
        .segmentation(Segmentation.EVERY_BYTE)            // every byte its own TCP segment
        .replyDelay(Duration.ofMillis(20))                // makes pipelining visible
        .fault(Fault.closeAtCommand("RETR", 2).inSession(1))
        .fault(Fault.trickle(64, Duration.ofMillis(1)))
        .start()) {
      fetchWithMyClient(server.host(), server.port(), "alice", "secret");

      server.awaitSessionsEnded(Duration.ofSeconds(5));
      for (RecordedCommand retr : server.session(1).commands("RETR")) {
        System.out.println(retr.line() + (retr.pipelined() ? " was pipelined" : " waited"));
      }
    }
    // end example
    // spotless:on
  }

  // spotless:off
  // example: contract
  static class MyInMemorySinkContractTest extends MessageSinkContract {
    @Override
    protected SinkUnderTest open(Path location) {
      InMemorySink sink = InMemorySink.create();
      return SinkUnderTest.of(sink, key -> sink.messages().stream()
          .filter(m -> m.key().equals(key))
          .map(StoredMessage::content)
          .findFirst());
    }
  }
  // end example
  // spotless:on

  @Test
  void aCorpusAsAMaildir(@TempDir Path tmp) throws IOException {
    // spotless:off
    // example: corpus
    MailCorpus corpus = MailCorpus.generate(2026, 2000);   // the same bytes for the same seed
    FakeMailbox served = corpus.toMailbox();               // for the fake server
    List<Path> files = corpus.writeMaildir(tmp.resolve("Maildir")); // for Dovecot, LF line ends
    // end example
    // spotless:on
    assertEquals(2000, served.size());
    assertEquals(2000, files.size());
  }

  @Test
  void theDocumentShowsExactlyTheseExamples() throws IOException {
    String source =
        Files.readString(
            Path.of("src/test/java/dev/mailfetch/testkit/TestkitExamplesTest.java"),
            StandardCharsets.UTF_8);
    String doc = Files.readString(Path.of("..", "docs", "testkit.md"), StandardCharsets.UTF_8);
    Matcher m =
        Pattern.compile("( *)// example: (\\w+)\n(.*?)\n *// end example", Pattern.DOTALL)
            .matcher(source);
    List<String> names = new ArrayList<>();
    while (m.find()) {
      String indent = m.group(1);
      StringBuilder code = new StringBuilder();
      for (String line : m.group(3).split("\n", -1)) {
        code.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip())
            .append('\n');
      }
      String marker = "<!-- example: " + m.group(2) + " -->\n```java\n";
      int at = doc.indexOf(marker);
      assertTrue(at >= 0, "docs/testkit.md lacks the example " + m.group(2));
      String shown = doc.substring(at + marker.length(), doc.indexOf("```", at + marker.length()));
      assertEquals(code.toString().strip(), shown.strip(), "example " + m.group(2));
      names.add(m.group(2));
    }
    assertEquals(
        List.of("imap", "imapsource", "plain", "extension", "tls", "faults", "contract", "corpus"),
        names);
  }
}
