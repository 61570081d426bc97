package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The private Dovecot serves IMAP and LMTP besides POP3, and reads back what it stored: an APPEND
 * into a folder over IMAP, LMTP deliveries to {@code alice} over the Unix socket and to {@code
 * alice@localhost} over TCP. Skipped where Dovecot's IMAP or LMTP server is not installed.
 */
@RequiresDovecot({PrivateDovecot.Service.IMAP, PrivateDovecot.Service.LMTP})
class PrivateDovecotServicesTest {
  private static final byte[] MESSAGE =
      ("From: bob@example.org\r\nTo: alice@localhost\r\nSubject: services\r\n"
              + "Message-ID: <services@example.org>\r\n\r\nOne line.\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private static PrivateDovecot dovecot;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP, PrivateDovecot.Service.LMTP),
            maildir -> {},
            TestCertificates.generate());
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.stop();
    }
  }

  @Test
  void anImapAppendIsStoredInItsFolderWithLfLineEnds() throws Exception {
    try (Socket s = new Socket("127.0.0.1", dovecot.imapPort())) {
      s.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      assertTrue(in.readLine().startsWith("* OK"));
      command(in, out, "a LOGIN " + PrivateDovecot.USER + " \"" + PrivateDovecot.PASSWORD + "\"");
      command(in, out, "b CREATE Archive");
      out.write(
          ("c APPEND Archive {" + MESSAGE.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(MESSAGE);
      command(in, out, "");
      command(in, out, "d LOGOUT");
    }
    List<byte[]> stored = dovecot.messages("Archive");
    assertEquals(1, stored.size());
    assertArrayEquals(PrivateDovecot.storedForm(MESSAGE), stored.get(0));
    assertTrue(
        dovecot.imapsPort() > 0 && dovecot.imapsPort() != dovecot.imapPort(),
        "an implicit-TLS IMAP port of its own");
  }

  @Test
  void lmtpDeliversToTheUserByNameOrAddressOverTheSocketAndTcp() throws Exception {
    int before = dovecot.messages("INBOX").size();
    try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      unix.connect(UnixDomainSocketAddress.of(dovecot.lmtpSocket()));
      lmtp(unix, PrivateDovecot.USER);
    }
    try (SocketChannel tcp =
        SocketChannel.open(new InetSocketAddress("127.0.0.1", dovecot.lmtpPort()))) {
      lmtp(tcp, PrivateDovecot.USER + "@localhost");
    }
    List<byte[]> inbox = dovecot.messages("INBOX");
    assertEquals(before + 2, inbox.size());
    for (byte[] stored : inbox.subList(before, inbox.size())) {
      assertTrue(new String(stored, StandardCharsets.US_ASCII).startsWith("Return-Path: <bob@"));
      assertArrayEquals(
          PrivateDovecot.storedForm(MESSAGE), PrivateDovecot.withoutReturnPath(stored));
    }
  }

  private static void lmtp(SocketChannel channel, String recipient) throws IOException {
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.US_ASCII));
    assertTrue(in.readLine().startsWith("220"));
    send(channel, "LHLO localhost\r\n");
    String line;
    do {
      line = in.readLine();
    } while (line.charAt(3) == '-');
    send(channel, "MAIL FROM:<bob@example.org>\r\n");
    assertTrue(in.readLine().startsWith("250"));
    send(channel, "RCPT TO:<" + recipient + ">\r\n");
    assertTrue(in.readLine().startsWith("250"), "recipient " + recipient);
    send(channel, "DATA\r\n");
    assertTrue(in.readLine().startsWith("354"));
    send(channel, new String(MESSAGE, StandardCharsets.US_ASCII) + ".\r\n");
    String reply = in.readLine();
    assertTrue(reply.startsWith("250"), reply);
    send(channel, "QUIT\r\n");
  }

  private static void send(SocketChannel channel, String text) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  /** Sends {@code line} (unless empty) and reads to its tagged reply, which must be OK. */
  private static void command(BufferedReader in, OutputStream out, String line) throws IOException {
    String tag = line.isEmpty() ? "c" : line.substring(0, line.indexOf(' '));
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String reply;
    do {
      reply = in.readLine();
    } while (!reply.startsWith(tag + " "));
    assertTrue(reply.startsWith(tag + " OK"), reply);
  }
}
