package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapRecordedCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A batch against the testkit's fake IMAP server, which records what it was sent: the APPENDs of a
 * sync go pipelined (each sent before the answer to the one before), and a message over the
 * server's APPENDLIMIT is named in {@link DeliveriesFailed} while the others are kept.
 */
@Timeout(30)
class ImapAppendSinkBatchTest {
  private static final String ACCOUNT = "pop@example.org";

  private static ImapAppendSink sink(FakeImapServer fake) {
    return ImapAppendSink.builder()
        .host(fake.host())
        .port(fake.port())
        .security(ImapSecurity.NONE)
        .allowPlaintextAuthentication(true)
        .user("u")
        .password(() -> "p")
        .build();
  }

  private static void deliver(ImapAppendSink sink, int i, int bodyBytes) throws Exception {
    Delivery d = sink.begin(new Envelope(ACCOUNT, "m" + i, 0, Set.of(), false));
    d.write(
        ByteBuffer.wrap(
            ("Subject: " + i + "\n\n" + "x".repeat(bodyBytes) + "\n")
                .getBytes(StandardCharsets.US_ASCII)));
    d.complete(DeliveryKey.of(ACCOUNT, "m" + i));
  }

  @Test
  void theAppendsOfASync_arePipelined_soABatchCostsAboutOneRoundTrip() throws Exception {
    try (FakeImapServer fake =
        FakeImapServer.builder().account("u", "p").replyDelay(Duration.ofMillis(50)).start()) {
      try (ImapAppendSink sink = sink(fake)) {
        for (int i = 0; i < 10; i++) {
          deliver(sink, i, 100);
        }
        sink.sync();
      }
      List<ImapRecordedCommand> appends = fake.session(1).commands("APPEND");
      assertEquals(10, appends.size());
      assertTrue(
          appends.subList(1, 10).stream().allMatch(ImapRecordedCommand::pipelined),
          "each APPEND went before the answer to the one before: " + appends);
      assertEquals(10, fake.messages("u", "INBOX").size());
    }
  }

  @Test
  void aMessageOverTheServersAppendLimit_isNamedInDeliveriesFailed_andTheOthersAreKept()
      throws Exception {
    List<String> caps = new ArrayList<>(FakeImapServer.DEFAULT_CAPABILITIES);
    caps.add("APPENDLIMIT=5000");
    try (FakeImapServer fake =
        FakeImapServer.builder()
            .account("u", "p")
            .capabilities(caps.toArray(String[]::new))
            .maxLiteralBytes(5_000)
            .start()) {
      try (ImapAppendSink sink = sink(fake)) {
        deliver(sink, 1, 100);
        deliver(sink, 2, 20_000); // over the server's limit
        deliver(sink, 3, 100);
        DeliveriesFailed failed = assertThrows(DeliveriesFailed.class, sink::sync);
        DeliveryKey big = DeliveryKey.of(ACCOUNT, "m2");
        assertEquals(Set.of(big), failed.failures().keySet());
        FetchException why = failed.failures().get(big);
        assertEquals(FetchError.SINK_REJECTED, why.error());
        assertTrue(why.getMessage().contains("APPENDLIMIT"), why.getMessage());
        assertFalse(sink.contains(big), "a refused message is not held");
        assertTrue(sink.contains(DeliveryKey.of(ACCOUNT, "m1")));
        assertTrue(sink.contains(DeliveryKey.of(ACCOUNT, "m3")));
        sink.sync(); // reported once
      }
      assertEquals(2, fake.messages("u", "INBOX").size());
    }
  }
}
