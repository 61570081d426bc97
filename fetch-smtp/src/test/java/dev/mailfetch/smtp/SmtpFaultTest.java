package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.testkit.smtp.FakeSmtpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the sinks do with each fault a server can show, against the testkit's fake server. */
@Timeout(30)
class SmtpFaultTest {
  @TempDir Path tmp;

  private static final byte[] MESSAGE =
      "Subject: fault\n\nbody line\n".getBytes(StandardCharsets.US_ASCII);

  private static DeliveryReceipt deliver(MessageSink sink, String uid, byte[] message)
      throws IOException {
    Delivery d = sink.begin(new Envelope("acct", uid, 0, Set.of(), false));
    d.write(ByteBuffer.wrap(message));
    return d.complete(DeliveryKey.of("acct", uid));
  }

  private SmtpSink smtp(FakeSmtpServer fake, String... recipients) {
    return SmtpSink.builder()
        .host("127.0.0.1")
        .port(fake.port())
        .security(SmtpSecurity.NONE)
        .recipients(recipients)
        .journal(tmp.resolve("journal"))
        .build();
  }

  private LmtpSink lmtp(FakeSmtpServer fake, String... recipients) {
    return LmtpSink.builder()
        .host("127.0.0.1")
        .port(fake.port())
        .recipients(recipients)
        .journal(tmp.resolve("journal"))
        .build();
  }

  private static long count(List<String> commands, String prefix) {
    return commands.stream().filter(c -> c.startsWith(prefix)).count();
  }

