package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.cli.metrics.PollMetrics;
import dev.mailfetch.cli.metrics.PollerTally;
import dev.mailfetch.cli.metrics.PrometheusText;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.Poller;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of a running {@code mailfetch serve}: behind the page's password, the
 * Prometheus text format (read by the strict parser of the metrics tests), and after a run of known
 * size its numbers are the serve's own poller's: the messages and bytes the servers held, one
 * paused account, every check of the poller's history counted once by outcome and error code.
 */
@Timeout(120)
class ServeMetricsTest {
  @TempDir Path tmp;

  @Test
  void metrics_areThePollersCounters_afterARunOfKnownSize() throws Exception {
    FakeMailbox box = FakeMailbox.create();
    long bytesOnServer = 0;
    for (int i = 0; i < 3; i++) {
      byte[] m =
          ("Subject: " + i + "\r\n\r\n" + "body ".repeat(20 * (i + 1)) + "\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      box.add(m);
      bytesOnServer += stored(m);
    }
    Path config = tmp.resolve("accounts.properties");
    try (FakePop3Server alice = FakePop3Server.builder().account("alice", "apw", box).start();
        FakePop3Server bob =
            FakePop3Server.builder()
                .account("bob", "right", FakeMailbox.create().add("Subject: b\r\n\r\nb\r\n"))
                .start()) {
      Files.writeString(
          config,
          String.join(
              "\n",
              ServeUnderTest.account(
                  "alice", alice, "alice", "password-env = A_PW", tmp.resolve("a")),
              ServeUnderTest.account("bob", bob, "bob", "password-env = B_PW", tmp.resolve("b")),
              ""));
      Map<String, String> env = Map.of("A_PW", "apw", "B_PW", "wrong", "PAGE_PW", "page secret");
      try (ServeUnderTest s = ServeUnderTest.start(env, config, "--password-env", "PAGE_PW")) {
        await(
            () -> {
              Poller p = s.command.poller;
              return p != null
                  && p.accounts().stream().allMatch(a -> p.history(a).size() == 1)
                  && p.accounts().stream().noneMatch(a -> p.status(a).checking());
            });
        // a second check of alice, asked for: one more message
        byte[] fourth = "Subject: 4\r\n\r\nfourth\r\n".getBytes(StandardCharsets.US_ASCII);
        alice.mailbox("alice").add(fourth);
        bytesOnServer += stored(fourth);
        Poller poller = s.command.poller;
        for (String a : poller.accounts()) {
          poller.checkNow(a).get();
        }

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> anonymous =
            http.send(
                HttpRequest.newBuilder(s.base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), "the counters are behind the page's password");

        HttpResponse<String> r = get(http, s.base.resolve("/metrics"), "page secret");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(PollMetrics.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
        PrometheusText text = PrometheusText.parse(r.body());

        PollerTally t = PollerTally.of(poller, 2);
        // the run's known size, as the poller saw it and as /metrics says it
        int newMail = t.outcome(CheckRecord.Outcome.NEW_MAIL);
        int pausedChecks = t.outcome(CheckRecord.Outcome.PAUSED);
        assertEquals(4, t.delivered);
        assertEquals(bytesOnServer, t.bytes);
        assertEquals(2, newMail);
        assertEquals(2, pausedChecks);
        assertEquals(2, t.code("AUTH_FAILED"));
        assertEquals((double) t.delivered, text.value("mailfetch_messages_fetched_total"));
        assertEquals((double) t.bytes, text.value("mailfetch_fetched_bytes_total"));
        assertEquals(newMail, text.value("mailfetch_checks_total", "outcome", "new_mail"));
        assertEquals(pausedChecks, text.value("mailfetch_checks_total", "outcome", "paused"));
        assertEquals(t.checks, text.sum("mailfetch_checks_total"));
        assertEquals(t.checks, text.value("mailfetch_check_duration_seconds_count"));
        assertEquals(
            t.code("AUTH_FAILED"),
            text.value("mailfetch_check_errors_total", "code", "AUTH_FAILED"));
        assertEquals(2, text.value("mailfetch_accounts"));
        assertEquals(1, text.value("mailfetch_accounts_paused"));
        assertEquals(0, text.value("mailfetch_checks_running"));
        assertTrue(!r.body().contains("alice") && !r.body().contains("bob"), "no account named");
      }
    }
  }

  /** A message's bytes as a Maildir stores and the poller counts them: its lines end in LF. */
  private static long stored(byte[] m) {
    return new String(m, StandardCharsets.US_ASCII).replace("\r\n", "\n").length();
  }

  private static HttpResponse<String> get(HttpClient http, URI uri, String password)
      throws Exception {
    String basic =
        Base64.getEncoder().encodeToString(("x:" + password).getBytes(StandardCharsets.UTF_8));
    return http.send(
        HttpRequest.newBuilder(uri).header("Authorization", "Basic " + basic).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void await(BooleanSupplier done) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "the start's round never ended");
      Thread.sleep(50);
    }
  }
}
