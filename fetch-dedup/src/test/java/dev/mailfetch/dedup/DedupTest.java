package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.ContentDigest;
import dev.mailfetch.api.DedupPolicy;
import dev.mailfetch.api.DedupVerdict;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.HeaderBlock;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The stock dedup policies, through the real engine and POP3 client. */
@Timeout(60)
class DedupTest {
  private static final String PW = "dedup test";
  @TempDir Path tmp;

  private static String message(String id, String subject, String trace) {
    return trace
        + "From: Alice <alice@example.org>\r\nSubject: "
        + subject
        + "\r\n"
        + (id == null ? "" : "Message-ID: " + id + "\r\n")
        + "\r\nthe same body\r\n";
  }

  private static FetchResult fetch(
      FakePop3Server s,
      String user,
      String account,
      InMemorySink sink,
      DedupPolicy dedup,
      LabelPolicy labels) {
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(s.port())
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user(user)
            .password(() -> PW)
            .account(account)
            .build();
    return Fetcher.builder()
        .source(source)
        .sink(sink)
        .uidStore(InMemoryUidStore.create())
        .dedupPolicy(dedup)
        .labelPolicy(labels)
        .build()
        .run();
  }

  private static List<MessageOutcome.Kind> kinds(FetchResult r) {
    return r.outcomes().stream().map(MessageOutcome::kind).collect(Collectors.toList());
  }

  @Test
  void byMessageId_theFirstCopyWins_acrossAccounts_andTheSecondCopysLabelsJoinIt()
      throws IOException {
    FakeMailbox work =
        FakeMailbox.create().add(message("<a1@Example.ORG>", "one", "Received: by work\r\n"));
    FakeMailbox home =
        FakeMailbox.create()
            .add(message("<a1@example.org>", "one", "Received: by home\r\nReceived: by relay\r\n"))
            .add(message("<b2@example.org>", "two", ""))
            .add(message(null, "no id", ""));
    try (FakePop3Server s =
            FakePop3Server.builder().account("work", PW, work).account("home", PW, home).start();
        DedupStore store = DedupStore.inMemory(DedupStore.Window.DEFAULT)) {
      InMemorySink sink = InMemorySink.create();
      DedupPolicy dedup = Dedup.byName("message-id", store);
      assertTrue(
          fetch(s, "work", "work@x", sink, dedup, LabelPolicy.fixed(Set.of("Work"), false)).ok());
      FetchResult r =
          fetch(s, "home", "home@x", sink, dedup, LabelPolicy.fixed(Set.of("Home"), false));
      assertEquals(
          List.of(
              MessageOutcome.Kind.DUPLICATE,
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DELIVERED),
          kinds(r),
          r::summary);
      assertTrue(
          r.outcomes().get(0).duplicateReason().contains("<a1@example.org>"),
          r.outcomes().get(0)::toString);
      assertEquals(3, sink.size());
      InMemorySink.StoredMessage first = sink.messages().get(0);
      assertEquals(
          Set.of("Work", "Home"), first.envelope().labels(), "Gmail lost this label; we keep it");
    }
  }

  @Test
  void byMessageId_anIdReusedByABrokenMailerForAnotherDate_isNotADuplicate_soNothingIsLost()
      throws IOException {
    FakeMailbox box =
        FakeMailbox.create()
            .add(
                "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
                    + message("<same@mailer>", "issue 1", ""))
            .add(
                "Date: Mon, 9 Nov 2026 10:00:00 +0000\r\n"
                    + message("<same@mailer>", "issue 2", ""))
            .add(
                "Date: Mon,  2 Nov 2026 10:00:00 +0000\r\n"
                    + message("<same@mailer>", "issue 1", "Received: x\r\n"));
    try (FakePop3Server s = FakePop3Server.builder().account("u", PW, box).start();
        DedupStore store = DedupStore.inMemory(DedupStore.Window.DEFAULT)) {
      FetchResult r =
          fetch(
              s,
              "u",
              "u@x",
              InMemorySink.create(),
              Dedup.byName("message-id", store),
              LabelPolicy.none());
      assertEquals(
          List.of(
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DUPLICATE),
          kinds(r),
          "the same ID with another Date is another message; the same Date (spacing aside) is a copy");
    }
  }