  @Test
  void a4xxToRcpt_isSinkFailed_theMessageStays_andTheNextTrySendsIt() throws IOException {
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("PIPELINING").once("RCPT", "451 4.3.0 try again later").start();
        SmtpSink sink = smtp(fake, "bob@example.org")) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
      assertEquals(FetchError.SINK_FAILED, e.error());
      assertFalse(e.getCause() instanceof ConnectException, "a 4xx does not stop the run");
      assertTrue(e.getMessage().contains("451 4.3.0 try again later"), e.getMessage());
      assertFalse(sink.contains(DeliveryKey.of("acct", "m1")));
      assertEquals(0, count(fake.commands(), "DATA"), "no message after a refused RCPT");
      assertFalse(deliver(sink, "m1", MESSAGE).alreadyHeld());
      assertTrue(sink.contains(DeliveryKey.of("acct", "m1")));
      assertEquals(1, fake.messages().size());
    }
  }

  @Test
  void a5xxToRcpt_isSinkRejected_andNoMessageIsSent() throws IOException {
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp().on("RCPT TO:<nobody@", "550 5.1.1 no such user").start();
        SmtpSink sink = smtp(fake, "bob@example.org", "nobody@example.org")) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
      assertEquals(FetchError.SINK_REJECTED, e.error());
      assertTrue(e.getMessage().contains("550 5.1.1 no such user"), e.getMessage());
      assertEquals(1, count(fake.commands(), "RSET"));
      assertEquals(0, count(fake.commands(), "DATA"));
      assertTrue(fake.messages().isEmpty());
    }
  }

  @Test
  void a5xxAfterTheData_isSinkRejected() throws IOException {
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp().afterData("554 5.6.0 message refused as spam").start();
        SmtpSink sink = smtp(fake, "bob@example.org")) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
      assertEquals(FetchError.SINK_REJECTED, e.error());
      assertFalse(sink.contains(DeliveryKey.of("acct", "m1")));
    }
  }

  @Test
  void lmtpPartialSuccess_isRecorded_andTheRetryGoesToTheOtherRecipientAlone() throws IOException {
    try (FakeSmtpServer fake =
        FakeSmtpServer.lmtp("PIPELINING")
            .afterData("250 2.0.0 <a@example.org> saved", "452 4.2.2 <b@example.org> over quota")
            .start()) {
      try (LmtpSink sink = lmtp(fake, "a@example.org", "b@example.org")) {
        FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
        assertEquals(FetchError.SINK_FAILED, e.error());
        assertTrue(e.getMessage().contains("b@example.org"), e.getMessage());
        assertFalse(sink.contains(DeliveryKey.of("acct", "m1")));
      }
      try (LmtpSink again = lmtp(fake, "a@example.org", "b@example.org")) {
        // the recipients that took it are in the journal: a new sink sends to b alone
        assertFalse(deliver(again, "m1", MESSAGE).alreadyHeld());
        assertTrue(again.contains(DeliveryKey.of("acct", "m1")));
      }
      List<String> rcpts = fake.commands().stream().filter(c -> c.startsWith("RCPT")).toList();
      assertEquals(
          List.of("RCPT TO:<a@example.org>", "RCPT TO:<b@example.org>", "RCPT TO:<b@example.org>"),
          rcpts);
    }
  }

  @Test
  void lmtp5xxForOneRecipient_isSinkRejected() throws IOException {
    try (FakeSmtpServer fake =
            FakeSmtpServer.lmtp()
                .afterData("250 2.0.0 ok", "550 5.1.1 <b@example.org> unknown")
                .start();
        LmtpSink sink = lmtp(fake, "a@example.org", "b@example.org")) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
      assertEquals(FetchError.SINK_REJECTED, e.error());
    }
  }

  @Test
  void a421MidSession_isSinkFailed_thatStopsTheRun() throws IOException {
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("PIPELINING").on("RCPT", "421 4.3.2 shutting down").start();
        SmtpSink sink = smtp(fake, "bob@example.org")) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
      assertEquals(FetchError.SINK_FAILED, e.error());
      assertInstanceOf(
          ConnectException.class, e.getCause(), "the engine reads it as unreachable: run stops");
      assertTrue(e.getMessage().contains("421 4.3.2"), e.getMessage());
    }
  }

  @Test
  void aDropDuringData_isSinkFailed_thatStopsTheRun_andTheMessageIsInDoubt() throws IOException {
    byte[] big =
        ("Subject: big\n\n" + "line of the body\n".repeat(2000))
            .getBytes(StandardCharsets.US_ASCII);
    try (FakeSmtpServer fake = FakeSmtpServer.smtp().dropDuringData(5000).start();
        SmtpSink sink = smtp(fake, "bob@example.org")) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", big));
      assertEquals(FetchError.SINK_FAILED, e.error());
      assertInstanceOf(ConnectException.class, e.getCause());
      assertFalse(sink.contains(DeliveryKey.of("acct", "m1")), "in doubt: sent again");
    }
    String journal = Files.readString(tmp.resolve("journal"));
    assertTrue(journal.startsWith("I "), "the intent was recorded: " + journal);
  }

  @Test
  void noStartTlsOffered_refusesBeforeAnyCredentialOrMessage() throws IOException {
    try (FakeSmtpServer fake = FakeSmtpServer.smtp("AUTH PLAIN", "PIPELINING").start();
        SmtpSink sink =
            SmtpSink.builder()
                .host("127.0.0.1")
                .port(fake.port())
                .user("bob")
                .password(() -> "secret")
                .recipients("bob@example.org")
                .build()) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
      assertEquals(FetchError.TLS_REQUIRED_NOT_OFFERED, e.error());
      assertEquals(List.of("EHLO localhost"), fake.commands(), "nothing after EHLO but QUIT");
    }
  }

  @Test
  void aMessageLargerThanTheServersSize_isRejectedBeforeMail() throws IOException {
    try (FakeSmtpServer fake = FakeSmtpServer.smtp("SIZE 20").start();
        SmtpSink sink = smtp(fake, "bob@example.org")) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
      assertEquals(FetchError.SINK_REJECTED, e.error());
      assertTrue(e.getMessage().contains("SIZE 20"), e.getMessage());
      assertEquals(0, count(fake.commands(), "MAIL"));
    }
  }

  @Test
  void dotStuffing_lonelyDot_doubleDot_andALastLineWithoutLineEnd() throws IOException {
    byte[] m = ".\n..\n.x\nlast".getBytes(StandardCharsets.US_ASCII);
    try (FakeSmtpServer fake = FakeSmtpServer.smtp().start();
        SmtpSink sink = smtp(fake, "bob@example.org")) {
      deliver(sink, "m1", m);
      assertArrayEquals(
          ".\r\n..\r\n.x\r\nlast\r\n".getBytes(StandardCharsets.US_ASCII),
          fake.messages().get(0),
          "unstuffed by the server: the lines as they were, the last one ended");
    }
  }

  @Test
  void chunking_sendsTheBytesAsTheyAre_withCrlfLineEnds_andNothingAdded() throws IOException {
    byte[] m = ".\n..\r\nlast".getBytes(StandardCharsets.US_ASCII);
    try (FakeSmtpServer fake = FakeSmtpServer.smtp("CHUNKING").start();
        SmtpSink sink = smtp(fake, "bob@example.org")) {
      deliver(sink, "m1", m);
      assertArrayEquals(
          ".\r\n..\r\r\nlast".getBytes(StandardCharsets.US_ASCII), fake.messages().get(0));
      assertEquals(0, count(fake.commands(), "DATA"));
    }
  }

  @Test
  void eightBitAndUtf8Addresses_areAnnounced_withTheSize() throws IOException {
    byte[] m = "Subject: caf\u00e9\n\n\u00e9\n".getBytes(StandardCharsets.UTF_8);
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp("8BITMIME", "SMTPUTF8", "SIZE 100000", "PIPELINING").start();
        SmtpSink sink = smtp(fake, "j\u00f6rg@example.org")) {
      deliver(sink, "m1", m);
      String mail = fake.commands().stream().filter(c -> c.startsWith("MAIL")).findFirst().get();
      assertEquals("MAIL FROM:<> BODY=8BITMIME SMTPUTF8 SIZE=" + (m.length + 3), mail);
      assertTrue(fake.commands().contains("RCPT TO:<j\u00f6rg@example.org>"));
    }
  }

  @Test
  void theReturnPath_isTheSender_whenNoneIsConfigured() throws IOException {
    byte[] m =
        "Return-Path: <list-bounces@example.net>\nSubject: x\n\nb\n"
            .getBytes(StandardCharsets.US_ASCII);
    try (FakeSmtpServer fake = FakeSmtpServer.smtp().start();
        SmtpSink sink = smtp(fake, "bob@example.org")) {
      deliver(sink, "m1", m);
      assertTrue(fake.commands().contains("MAIL FROM:<list-bounces@example.net>"));
    }
  }

  @Test
  void theJournal_toleratesATornLastLine_andAnswersHeldOnlyAfterThe250() throws IOException {
    try (FakeSmtpServer fake = FakeSmtpServer.smtp().start()) {
      try (SmtpSink sink = smtp(fake, "bob@example.org")) {
        deliver(sink, "m1", MESSAGE);
        sink.sync();
      }
      Files.writeString(
          tmp.resolve("journal"),
          Files.readString(tmp.resolve("journal")) + "D 00ff",
          StandardOpenOption.TRUNCATE_EXISTING);
      try (SmtpSink again = smtp(fake, "bob@example.org")) {
        assertTrue(again.contains(DeliveryKey.of("acct", "m1")));
        assertTrue(deliver(again, "m1", MESSAGE).alreadyHeld());
        assertFalse(again.contains(DeliveryKey.of("acct", "m2")));
      }
      assertEquals(1, fake.messages().size());
      assertFalse(Files.readString(tmp.resolve("journal")).contains("D 00ff"), "compacted");
    }
  }

  @Test
  void aReplyWithoutEnd_isCutAtMaxReplyLines_andStopsTheRun() throws IOException {
    try (FakeSmtpServer fake =
            FakeSmtpServer.smtp().on("MAIL", "250-more\r\n".repeat(500) + "250 ok").start();
        SmtpSink sink = smtp(fake, "bob@example.org")) {
      FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
      assertEquals(FetchError.SINK_FAILED, e.error());
      assertTrue(e.getMessage().contains("maxReplyLines"), e.getMessage());
      assertInstanceOf(ConnectException.class, e.getCause());
    }
  }

  @Test
  void aSilentServerOnAUnixSocket_meetsTheReplyDeadline() throws Exception {
    Path socket = tmp.resolve("lmtp.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      LmtpSink sink =
          LmtpSink.builder()
              .socket(socket)
              .recipients("a@example.org")
              .limits(SmtpLimits.builder().replyTimeout(Duration.ofMillis(300)).build())
              .build();
      try (sink) {
        long start = System.nanoTime();
        FetchException e = assertThrows(FetchException.class, () -> deliver(sink, "m1", MESSAGE));
        assertEquals(FetchError.SINK_FAILED, e.error());
        assertTrue(e.getMessage().contains("did not answer in time"), e.getMessage());
        assertInstanceOf(SocketTimeoutException.class, e.getCause().getCause());
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "the deadline held");
      }
    }
  }
}
