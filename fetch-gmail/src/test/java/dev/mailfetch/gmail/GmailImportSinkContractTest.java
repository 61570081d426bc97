package dev.mailfetch.gmail;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.testkit.MessageSinkContract;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.GmailLabel;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
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
    GmailImportSink sink =
        GmailImportSink.builder()
            .mailbox(ME)
            .tokens(new FakeTokens(gmail, ME))
            .journalDirectory(location)
            .apiBase(gmail.baseUri())
            .quota(1_000_000, Duration.ofMinutes(1))
            .build();
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
       * The user labels Gmail files the message under, by name (INBOX, UNREAD and the other system
       * ones left out).
       */
      @Override
      public Optional<Set<String>> labels(DeliveryKey key) {
        Map<String, String> names =
            gmail.labels(ME).stream()
                .filter(l -> !l.system())
                .collect(Collectors.toMap(GmailLabel::id, GmailLabel::name));
        return Optional.of(
            stored(sink, key)
                .map(
                    m ->
                        m.labelIds().stream()
                            .filter(names::containsKey)
                            .map(names::get)
                            .collect(Collectors.toSet()))
                .orElse(Set.of()));
      }
    };
  }

  private Optional<StoredMessage> stored(GmailImportSink sink, DeliveryKey key) {
    return sink.gmailId(key).flatMap(id -> gmail.message(ME, id));
  }
}
