package dev.mailfetch.gmail;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.testkit.MessageSinkContract;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The sink contract, kept by {@link GmailImportSink} against the testkit's fake Gmail. */
class GmailImportSinkContractTest extends MessageSinkContract {
  static final String ME = "me@gmail.com";
  private FakeGmailServer gmail;

  @BeforeEach
  void startGmail() {
    gmail = FakeGmailServer.start().addAccount(ME).perUserQuota(1_000_000, Duration.ofMinutes(1));
  }

  @AfterEach
  void stopGmail() {
    gmail.close();
  }

  @Override
  protected SinkUnderTest open(Path location) throws IOException {
    GmailImportSink sink = GmailImportSink.builder().mailbox(ME).tokens(new FakeTokens(gmail, ME))
        .journalDirectory(location).apiBase(gmail.baseUri()).quota(1_000_000, Duration.ofMinutes(1)).build();
    return new SinkUnderTest() {
      @Override
      public MessageSink sink() {
        return sink;
      }

      @Override
      public Optional<byte[]> read(DeliveryKey key) {
        return stored(sink, key).map(StoredMessage::bytes);
      }

      /**
       * Empty: the contract's label checks include {@code addLabels}, which needs Gmail's {@code
       * messages.modify}, and the fake Gmail has none (docs/gmail-fake.md). Labels and archive are
       * checked against the fake by {@code GmailImportSinkTest}.
       */
      @Override
      public Optional<Set<String>> labels(DeliveryKey key) {
        return Optional.empty();
      }
    };
  }

  private Optional<StoredMessage> stored(GmailImportSink sink, DeliveryKey key) {
    return sink.gmailId(key).flatMap(id -> gmail.message(ME, id));
  }
}