  @Test
  void byDigest_copiesThatDifferOnlyInTraceHeaders_areOne_decidedAfterTheBody_andNeverStored()
      throws IOException {
    FakeMailbox box =
        FakeMailbox.create()
            .add(message("<x@a>", "same", "Received: from a\r\nDelivered-To: me@a\r\n"))
            .add(
                message(
                    "<x@a>",
                    "same",
                    "Received: from b\r\nReceived: from c\r\nX-Spam-Score: 1\r\nReturn-Path: <b@b>\r\n"))
            .add(message("<x@a>", "different subject", "Received: from a\r\n"));
    try (FakePop3Server s = FakePop3Server.builder().account("u", PW, box).start();
        DedupStore store = DedupStore.inMemory(DedupStore.Window.DEFAULT)) {
      InMemorySink sink = InMemorySink.create();
      FetchResult r = fetch(s, "u", "u@x", sink, Dedup.byName("digest", store), LabelPolicy.none());
      assertEquals(
          List.of(
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DUPLICATE,
              MessageOutcome.Kind.DELIVERED),
          kinds(r),
          r::summary);
      assertTrue(r.outcomes().get(1).duplicateReason().startsWith("the same content (SHA-256 "));
      assertEquals(2, sink.size(), "the duplicate was aborted in the sink, not stored");
    }
  }

  @Test
  void byDigest_aMessageWithoutFieldsOfItsAuthor_isNeverAnyonesDuplicate_norRemembered()
      throws IOException {
    DedupPolicy digest = Dedup.byDigest(DedupStore.inMemory(DedupStore.Window.DEFAULT));
    Envelope env = new Envelope("a@b", "u1", 10, Set.of(), false);
    byte[] stub =
        "Received: by pop.example\r\nX-Note: served without content\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    HeaderBlock h = HeaderBlock.of(stub, true);
    byte[] d = ContentDigest.of(stub);
    digest.delivered(env, h, DeliveryKey.of("a@b", "u1"), d);
    assertEquals(DedupVerdict.NEW, digest.checkContent(env, h, d), "not remembered, not matched");
    byte[] real = message(null, "one", "").getBytes(StandardCharsets.UTF_8);
    HeaderBlock rh = HeaderBlock.of(real, true);
    digest.delivered(env, rh, DeliveryKey.of("a@b", "u1"), ContentDigest.of(real));
    assertTrue(digest.checkContent(env, rh, ContentDigest.of(real)).isDuplicate(), "a real one is");
  }

  @Test
  void byUid_oneMailboxFetchedUnderTwoAccountNames_isFetchedOnce() throws IOException {
    FakeMailbox box =
        FakeMailbox.create().add(message("<1@a>", "one", "")).add(message("<2@a>", "two", ""));
    try (FakePop3Server s = FakePop3Server.builder().account("u", PW, box).start();
        DedupStore store = DedupStore.inMemory(DedupStore.Window.DEFAULT)) {
      InMemorySink sink = InMemorySink.create();
      DedupPolicy dedup = Dedup.byName("uid", store);
      assertTrue(fetch(s, "u", "alias-1", sink, dedup, LabelPolicy.none()).ok());
      FetchResult r = fetch(s, "u", "alias-2", sink, dedup, LabelPolicy.none());
      assertEquals(
          List.of(MessageOutcome.Kind.DUPLICATE, MessageOutcome.Kind.DUPLICATE),
          kinds(r),
          r::summary);
      assertEquals(2, sink.size());
      assertTrue(!dedup.needsHeaders(), "the UID is in the envelope: no header hold-back");
    }
  }

