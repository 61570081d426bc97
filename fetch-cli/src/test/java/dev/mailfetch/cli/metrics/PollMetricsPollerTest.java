package dev.mailfetch.cli.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.ImapSource;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.Poller;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Fault;
import dev.mailfetch.testkit.imap.FakeImapServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run of known size against testkit POP3 servers: three accounts with 4, 5 and 6 messages, one
 * whose password is refused (paused) and one whose server resets every session (failing), each
 * checked twice. The scraped numbers equal the poller's own (its history and status) and the sizes
 * put on the servers.
 */
@Timeout(120)
class PollMetricsPollerTest {
  private static final int[] MESSAGES = {4, 5, 6};

  @Test
  void scrapedNumbers_equalThePollersOwn_afterARunOfKnownSize() throws Exception {
    long bytesOnServers = 0;
    FakePop3Server.Builder good = FakePop3Server.builder();
    for (int a = 0; a < MESSAGES.length; a++) {
      FakeMailbox box = FakeMailbox.create();
      for (int i = 0; i < MESSAGES[a]; i++) {
        byte[] m =
            ("Subject: " + a + "-" + i + "\r\n\r\n" + "body ".repeat(10 * (i + 1)) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        box.add(m);
        bytesOnServers += m.length;
      }
      good.account("u" + a, "pw" + a, box);
    }
    good.account("refused", "right", FakeMailbox.create().add("Subject: x\r\n\r\nx\r\n"));
    FakePop3Server broken =
        FakePop3Server.builder()
            .account("broken", "pw", FakeMailbox.create().add("Subject: y\r\n\r\ny\r\n"))
            .fault(Fault.resetAtCommand("UIDL", 1))
            .start();
    try (FakePop3Server server = good.start();
        broken;
        MeteredPoller metered = new MeteredPoller()) {
      Poller poller = metered.poller;
      List<String> users = new ArrayList<>(List.of("u0", "u1", "u2", "refused"));
      for (String user : users) {
        metered.add(
            source(server, user, user.equals("refused") ? "wrong" : "pw" + user.charAt(1)), "good");
      }
      metered.add(source(broken, "broken", "pw"), "broken");

      for (int round = 0; round < 2; round++) {
        List<CompletableFuture<CheckRecord>> checks = new ArrayList<>();
        for (String a : poller.accounts()) {
          checks.add(poller.checkNow(a));
        }
        for (CompletableFuture<CheckRecord> c : checks) {
          c.join();
        }
      }

      PrometheusText p = metered.scrape();
      // the poller's own counters: every check in its history (2 per account, under its size)
      PollerTally t = PollerTally.of(poller, 2);
      for (CheckRecord.Outcome o : CheckRecord.Outcome.values()) {
        assertEquals(
            (double) t.outcome(o),
            p.value("mailfetch_checks_total", "outcome", o.name().toLowerCase(Locale.ROOT)),
            o.name());
      }
      t.codes.forEach(
          (code, n) ->
              assertEquals(
                  n.doubleValue(), p.value("mailfetch_check_errors_total", "code", code), code));
      assertEquals(
          t.codes.values().stream().mapToInt(Integer::intValue).sum(),
          p.sum("mailfetch_check_errors_total"));
      assertEquals((double) t.delivered, p.value("mailfetch_messages_fetched_total"));
      assertEquals((double) t.bytes, p.value("mailfetch_fetched_bytes_total"));
      assertEquals((double) t.failedMessages, p.value("mailfetch_messages_failed_total"));
      assertEquals(t.checks, p.value("mailfetch_check_duration_seconds_count"));
      assertEquals(t.seconds, p.value("mailfetch_check_duration_seconds_sum"), 1e-6);
      assertEquals(5, p.value("mailfetch_accounts"));
      assertEquals(t.paused, p.value("mailfetch_accounts_paused"));
      assertEquals(t.failing, p.value("mailfetch_accounts_failing"));
      assertEquals(0, p.value("mailfetch_checks_running"));
      assertEquals(0, p.value("mailfetch_idle_connections"), "POP3 has no push");

      // and the run's known size: 15 messages of known bytes, one paused, one failing, 10 checks
      assertEquals(15, t.delivered);
      assertEquals(
          bytesOnServers, t.bytes, "bytes delivered are the messages as the servers sent them");
      assertEquals(1, t.paused);
      assertEquals(1, t.failing);
      assertEquals(10, t.checks);
      assertEquals(3, t.outcome(CheckRecord.Outcome.NEW_MAIL));
      assertEquals(3, t.outcome(CheckRecord.Outcome.NOTHING_NEW));
    }
  }

  /**
   * The bound: {@code /metrics} answered in under 50 ms at the load test's 2,000 accounts.
   * The gauges read each account's status, so the scrape grows with the accounts; measured as the
   * median of 21 scrapes after a warm-up (the accounts are added, never checked).
   */
  @Test
  void scrapeOfTwoThousandAccounts_takesUnderFiftyMilliseconds() throws Exception {
    try (MeteredPoller metered = new MeteredPoller()) {
      PollMetrics metrics = metered.metrics;
      for (int i = 0; i < 2_000; i++) {
        metered.add(pop3(1, "u" + i, "pw"), "host-" + (i % 10));
      }
      for (int i = 0; i < 50; i++) {
        PrometheusText.parse(metrics.scrape());
      }
      long[] nanos = new long[21];
      for (int i = 0; i < nanos.length; i++) {
        long t0 = System.nanoTime();
        metrics.scrape();
        nanos[i] = System.nanoTime() - t0;
      }
      Arrays.sort(nanos);
      double medianMs = nanos[nanos.length / 2] / 1e6;
      System.out.printf("scrape of 2,000 accounts: median %.2f ms%n", medianMs);
      assertEquals(2_000, PrometheusText.parse(metrics.scrape()).value("mailfetch_accounts"));
      assertTrue(medianMs < 50, "median scrape " + medianMs + " ms");
    }
  }

  /**
   * The IDLE gauge counts the push connections the poller holds: three IMAP accounts of a testkit
   * server, each watching its inbox, make three, as {@link Poller#watches} says.
   */
  @Test
  void idleConnections_equalThePollersWatches() throws Exception {
    FakeImapServer.Builder b = FakeImapServer.builder();
    for (int i = 0; i < 3; i++) {
      b.account("i" + i, "pw");
    }
    try (FakeImapServer server = b.start();
        MeteredPoller metered = new MeteredPoller()) {
      Poller poller = metered.poller;
      for (int i = 0; i < 3; i++) {
        ImapSource source =
            ImapSource.builder()
                .host(server.host())
                .port(server.port())
                .security(ImapSecurity.NONE)
                .allowPlaintextAuthentication(true)
                .user("i" + i)
                .password(() -> "pw")
                .build();
        metered.add(source, "imap.test");
      }
      server.source().awaitIdling(3, Duration.ofSeconds(30));
      PrometheusText p = metered.scrape();
      assertEquals(3, poller.watches("imap.test"));
      assertEquals(poller.watches("imap.test"), p.value("mailfetch_idle_connections"));
      assertEquals(0, p.value("mailfetch_push_ended_total"));
    }
  }

  private static Pop3Source source(FakePop3Server server, String user, String password) {
    return pop3(server.port(), user, password);
  }

  /** A POP3 account on loopback, no TLS. */
  private static Pop3Source pop3(int port, String user, String password) {
    return Pop3Source.builder()
        .host("127.0.0.1")
        .port(port)
        .user(user)
        .password(() -> password)
        .security(Security.NONE)
        .allowPlaintextAuthentication(true)
        .build();
  }
}
