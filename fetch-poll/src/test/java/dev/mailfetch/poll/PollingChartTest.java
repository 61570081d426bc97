package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * docs/img/polling.svg: the interval the default schedule chooses over two working days (ten
 * messages an hour from 08:00 to 18:00) with a burst of 30 messages one evening, and the arrivals.
 * The schedule is deterministic, so the committed chart must be exactly what this draws; run with
 * {@code -Dmailfetch.chart.write=true} to redraw it after changing the algorithm.
 */
class PollingChartTest {
  private static final Path CHART = Path.of("..", "docs", "img", "polling.svg");

  @Test
  void theChartInTheDocs_isWhatTheScheduleDoes() throws IOException {
    List<Instant> arrivals = new ArrayList<>(Arrivals.daily(2, Duration.ofMinutes(6)));
    arrivals.addAll(Arrivals.burst(Duration.ofHours(21), 30, Duration.ofMinutes(20)));
    arrivals.sort(null);
    Duration span = Duration.ofHours(48);
    List<Arrivals.Check> checks = Arrivals.run(PollSchedule.defaults(), "chart", arrivals, span);
    String svg = draw(checks, arrivals, span);
    if (Boolean.getBoolean("mailfetch.chart.write")) {
      Files.writeString(CHART, svg, StandardCharsets.UTF_8);
    }
    assertEquals(
        svg,
        Files.readString(CHART, StandardCharsets.UTF_8),
        "docs/img/polling.svg is out of date: run this test with -Dmailfetch.chart.write=true");
  }

  private static String draw(List<Arrivals.Check> checks, List<Instant> arrivals, Duration span) {
    int w = 900;
    int h = 300;
    int left = 50;
    int top = 20;
    int plotW = w - left - 20;
    int plotH = h - top - 60;
    double hours = span.toHours();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"11\">\n",
            w,
            h));
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    for (int m = 0; m <= 60; m += 10) {
      double y = top + plotH - plotH * m / 60.0;
      sb.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n",
              left,
              y,
              left + plotW,
              y,
              left - 4,
              y + 4,
              m));
    }
    for (int hr = 0; hr <= hours; hr += 6) {
      double x = left + plotW * hr / hours;
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%02d:00</text>\n",
              x,
              top + plotH + 14,
              hr % 24));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\""
                + " text-anchor=\"middle\">interval to the next check (min)</text>\n",
            top + plotH / 2,
            top + plotH / 2));
    for (Instant a : arrivals) {
      double x = left + plotW * Duration.between(Arrivals.T0, a).toSeconds() / 3600.0 / hours;
      sb.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e08a00\"/>\n",
              x,
              top + plotH + 20,
              x,
              top + plotH + 30));
    }
    sb.append("<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1.5\" points=\"");
    for (Arrivals.Check c : checks) {
      double x = left + plotW * Duration.between(Arrivals.T0, c.at()).toSeconds() / 3600.0 / hours;
      double y = top + plotH - plotH * Math.min(60, c.interval().toSeconds() / 60.0) / 60.0;
      sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    sb.append("\"/>\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\">each check (blue: interval chosen);"
                + " orange ticks: arrivals (10 an hour 08:00-18:00, a burst of 30 at 21:00 on day one); %d checks in"
                + " 48 h</text>\n",
            left,
            h - 8,
            checks.size()));
    sb.append("</svg>\n");
    return sb.toString();
  }
}
