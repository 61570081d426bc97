package dev.mailfetch.cli.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.ImapSource;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollListener;
import dev.mailfetch.poll.PollSchedule;
import dev.mailfetch.poll.PollStatus;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    PollMetrics metrics = new PollMetrics();
    try (FakePop3Server server = good.start();
        broken;
        Poller poller =
            Poller.builder()
                // an hour apart: only the checks asked for below run (no timer is started)
                .schedule(
                    PollSchedule.builder().bounds(Duration.ofHours(1), Duration.ofHours(2)).build())
                .listener(metrics.alongside(PollListener.NONE))
                .build()) {
      metrics.attach(poller);
      List<String> users = new ArrayList<>(List.of("u0", "u1", "u2", "refused"));
      for (String user : users) {
        poller.add(
            fetcher(server, user, user.equals("refused") ? "wrong" : "pw" + user.charAt(1)),
            "good");
      }
      poller.add(fetcher(broken, "broken", "pw"), "broken");

      for (int round = 0; round < 2; round++) {
        List<CompletableFuture<CheckRecord>> checks = new ArrayList<>();
        for (String a : poller.accounts()) {
          checks.add(poller.checkNow(a));
        }
        for (CompletableFuture<CheckRecord> c : checks) {
          c.join();
        }
      }

      PrometheusText p = PrometheusText.parse(metrics.scrape());
      // the poller's own counters: every check in its history (2 per account, under its size)
      Map<CheckRecord.Outcome, Integer> outcomes = new EnumMap<>(CheckRecord.Outcome.class);
      Map<String, Integer> codes = new HashMap<>();
      long delivered = 0;
      long bytes = 0;
      long failed = 0;
      double seconds = 0;
      int records = 0;
      int paused = 0;
      int failing = 0;
      for (String a : poller.accounts()) {
        List<CheckRecord> history = poller.history(a);
        assertEquals(2, history.size(), a);
        for (CheckRecord r : history) {
          outcomes.merge(r.outcome(), 1, Integer::sum);
          r.error().ifPresent(e -> codes.merge(e.error().name(), 1, Integer::sum));
          delivered += r.delivered();
          bytes += r.bytes();
          failed += r.failedMessages();
          seconds += r.duration().toNanos() / 1e9;
          records++;
        }
        PollStatus s = poller.status(a);
        if (s.pausedBy().isPresent()) {
          paused++;
        } else if (s.failuresInARow() > 0) {
          failing++;
        }
      }
      for (CheckRecord.Outcome o : CheckRecord.Outcome.values()) {
        assertEquals(
            outcomes.getOrDefault(o, 0).doubleValue(),
            p.value("mailfetch_checks_total", "outcome", o.name().toLowerCase(Locale.ROOT)),
            o.name());
      }
      codes.forEach(
          (code, n) ->
              assertEquals(
                  n.doubleValue(), p.value("mailfetch_check_errors_total", "code", code), code));
      assertEquals(
          codes.values().stream().mapToInt(Integer::intValue).sum(),
          p.sum("mailfetch_check_errors_total"));
      assertEquals((double) delivered, p.value("mailfetch_messages_fetched_total"));
      assertEquals((double) bytes, p.value("mailfetch_fetched_bytes_total"));
      assertEquals((double) failed, p.value("mailfetch_messages_failed_total"));
      assertEquals(records, p.value("mailfetch_check_duration_seconds_count"));
      assertEquals(seconds, p.value("mailfetch_check_duration_seconds_sum"), 1e-6);
      assertEquals(5, p.value("mailfetch_accounts"));
      assertEquals(paused, p.value("mailfetch_accounts_paused"));
      assertEquals(failing, p.value("mailfetch_accounts_failing"));
      assertEquals(0, p.value("mailfetch_checks_running"));
      assertEquals(0, p.value("mailfetch_idle_connections"), "POP3 has no push");

      // and the run's known size: 15 messages of known bytes, one paused, one failing, 10 checks
      assertEquals(15, delivered);
      assertEquals(
          bytesOnServers, bytes, "bytes delivered are the messages as the servers sent them");
      assertEquals(1, paused);
      assertEquals(1, failing);
      assertEquals(10, records);
      assertEquals(3, outcomes.get(CheckRecord.Outcome.NEW_MAIL));
      assertEquals(3, outcomes.get(CheckRecord.Outcome.NOTHING_NEW));
    }
  }

  /**
   * The bound: {@code /metrics} answered in under 50 ms at the load test's 2,000 accounts.
   * The gauges read each account's status, so the scrape grows with the accounts; measured as the
   * median of 21 scrapes after a warm-up (the accounts are added, never checked).
   */
  @Test
  void scrapeOfTwoThousandAccounts_takesUnderFiftyMilliseconds() throws Exception {
    PollMetrics metrics = new PollMetrics();
    try (Poller poller =
        Poller.builder()
            .schedule(
                PollSchedule.builder().bounds(Duration.ofHours(1), Duration.ofHours(2)).build())
            .listener(metrics)
            .build()) {
      metrics.attach(poller);
      for (int i = 0; i < 2_000; i++) {
        Pop3Source src =
            Pop3Source.builder()
                .host("127.0.0.1")
                .port(1)
                .user("u" + i)
                .password(() -> "pw")
                .security(Security.NONE)
                .allowPlaintextAuthentication(true)
                .build();
        poller.add(
            Fetcher.builder()
                .source(src)
                .sink(InMemorySink.create())
                .uidStore(InMemoryUidStore.create())
                .build(),
            "host-" + (i % 10));
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
    PollMetrics metrics = new PollMetrics();
    try (FakeImapServer server = b.start();
        Poller poller =
            Poller.builder()
                .schedule(
                    PollSchedule.builder().bounds(Duration.ofHours(1), Duration.ofHours(2)).build())
                .listener(metrics)
                .build()) {
      metrics.attach(poller);
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
        poller.add(
            Fetcher.builder()
                .source(source)
                .sink(InMemorySink.create())
                .uidStore(InMemoryUidStore.create())
                .build(),
            "imap.test");
      }
      server.source().awaitIdling(3, Duration.ofSeconds(30));
      PrometheusText p = PrometheusText.parse(metrics.scrape());
      assertEquals(3, poller.watches("imap.test"));
      assertEquals(poller.watches("imap.test"), p.value("mailfetch_idle_connections"));
      assertEquals(0, p.value("mailfetch_push_ended_total"));
    }
  }

  private static Fetcher fetcher(FakePop3Server server, String user, String password) {
    Pop3Source src =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(server.port())
            .user(user)
            .password(() -> password)
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .build();
    return Fetcher.builder()
        .source(src)
        .sink(InMemorySink.create())
        .uidStore(InMemoryUidStore.create())
        .build();
  }
}