  @Test
  void theComposite_catchesWhatEitherCatches() throws IOException {
    FakeMailbox box =
        FakeMailbox.create()
            .add(message("<m@a>", "one", ""))
            .add(
                message("<m@a>", "one but other body", "").replace("the same body", "another body"))
            .add(message("<n@a>", "two", "Received: x\r\n"))
            .add(message("<other@a>", "two", "Received: y\r\n").replace("<other@a>", "<n@a>"));
    try (FakePop3Server s = FakePop3Server.builder().account("u", PW, box).start();
        DedupStore store = DedupStore.inMemory(DedupStore.Window.DEFAULT)) {
      InMemorySink sink = InMemorySink.create();
      FetchResult r =
          fetch(s, "u", "u@x", sink, Dedup.byName("message-id+digest", store), LabelPolicy.none());
      assertEquals(
          List.of(
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DUPLICATE,
              MessageOutcome.Kind.DELIVERED,
              MessageOutcome.Kind.DUPLICATE),
          kinds(r),
          r::summary);
    }
  }

  @Test
  void anUnknownPolicyName_saysWhichExist() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Dedup.byName("sha1", DedupStore.inMemory(DedupStore.Window.DEFAULT)));
    assertTrue(e.getMessage().contains("none, uid, message-id, digest"), e.getMessage());
  }

  @Test
  void parse_choosesAPolicyByName_withoutAStore_inAnyCase() {
    for (String name : Dedup.NAMES) {
      Dedup.Spec spec = Dedup.parse(name.toUpperCase(Locale.ROOT));
      assertEquals(name, spec.name());
      assertEquals(Dedup.parse(name), spec);
      DedupPolicy policy = spec.policy(DedupStore.inMemory(DedupStore.Window.DEFAULT));
      assertEquals(name.equals("none"), policy == DedupPolicy.none(), name);
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Dedup.parse("sha1"));
    assertEquals(
        "no dedup policy \"sha1\"; the policies are none, uid, message-id, digest,"
            + " message-id+digest",
        e.getMessage());
  }

  @Test
  void theStore_heldByAnotherMailfetch_saysWhichProcess_sinceWhen_andWhatToDo() throws Exception {
    Path file = tmp.resolve("dedup/store");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StoreHolder.class.getName(),
                file.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("held", out.readLine(), "the child opened the store");
      FetchException e =
          assertThrows(
              FetchException.class, () -> DedupStore.open(file, DedupStore.Window.DEFAULT));
      assertEquals(FetchError.LOCKED, e.error());
      assertTrue(
          e.detail()
              .startsWith(
                  "the dedup store "
                      + file
                      + " is held by another mailfetch: process "
                      + child.pid()
                      + " on "),
          e.detail());
      assertTrue(e.detail().contains(", since 20"), e.detail());
      assertTrue(
          e.remedy()
              .commandLine()
              .startsWith("Wait for that mailfetch to end, or stop it (process " + child.pid()),
          e.remedy().commandLine());
      assertFalse(e.remedy().commandLine().contains("POP3"), e.remedy().commandLine());
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(20, TimeUnit.SECONDS));
    }
    DedupStore.open(file, DedupStore.Window.DEFAULT).close(); // the lock went with the process
  }

  /** Opens the store, says so, and waits to be killed. */
  public static final class StoreHolder {
    public static void main(String[] args) throws Exception {
      DedupStore s = DedupStore.open(Path.of(args[0]), DedupStore.Window.DEFAULT);
      System.out.println("held");
      System.out.flush();
      Thread.sleep(120_000);
      s.close();
    }
  }

  @Test
  void messageIds_areComparedAsMailReadersDo() {
    assertEquals(
        Optional.of("<Ab.1@example.org>"), Dedup.normalMessageId(" <Ab.1@Example.ORG> (comment)"));
    assertEquals(Optional.empty(), Dedup.normalMessageId("no brackets@example.org"));
    assertEquals(Optional.empty(), Dedup.normalMessageId("<>"));
  }

  @Test
  void theStore_remembersAcrossARestart_withinItsWindow_andIsLocked() throws IOException {
    Path file = tmp.resolve("dedup/store");
    DeliveryKey k1 = DeliveryKey.of("a", "1");
    DeliveryKey k2 = DeliveryKey.of("a", "2");
    Instant now = Instant.now();
    try (DedupStore s = DedupStore.open(file, new DedupStore.Window(Duration.ofDays(30), 1000))) {
      s.remember("mid <1@a>", k1, now.minus(Duration.ofDays(40)));
      s.remember("mid <2@a>", k2, now);
      s.remember("mid <2@a>", k1, now); // the first copy wins
      FetchException e =
          assertThrows(
              FetchException.class, () -> DedupStore.open(file, DedupStore.Window.DEFAULT));
      assertEquals(FetchError.LOCKED, e.error());
      assertTrue(e.detail().contains("is already open in this process"), e.detail());
      assertTrue(e.remedy().library().startsWith("Share one DedupStore"), e.remedy().library());
    }
    Files.writeString(file, Files.readString(file) + "0000 cut by a cra", StandardOpenOption.WRITE);
    try (DedupStore s = DedupStore.open(file, new DedupStore.Window(Duration.ofDays(30), 1000))) {
      assertEquals(Optional.empty(), s.firstCopy("mid <1@a>", now), "older than the window");
      assertEquals(Optional.of(k2), s.firstCopy("mid <2@a>", now));
      s.remember("mid <3@a>", k1, now);
    }
    try (DedupStore s = DedupStore.open(file, new DedupStore.Window(Duration.ofDays(30), 1))) {
      assertEquals(1, s.size(), "at most maxEntries, the newest kept");
      assertEquals(Optional.of(k1), s.firstCopy("mid <3@a>", now));
    }
  }

  @Test
  void theStore_readsBackKeysWithSpacesAndUtf8_andSkipsLinesThatDoNotCheckOut() throws IOException {
    Path file = tmp.resolve("dedup/store");
    DeliveryKey k1 = DeliveryKey.of("a", "1");
    DeliveryKey k2 = DeliveryKey.of("a", "2");
    Instant now = Instant.now();
    String spaced = "mid <1@a> Tue,  14 Nov 2023 22:23:19 +0000 — Grüße";
    try (DedupStore s = DedupStore.open(file, new DedupStore.Window(Duration.ofDays(30), 1000))) {
      s.remember(spaced, k1, now);
      s.remember("mid <2@a> ", k2, now);
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String good = lines.get(0);
    String badCrc = (good.charAt(0) == '0' ? "1" : "0") + good.substring(1);
    String notHex = "zzzzzzzz" + good.substring(8);
    String badKey = lines.get(1).replace(k2.toString(), k2.toString().toUpperCase(Locale.ROOT));
    Files.writeString(
        file,
        badCrc + "\n" + notHex + "\n" + badKey + "\n" + String.join("\n", lines) + "\n",
        StandardCharsets.UTF_8);
    try (DedupStore s = DedupStore.open(file, new DedupStore.Window(Duration.ofDays(30), 1000))) {
      assertEquals(2, s.size(), "the damaged lines skipped, the good ones read");
      assertEquals(Optional.of(k1), s.firstCopy(spaced, now));
      assertEquals(Optional.of(k2), s.firstCopy("mid <2@a> ", now));
    }
    assertEquals(lines, Files.readAllLines(file, StandardCharsets.UTF_8), "rewritten without them");
  }

  @Test
  void theDateOfAMessageIdKey_isOneSpaced_exactlyAsTheRegexWould() {
    Random random = new Random(22);
    String alphabet = " \t\n\u000B\f\r\u00A0\u2003aZ,:+0";
    for (int n = 0; n < 5000; n++) {
      StringBuilder sb = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String d = sb.toString();
      assertEquals(
          d.replaceAll("\\s+", " "), Dedup.oneSpaced(d), () -> "for " + d.chars().boxed().toList());
    }
    String plain = "Tue, 14 Nov 2023 22:23:19 +0000";
    assertSame(plain, Dedup.oneSpaced(plain), "nothing copied when nothing changes");
  }
}
