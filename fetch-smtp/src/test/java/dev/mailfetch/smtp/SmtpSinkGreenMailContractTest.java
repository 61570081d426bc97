package dev.mailfetch.smtp;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.ForwardingDelivery;
import dev.mailfetch.api.ForwardingMessageSink;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.testkit.MessageSinkContract;
import jakarta.mail.MessagingException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The sink contract, kept by {@link SmtpSink} against GreenMail's SMTP server in the JVM: every
 * message read back from GreenMail's store and compared byte for byte.
 *
 * <p>What GreenMail does to a message, undone by the reader: it puts its own {@code Return-Path}
 * and {@code Received} lines on top; it keeps the last line without its line end (its DATA joins
 * the lines), so the reader puts the line end back where the message handed to the sink had one and
 * GreenMail's copy has none; and it stores a message through {@code MimeMessage}, which writes the
 * blank line after the header section even for an empty message (then the copy is that blank line
 * alone, read back as empty).
 */
class SmtpSinkGreenMailContractTest extends MessageSinkContract {
  private GreenMail greenMail;
  private final Map<DeliveryKey, Integer> arrival = new HashMap<>();
  private final Map<DeliveryKey, Boolean> endedWithLineEnd = new HashMap<>();

  @BeforeEach
  void startGreenMail() {
    greenMail = new GreenMail(ServerSetup.SMTP.dynamicPort());
    greenMail.start();
  }

  @AfterEach
  void stopGreenMail() {
    greenMail.stop();
  }

  @Override
  protected SinkUnderTest open(Path location) {
    SmtpSink smtp =
        SmtpSink.builder()
            .host("127.0.0.1")
            .port(greenMail.getSmtp().getPort())
            .security(SmtpSecurity.NONE)
            .recipients("bob@example.org")
            .sender("fetch@example.org") // GreenMail takes no null sender
            .journal(location.resolve("smtp-journal"))
            .build();
    MessageSink watched =
        new ForwardingMessageSink(smtp) {
          @Override
          public Delivery begin(Envelope envelope) throws IOException {
            boolean[] lastWasLf = {false};
            return new ForwardingDelivery(super.begin(envelope)) {
              @Override
              public void write(ByteBuffer bytes) throws IOException {
                if (bytes.hasRemaining()) {
                  lastWasLf[0] = bytes.get(bytes.limit() - 1) == '\n';
                }
                super.write(bytes);
              }

              @Override
              public DeliveryReceipt complete(DeliveryKey key) throws IOException {
                DeliveryReceipt r = super.complete(key);
                if (!r.alreadyHeld()) {
                  arrival.put(key, greenMail.getReceivedMessages().length - 1);
                  endedWithLineEnd.put(key, lastWasLf[0]);
                }
                return r;
              }
            };
          }
        };
    return SinkUnderTest.of(watched, this::read);
  }

  private Optional<byte[]> read(DeliveryKey key) throws IOException {
    Integer i = arrival.get(key);
    if (i == null) {
      return Optional.empty();
    }
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try {
      greenMail.getReceivedMessages()[i].writeTo(raw);
    } catch (MessagingException e) {
      throw new IOException(e);
    }
    byte[] b = raw.toByteArray();
    int start = 0;
    for (String added : new String[] {"Return-Path:", "Received:"}) {
      if (startsWith(b, start, added)) {
        while (b[start] != '\n') {
          start++;
        }
        start++;
      }
    }
    ByteArrayOutputStream lf = new ByteArrayOutputStream();
    for (int j = start; j < b.length; j++) {
      if (!(b[j] == '\r' && j + 1 < b.length && b[j + 1] == '\n')) {
        lf.write(b[j]);
      }
    }
    byte[] held = lf.toByteArray();
    if (held.length == 1 && held[0] == '\n' && !endedWithLineEnd.get(key)) {
      return Optional.of(new byte[0]); // only MimeMessage's blank line: the message was empty
    }
    if (endedWithLineEnd.get(key) && (held.length == 0 || held[held.length - 1] != '\n')) {
      lf.write('\n');
    }
    return Optional.of(lf.toByteArray());
  }

  private static boolean startsWith(byte[] b, int at, String prefix) {
    byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
    return b.length - at >= p.length && Arrays.equals(b, at, at + p.length, p, 0, p.length);
  }
}
