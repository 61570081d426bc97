package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MailPush;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapSeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The IDLE watch of one folder against the testkit's fake IMAP server. */
@Timeout(30)
class ImapIdleFakeTest {
  private static final String USER = "alice";
  private static final String PASSWORD = "secret";

  /** What a watch said, in order: "watching", "arrived", "interrupted CODE", "ended CODE". */
  private final BlockingQueue<String> said = new LinkedBlockingQueue<>();

  private final MailPush.Listener listener =
      new MailPush.Listener() {
        @Override
        public void arrived(String mailbox) {
          said.add("arrived");
        }

        @Override
        public void ended(String mailbox, FetchException why) {
          said.add("ended " + why.error());
        }

        @Override
        public void watching(String mailbox) {
          said.add("watching");
        }

        @Override
        public void interrupted(String mailbox, FetchException why) {
          said.add("interrupted " + why.error());
        }
      };

  private static ImapSource.Builder source(FakeImapServer server) {
    return ImapSource.builder()
        .host(server.host())
        .port(server.port())
        .security(ImapSecurity.NONE)
        .allowPlaintextAuthentication(true)
        .user(USER);
  }

  private MailPush.Watch watch(ImapSource source) {
    MailPush push = source.push().orElseThrow();
    assertEquals(List.of("INBOX"), push.mailboxes());
    return push.watch("INBOX", listener, r -> new Thread(r));
  }

  private String next() throws InterruptedException {
    String s = said.poll(10, TimeUnit.SECONDS);
    assertNotNull(s, "the watch said nothing in 10 s");
    return s;
  }

  @Test
  void newMailIsTold_andAfterTheServerDropsIdleTheWatchComesBackAndTellsOfTheGap()
      throws Exception {
    try (FakeImapServer server = FakeImapServer.builder().account(USER, PASSWORD).start();
        MailPush.Watch w = watch(source(server).password(() -> PASSWORD).build())) {
      assertEquals("watching", next());
      server.source().awaitIdling(1, Duration.ofSeconds(5));
      assertTrue(w.watching());
      server.source().deliver(USER, "INBOX", ImapSeed.of("Subject: one\r\n\r\nbody\r\n"));
      assertEquals("arrived", next());
      assertEquals(1, server.source().dropIdleSessions(true));
      assertEquals("interrupted CONNECTION_RESET", next());
      assertEquals("watching", next());
      assertEquals("arrived", next(), "mail may have come while nobody watched");
      server.source().awaitIdling(1, Duration.ofSeconds(5));
      server.source().deliver(USER, "INBOX", ImapSeed.of("Subject: two\r\n\r\nbody\r\n"));
      assertEquals("arrived", next());
      assertEquals(2, server.sessions().size());
      assertTrue(
          server.sessions().get(0).verbs().contains("EXAMINE"), "read-only: no flag changes");
    }
  }

  @Test
  void idleIsRenewedBeforeTheServersTimeout_withDoneAndNoop_onTheSameConnection() throws Exception {
    try (FakeImapServer server =
            FakeImapServer.builder()
                .account(USER, PASSWORD)
                .idleTimeout(Duration.ofMillis(900))
                .start();
        MailPush.Watch w =
            watch(
                source(server)
                    .password(() -> PASSWORD)
                    .limits(ImapLimits.builder().idleRenewal(Duration.ofMillis(250)).build())
                    .build())) {
      assertEquals("watching", next());
      Thread.sleep(2000); // past the server's 900 ms: only renewals keep the connection
      assertEquals(1, server.sessions().size(), "one connection all along: " + said);
      List<String> verbs = server.sessions().get(0).verbs();
      assertTrue(count(verbs, "IDLE") >= 4, verbs.toString());
      assertTrue(count(verbs, "NOOP") >= 3, verbs.toString());
      assertTrue(w.watching());
      assertTrue(said.isEmpty(), "nothing to tell: " + said);
    }
  }

  @Test
  void aServerWithoutIdle_endsThePushAtOnce() throws Exception {
    List<String> noIdle = new ArrayList<>(FakeImapServer.DEFAULT_CAPABILITIES);
    noIdle.remove("IDLE");
    try (FakeImapServer server =
            FakeImapServer.builder()
                .account(USER, PASSWORD)
                .capabilities(noIdle.toArray(String[]::new))
                .start();
        MailPush.Watch w = watch(source(server).password(() -> PASSWORD).build())) {
      assertEquals("ended " + FetchError.SERVER_PERMANENT, next());
      assertTrue(!w.watching());
      assertEquals(1, server.sessions().size(), "not tried again");
    }
  }

  @Test
  void aWrongPassword_endsThePushWithoutTryingAgain() throws Exception {
    try (FakeImapServer server = FakeImapServer.builder().account(USER, PASSWORD).start();
        MailPush.Watch w = watch(source(server).password(() -> "wrong").build())) {
      assertEquals("ended " + FetchError.AUTH_FAILED, next());
      assertTrue(!w.watching());
      Thread.sleep(300);
      assertEquals(1, server.sessions().size(), "a person must fix it: not tried again");
    }
  }

  private static long count(List<String> verbs, String verb) {
    return verbs.stream().filter(verb::equals).count();
  }
}
