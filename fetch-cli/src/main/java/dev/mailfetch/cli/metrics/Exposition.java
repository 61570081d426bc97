package dev.mailfetch.cli.metrics;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Writes Prometheus text exposition format 0.0.4: a {@code # HELP} and a {@code # TYPE} line per
 * family, then {@code name{label="value"} number} lines, each ending in {@code \n}. Help text
 * escapes {@code \} and new lines; label values also {@code "}.
 */
final class Exposition {
  private final Appendable out;

  Exposition(Appendable out) {
    this.out = out;
  }

  /** A counter of one series: its HELP and TYPE lines and its sample. */
  void counter(String name, String help, long value) throws IOException {
    family(name, "counter", help);
    sample(name, value);
  }

  /** A counter by one label: a sample per label value, in the map's order. */
  void counter(String name, String help, String label, Map<String, Long> byValue)
      throws IOException {
    family(name, "counter", help);
    for (Map.Entry<String, Long> v : byValue.entrySet()) {
      sample(name, label, v.getKey(), v.getValue());
    }
  }

  /** A gauge of one series. */
  void gauge(String name, String help, long value) throws IOException {
    family(name, "gauge", help);
    sample(name, value);
  }

  /**
   * A histogram: its {@code _bucket} series, cumulative, one per upper bound and {@code +Inf}, from
   * the count that fell in each bucket alone ({@code inBucket}, one more than {@code bounds}), then
   * {@code _sum} and {@code _count}.
   */
  void histogram(String name, String help, double[] bounds, long[] inBucket, double sum)
      throws IOException {
    family(name, "histogram", help);
    long cumulative = 0;
    for (int i = 0; i <= bounds.length; i++) {
      cumulative += inBucket[i];
      sample(name + "_bucket", "le", i < bounds.length ? number(bounds[i]) : "+Inf", cumulative);
    }
    sample(name + "_sum", sum);
    sample(name + "_count", cumulative);
  }

  void family(String name, String type, String help) throws IOException {
    out.append("# HELP ").append(name).append(' ');
    escape(help, false);
    out.append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  void sample(String name, long value) throws IOException {
    out.append(name).append(' ').append(Long.toString(value)).append('\n');
  }

  void sample(String name, double value) throws IOException {
    out.append(name).append(' ').append(number(value)).append('\n');
  }

  void sample(String name, String label, String labelValue, long value) throws IOException {
    out.append(name).append('{').append(label).append("=\"");
    escape(labelValue, true);
    out.append("\"} ").append(Long.toString(value)).append('\n');
  }

  private void escape(String s, boolean quote) throws IOException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '"' && quote) {
        out.append("\\\"");
      } else {
        out.append(c);
      }
    }
  }

  /**
   * A number as the format writes it: {@code +Inf}, {@code -Inf}, {@code NaN}, else the shortest
   * decimal that reads back as the same double, without exponent or trailing zeros ({@code 0.05},
   * {@code 1}, {@code 300}).
   */
  static String number(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
      return "0";
    }
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
