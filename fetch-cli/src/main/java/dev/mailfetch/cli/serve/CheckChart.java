package dev.mailfetch.cli.serve;

import dev.mailfetch.poll.CheckRecord;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Messages per check over time, drawn on the server as SVG inside the page: no script, no chart
 * library, nothing fetched from elsewhere. One bar per check kept, placed by when it started; a
 * failed check is a red mark on the axis. Each bar's tooltip says the check in words.
 */
final class CheckChart {
  private CheckChart() {}

  static final int WIDTH = 640;
  static final int HEIGHT = 160;
  private static final int LEFT = 40;
  private static final int BOTTOM = 24;
  private static final int TOP = 10;

  static String svg(List<CheckRecord> history, Mailboxes boxes) {
    StringBuilder sb =
        new StringBuilder(512 + history.size() * 200)
            .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
            .append(WIDTH)
            .append("\" height=\"")
            .append(HEIGHT)
            .append("\" viewBox=\"0 0 ")
            .append(WIDTH)
            .append(' ')
            .append(HEIGHT)
            .append("\" role=\"img\" aria-label=\"messages per check\">")
            .append("<title>Messages fetched per check</title>");
    int plotW = WIDTH - LEFT - 10;
    int plotH = HEIGHT - TOP - BOTTOM;
    int baseY = TOP + plotH;
    sb.append(line(LEFT, baseY, LEFT + plotW, baseY)).append(line(LEFT, TOP, LEFT, baseY));
    if (history.isEmpty()) {
      return sb.append(text(LEFT + 8, TOP + plotH / 2, "no check yet", "start"))
          .append("</svg>")
          .toString();
    }
    int most = 1;
    for (CheckRecord r : history) {
      most = Math.max(most, r.delivered());
    }
    long from = history.get(0).started().toEpochMilli();
    long to = history.get(history.size() - 1).started().toEpochMilli();
    long span = Math.max(1, to - from);
    double barW = Math.max(2, Math.min(16, plotW / (double) (history.size() * 2)));
    for (CheckRecord r : history) {
      double x =
          history.size() == 1
              ? LEFT + plotW / 2.0
              : LEFT
                  + barW / 2
                  + (plotW - barW) * (double) (r.started().toEpochMilli() - from) / span;
      double h = plotH * r.delivered() / (double) most;
      boolean failed = r.error().isPresent() && r.delivered() == 0;
      String fill = failed ? "#b00" : "#36c";
      double y = failed ? baseY - 3 : baseY - h;
      double height = failed ? 3 : Math.max(h, 0.5);
      sb.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
                  x - barW / 2,
                  y,
                  barW,
                  height,
                  fill))
          .append("<title>")
          .append(HtmlText.escape(boxes.time(r.started()) + ": " + Mailboxes.outcome(r) + dur(r)))
          .append("</title></rect>");
    }
    sb.append(text(LEFT - 4, TOP + 10, String.valueOf(most), "end"))
        .append(text(LEFT - 4, baseY, "0", "end"))
        .append(text(LEFT, HEIGHT - 6, boxes.time(history.get(0).started()), "start"))
        .append(
            text(
                LEFT + plotW,
                HEIGHT - 6,
                boxes.time(history.get(history.size() - 1).started()),
                "end"));
    return sb.append("</svg>").toString();
  }

  private static String dur(CheckRecord r) {
    Duration d = r.duration();
    return ", took " + (d.toMillis() < 1000 ? d.toMillis() + " ms" : Mailboxes.span(d.toSeconds()));
  }

  private static String line(int x1, int y1, int x2, int y2) {
    return String.format(
        Locale.ROOT,
        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>",
        x1,
        y1,
        x2,
        y2);
  }

  private static String text(int x, int y, String words, String anchor) {
    return "<text x=\""
        + x
        + "\" y=\""
        + y
        + "\" font-size=\"11\" fill=\"#555\" text-anchor=\""
        + anchor
        + "\">"
        + HtmlText.escape(words)
        + "</text>";
  }
}
