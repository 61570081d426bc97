package dev.mailfetch.gmail;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A POP3 mailbox on the testkit's fake POP3 server, fetched by a real {@link Fetcher} into the fake
 * Gmail through a {@link GmailImportSink}, in delete mode: what a user of the sink runs.
 */
final class GmailRig implements AutoCloseable {
  static final String ME = "me@gmail.com";
  static final String POP_USER = "alice";
  static final String POP_PASSWORD = "secret-pop3";

  final FakeGmailServer gmail;
  final FakeMailbox box;
  final FakePop3Server pop3;
  final InMemoryUidStore store = InMemoryUidStore.create();
  final Path journal;
  FakeTokens tokens;
  LabelPolicy labels = LabelPolicy.none();

  GmailRig(Path dir, FakeMailbox box) {
    this.gmail =
        FakeGmailServer.start().addAccount(ME).perUserQuota(1_000_000, Duration.ofMinutes(1));
    this.box = box;
    this.pop3 = FakePop3Server.builder().account(POP_USER, POP_PASSWORD, box).start();
    this.journal = dir.resolve("gmail-journal");
    this.tokens = new FakeTokens(gmail, ME);
  }

  /** Message {@code i}: a Message-ID, a date, a subject, a body. */
  static byte[] message(int i) {
    return ("Message-ID: <m"
            + i
            + "@example.org>\r\nDate: Tue, 1 Dec 2026 10:00:"
            + String.format("%02d", i % 60)
            + " +0000\r\nFrom: a@example.org\r\nSubject: message "
            + i
            + "\r\n\r\nbody of message "
            + i
            + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A message without a Message-ID. */
  static byte[] messageWithoutId(int i) {
    return ("Date: Tue, 1 Dec 2026 10:00:00 +0000\r\nFrom: a@example.org\r\nSubject: no id "
            + i
            + "\r\n\r\nbody "
            + i
            + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static FakeMailbox mailbox(int n) {
    FakeMailbox box = FakeMailbox.create();
    for (int i = 1; i <= n; i++) {
      box.add("u" + i, message(i));
    }
    return box;
  }

  /** A sink pointed at the fake, with a short retry budget for tests, as a test sets it. */
  Sink sink() {
    return new Sink();
  }

  /**
   * The settings of a sink: the test's own, then the rig's where the test gave none, so that the
   * builder gets each setting once (its policy).
   */
  final class Sink {
    private final Map<String, Consumer<GmailImportSink.Builder>> own = new LinkedHashMap<>();

    private Sink set(String name, Consumer<GmailImportSink.Builder> setting) {
      own.put(name, setting);
      return this;
    }

    Sink mailbox(String address) {
      return set("mailbox", b -> b.mailbox(address));
    }

    Sink tokens(TokenProvider t) {
      return set("tokens", b -> b.tokens(t));
    }

    Sink journalDirectory(Path directory) {
      return set("journalDirectory", b -> b.journalDirectory(directory));
    }

    Sink apiBase(URI base) {
      return set("apiBase", b -> b.apiBase(base));
    }

    Sink quota(long units, Duration window) {
      return set("quota", b -> b.quota(units, window));
    }

    Sink quotaUnitsPerSecond(double units) {
      return set("quota", b -> b.quotaUnitsPerSecond(units));
    }

    Sink retryBudget(Duration budget) {
      return set("retryBudget", b -> b.retryBudget(budget));
    }

    Sink requestTimeout(Duration timeout) {
      return set("requestTimeout", b -> b.requestTimeout(timeout));
    }

    Sink searchSettleTime(Duration settle) {
      return set("searchSettleTime", b -> b.searchSettleTime(settle));
    }

    Sink parallelism(int requests) {
      return set("parallelism", b -> b.parallelism(requests));
    }

    Sink memorySpoolBytes(int bytes) {
      return set("memorySpoolBytes", b -> b.memorySpoolBytes(bytes));
    }

    Sink resumableAbove(long bytes) {
      return set("resumableAbove", b -> b.resumableAbove(bytes));
    }

    Sink uploadChunkBytes(int bytes) {
      return set("uploadChunkBytes", b -> b.uploadChunkBytes(bytes));
    }

    Sink neverMarkSpam(boolean never) {
      return set("neverMarkSpam", b -> b.neverMarkSpam(never));
    }

    Sink processForCalendar(boolean process) {
      return set("processForCalendar", b -> b.processForCalendar(process));
    }

    Sink internalDateSource(InternalDateSource source) {
      return set("internalDateSource", b -> b.internalDateSource(source));
    }

    /** The builder, each setting given once: the test's, else the rig's. */
    GmailImportSink.Builder builder() {
      Map<String, Consumer<GmailImportSink.Builder>> all = new LinkedHashMap<>();
      all.put("mailbox", b -> b.mailbox(ME));
      all.put("tokens", b -> b.tokens(tokens));
      all.put("journalDirectory", b -> b.journalDirectory(journal));
      all.put("apiBase", b -> b.apiBase(gmail.baseUri()));
      all.put("quota", b -> b.quota(1_000_000, Duration.ofMinutes(1)));
      all.put("retryBudget", b -> b.retryBudget(Duration.ofSeconds(20)));
      all.put("requestTimeout", b -> b.requestTimeout(Duration.ofSeconds(10)));
      all.putAll(own);
      GmailImportSink.Builder b = GmailImportSink.builder();
      all.values().forEach(setting -> setting.accept(b));
      return b;
    }

    GmailImportSink build() throws IOException {
      return builder().build();
    }
  }

  Pop3Source source() {
    return Pop3Source.builder()
        .host("127.0.0.1")
        .port(pop3.port())
        .security(Security.NONE)
        .allowPlaintextAuthentication(true)
        .user(POP_USER)
        .password(() -> POP_PASSWORD)
        .limits(
            Pop3Limits.builder()
                .readTimeout(Duration.ofSeconds(10))
                .commandTimeout(Duration.ofSeconds(20))
                .build())
        .build();
  }

  /** One run in delete mode, batches of 5. */
  FetchResult run(GmailImportSink sink) {
    FetchResult r =
        Fetcher.builder()
            .source(source())
            .sink(sink)
            .uidStore(store)
            .labelPolicy(labels)
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .batchSize(5)
            .build()
            .run();
    pop3.awaitSessionsEnded(Duration.ofSeconds(10));
    return r;
  }

  /** Builds a sink, runs once, closes the sink. */
  FetchResult runOnce() throws IOException {
    try (GmailImportSink sink = sink().build()) {
      return run(sink);
    }
  }

  List<StoredMessage> inGmail() {
    return gmail.messages(ME);
  }

  /** How many copies Gmail holds of each Message-ID. */
  Map<String, Integer> copiesByMessageId() {
    Map<String, Integer> n = new HashMap<>();
    for (StoredMessage m : inGmail()) {
      n.merge(String.valueOf(m.messageId()), 1, Integer::sum);
    }
    return n;
  }

  /** Message-IDs <m1@example.org>... for messages {@code from} to {@code to}, once each. */
  static Map<String, Integer> once(int from, int to) {
    Map<String, Integer> n = new HashMap<>();
    for (int i = from; i <= to; i++) {
      n.put("<m" + i + "@example.org>", 1);
    }
    return n;
  }

  Set<String> onServer() {
    return box.uids();
  }

  @Override
  public void close() {
    pop3.close();
    gmail.close();
  }
}
