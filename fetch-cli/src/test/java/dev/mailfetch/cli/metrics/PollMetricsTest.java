package dev.mailfetch.cli.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The exposition's numbers and syntax from known check records, read by a strict parser. */
class PollMetricsTest {
  private static CheckRecord record(
      CheckRecord.Outcome outcome, long millis, int delivered, long bytes, FetchError error) {
    return new CheckRecord(
        "u@host",
        Instant.EPOCH,
        Duration.ofMillis(millis),
        outcome,
        delivered,
        delivered,
        bytes,
        0,
        error == null ? Optional.empty() : Optional.of(new FetchException(error, "why")),
        Optional.empty(),
        Duration.ZERO);
  }

  @Test
  void countsEachCheckByOutcomeAndCode_histogramCumulative() throws IOException {
    PollMetrics m = new PollMetrics();
    List<CheckRecord> checks = new ArrayList<>();
    checks.add(record(CheckRecord.Outcome.NEW_MAIL, 5, 3, 3000, null)); // le 0.01
    checks.add(record(CheckRecord.Outcome.NEW_MAIL, 10, 2, 1500, null)); // le 0.01 (bound is <=)
    checks.add(record(CheckRecord.Outcome.NOTHING_NEW, 700, 0, 0, null)); // le 1
    checks.add(record(CheckRecord.Outcome.FAILED, 2_000, 0, 0, FetchError.CONNECTION_RESET));
    checks.add(record(CheckRecord.Outcome.FAILED, 400_000, 0, 0, FetchError.CONNECTION_RESET));
    checks.forEach(m::checkFinished);

    String text = m.scrape();
    PrometheusText p = PrometheusText.parse(text);
    assertEquals(2, p.value("mailfetch_checks_total", "outcome", "new_mail"));
    assertEquals(1, p.value("mailfetch_checks_total", "outcome", "nothing_new"));
    assertEquals(2, p.value("mailfetch_checks_total", "outcome", "failed"));
    assertEquals(0, p.value("mailfetch_checks_total", "outcome", "paused"));
    assertEquals(5, p.sum("mailfetch_checks_total"));
    assertEquals(5, p.value("mailfetch_messages_fetched_total"));
    assertEquals(4500, p.value("mailfetch_fetched_bytes_total"));
    assertEquals(2, p.value("mailfetch_check_errors_total", "code", "CONNECTION_RESET"));
    assertEquals(1, p.family("mailfetch_check_errors_total").samples.size(), "only codes seen");
    assertEquals(2, p.value("mailfetch_check_duration_seconds_bucket", "le", "0.01"));
    assertEquals(2, p.value("mailfetch_check_duration_seconds_bucket", "le", "0.5"));
    assertEquals(3, p.value("mailfetch_check_duration_seconds_bucket", "le", "1"));
    assertEquals(4, p.value("mailfetch_check_duration_seconds_bucket", "le", "2.5"));
    assertEquals(4, p.value("mailfetch_check_duration_seconds_bucket", "le", "300"));
    assertEquals(5, p.value("mailfetch_check_duration_seconds_bucket", "le", "+Inf"));
    assertEquals(5, p.value("mailfetch_check_duration_seconds_count"));
    assertEquals(402.715, p.value("mailfetch_check_duration_seconds_sum"), 1e-9);
    assertEquals("histogram", p.family("mailfetch_check_duration_seconds").type);
    assertEquals("counter", p.family("mailfetch_checks_total").type);
    // no poller attached: no gauges
    assertTrue(!p.families.containsKey("mailfetch_accounts"), text);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out);
    assertEquals(text, out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void alongside_tellsBoth_evenWhenTheFirstThrows() {
    PollMetrics m = new PollMetrics();
    List<String> heard = new ArrayList<>();
    PollListener throwing =
        new PollListener() {
          @Override
          public void checkFinished(CheckRecord r) {
            heard.add(r.account());
            throw new IllegalStateException("a listener's bug");
          }
        };
    PollListener both = m.alongside(throwing);
    assertThrows(
        IllegalStateException.class,
        () -> both.checkFinished(record(CheckRecord.Outcome.NOTHING_NEW, 1, 0, 0, null)));
    assertEquals(List.of("u@host"), heard);
    assertEquals(
        1,
        PrometheusText.parse(m.scrape()).value("mailfetch_checks_total", "outcome", "nothing_new"));
  }

  @Test
  void escapesHelpAndLabelValues_asTheParserReadsThemBack() throws IOException {
    StringBuilder sb = new StringBuilder();
    Exposition e = new Exposition(sb);
    e.family("x_total", "counter", "a \\ back\nslash \"quoted\"");
    e.sample("x_total", "k", "a\"b\\c\nd", 7);
    PrometheusText p = PrometheusText.parse(sb.toString());
    assertEquals("a \\ back\nslash \"quoted\"", p.family("x_total").help);
    assertEquals(7, p.value("x_total", "k", "a\"b\\c\nd"));
    assertEquals(
        "# HELP x_total a \\\\ back\\nslash \"quoted\"\n"
            + "# TYPE x_total counter\n"
            + "x_total{k=\"a\\\"b\\\\c\\nd\"} 7\n",
        sb.toString());
    assertEquals("0.05", Exposition.number(0.05));
    assertEquals("300", Exposition.number(300));
    assertEquals("+Inf", Exposition.number(Double.POSITIVE_INFINITY));
    assertEquals("0.00000015", Exposition.number(1.5e-7)); // never an exponent
  }

  @Test
  void theParserRefusesWhatTheFormatDoesNotAllow() {
    String ok = "# HELP a_total h\n# TYPE a_total counter\na_total{k=\"v\"} 1\n";
    PrometheusText.parse(ok);
    String[] bad = {
      "# TYPE a_total counter\na_total{k=\"v\"} 1", // no final new line
      "a_total 1\n", // no TYPE before
      "# TYPE a_total counter\na_total{k=\"v\"\"} 1\n", // a quote not escaped
      "# TYPE a_total counter\na_total{k=\"\\x\"} 1\n", // no such escape
      "# TYPE a_total counter\na_total{k=v} 1\n", // value not in quotes
      "# TYPE a_total counter\na_total  1\n", // two spaces
      "# TYPE a_total counter\na_total one\n", // not a number
      "# TYPE a_total counter\na_total 1\na_total 2\n", // the same series twice
      "# TYPE a_total counter\nb_total 1\n", // outside its family
      "# TYPE a_total counter\na_total 1\n# TYPE b gauge\nb 1\n# TYPE a_total counter\n",
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", // no +Inf
      "# TYPE a_total counter\n\na_total 1\n", // an empty line
    };
    for (String b : bad) {
      assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(b), b);
    }
  }
}
