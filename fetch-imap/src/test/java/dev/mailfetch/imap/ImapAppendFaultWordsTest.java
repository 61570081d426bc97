package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapFault;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The words a person reads when the IMAP server fails in the middle of a batch: the server's own
 * words, once, without the JDK's.
 */
@Timeout(30)
class ImapAppendFaultWordsTest {
  @TempDir Path tmp;

  private ImapAppendSink sink(FakeImapServer imap) {
    return ImapAppendSink.builder()
        .host("127.0.0.1")
        .port(imap.port())
        .security(ImapSecurity.NONE)
        .allowPlaintextAuthentication(true)
        .user("alice")
        .password(() -> "pw")
        .journal(tmp.resolve("journal"))
        .limits(ImapAppendFaultTest.SHORT)
        .build();
  }

  private static FetchException syncFailure(ImapAppendSink sink, int messages, byte[] body)
      throws IOException {
    for (int i = 1; i <= messages; i++) {
      Delivery d = sink.begin(new Envelope("acct", "uid-" + i, 0, Set.of(), false));
      d.write(ByteBuffer.wrap(("Subject: m " + i + "\n\n").getBytes(StandardCharsets.US_ASCII)));
      d.write(ByteBuffer.wrap(body));
      d.complete(DeliveryKey.of("acct", "uid-" + i));
    }
    try {
      sink.sync();
    } catch (DeliveriesFailed some) {
      // The server took the first message(s): sync names only the others, each with the failure.
      return some.failures().values().iterator().next();
    } catch (FetchException e) {
      return e;
    }
    return null;
  }

  /** BYE_MID_BATCH while the sink still writes 8 × 400 KB: the BYE, not "Broken pipe". */
  @Test
  void byeMidBatchWhileTheSinkStillWritesReportsTheServersBye() throws Exception {
    byte[] body = new byte[400 * 1024];
    Arrays.fill(body, (byte) 'x');
    for (int i = 77; i < body.length; i += 78) {
      body[i] = '\n';
    }
    try (FakeImapServer imap =
            FakeImapServer.builder()
                .account("alice", "pw")
                .fault(ImapFault.byeMidBatch(1))
                .start();
        ImapAppendSink sink = sink(imap)) {
      FetchException e = syncFailure(sink, 8, body);
      assertNotNull(e, "sync must fail");
      assertFalse(e.getMessage().contains("Broken pipe"), e.getMessage());
      assertEquals(
          "BYE [UNAVAILABLE] Server shutting down", e.serverReply().orElse(null), e.getMessage());
    }
  }
}
