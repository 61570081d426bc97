package dev.mailfetch.imap.internal;

import dev.mailfetch.imap.ImapSource;
import dev.mailfetch.testkit.FetchSourceContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The IMAP source keeps the source contract, against GreenMail's IMAP over implicit TLS. What the
 * server still holds is read by a session of the IMAP client core of its own (UID FETCH of
 * BODY.PEEK[]), not by the source under test.
 */
class ImapSourceContractTest extends FetchSourceContract {
  @Override
  protected SourceUnderTest open(List<byte[]> messages) throws Exception {
    GreenMailImap greenMail = new GreenMailImap();
    try (ImapSession s = admin(greenMail)) {
      for (byte[] m : messages) {
        s.ok(
            s.await(
                s.commands()
                    .append(
                        "INBOX", new ImapCommands.Message(List.of(), null, LiteralSource.of(m)))));
      }
    }
    ImapSource source =
        ImapSource.builder()
            .host("localhost")
            .port(greenMail.imapsPort())
            .sslContext(GreenMailImap.CERTS.clientContext())
            .user(GreenMailImap.USER)
            .password(() -> GreenMailImap.PASSWORD)
            .build();
    return SourceUnderTest.of(source, () -> held(greenMail), greenMail::close);
  }

  /**
   * GreenMail parses a message and writes its header section again for {@code BODY[HEADER]},
   * turning 8-bit UTF-8 header bytes into Latin-1 (its {@code BODY[]} is as stored); the IMAP
   * source's header reading of such bytes is checked against Dovecot (ImapSourceDovecotTest).
   */
  @Override
  protected boolean serverCarries(byte[] message) {
    for (int i = 0; i + 3 < message.length; i++) {
      if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r') {
        return true; // the header section ended without an 8-bit byte
      }
      if (message[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static ImapSession admin(GreenMailImap greenMail) throws IOException {
    ImapSession s = ImapSession.open(greenMail.plain());
    s.login();
    return s;
  }

  /** Every message in INBOX, as the server serves it. */
  private static List<byte[]> held(GreenMailImap greenMail) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (ImapSession s = admin(greenMail)) {
      s.commands().examine("INBOX");
      ByteArrayOutputStream current = new ByteArrayOutputStream();
      s.expectOk(
          ImapCommand.of("UID FETCH")
              .atom("1:*")
              .atom("(BODY.PEEK[])")
              .body(
                  new LiteralConsumer() {
                    @Override
                    public void begin(String response) {
                      current.reset();
                    }

                    @Override
                    public void accept(ByteBuffer slice) {
                      byte[] b = new byte[slice.remaining()];
                      slice.get(b);
                      current.write(b, 0, b.length);
                    }

                    @Override
                    public void end(long size) {
                      out.add(current.toByteArray());
                    }
                  })
              .build());
    }
    return out;
  }
}
