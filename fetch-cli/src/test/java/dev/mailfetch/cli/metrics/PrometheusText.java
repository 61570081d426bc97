package dev.mailfetch.cli.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus text exposition format 0.0.4, for the tests: every line is {@code #
 * HELP name text}, {@code # TYPE name type} or {@code name{label="value",…} number}, ended by
 * {@code \n}; escapes are only those the format has ({@code \\}, {@code \n}, and {@code \"} in
 * label values); each family's TYPE comes before its samples, which are together; no series twice;
 * a histogram's buckets rise in {@code le}, their counts are cumulative, and the {@code +Inf}
 * bucket equals {@code _count}. Anything else throws {@link IllegalArgumentException} naming the
 * line.
 */
public final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern FLOAT =
      Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]Inf|NaN");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  record Sample(String name, Map<String, String> labels, double value) {}

  static final class Family {
    final String name;
    String help;
    String type;
    final List<Sample> samples = new ArrayList<>();

    Family(String name) {
      this.name = name;
    }
  }

  final Map<String, Family> families = new LinkedHashMap<>();

  private PrometheusText() {}

  public static PrometheusText parse(String text) {
    PrometheusText p = new PrometheusText();
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the text does not end with a new line");
    }
    String[] lines = text.split("\n", -1);
    Family current = null;
    Set<String> series = new HashSet<>();
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + " (" + line + "): ";
      if (line.isEmpty()) {
        throw new IllegalArgumentException(where + "an empty line");
      }
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        String rest = line.substring(7);
        int sp = rest.indexOf(' ');
        if (sp < 0) {
          throw new IllegalArgumentException(where + "no text after the name");
        }
        String name = rest.substring(0, sp);
        name(name, where);
        Family f = p.families.get(name);
        if (f == null) {
          f = new Family(name);
          p.families.put(name, f);
        } else if (f != current || !f.samples.isEmpty()) {
          throw new IllegalArgumentException(where + "the family " + name + " was begun before");
        }
        current = f;
        String value = rest.substring(sp + 1);
        if (line.startsWith("# HELP ")) {
          if (f.help != null) {
            throw new IllegalArgumentException(where + "a second HELP");
          }
          f.help = unescape(value, false, where);
        } else {
          if (f.type != null) {
            throw new IllegalArgumentException(where + "a second TYPE");
          }
          if (!TYPES.contains(value)) {
            throw new IllegalArgumentException(where + "no such type: " + value);
          }
          f.type = value;
        }
        continue;
      }
      if (line.startsWith("#")) {
        continue; // a comment
      }
      Sample s = sample(line, where);
      if (current == null || current.type == null || !belongs(s.name(), current)) {
        throw new IllegalArgumentException(where + "a sample outside its family's TYPE");
      }
      if (!series.add(s.name() + new TreeMap<>(s.labels()))) {
        throw new IllegalArgumentException(where + "the same series twice");
      }
      current.samples.add(s);
    }
    for (Family f : p.families.values()) {
      if ("histogram".equals(f.type)) {
        histogram(f);
      }
    }
    return p;
  }

  private static boolean belongs(String sample, Family f) {
    if (sample.equals(f.name)) {
      return !"histogram".equals(f.type);
    }
    if ("histogram".equals(f.type)) {
      return sample.equals(f.name + "_bucket")
          || sample.equals(f.name + "_sum")
          || sample.equals(f.name + "_count");
    }
    return false;
  }

  private static void histogram(Family f) {
    double lastLe = Double.NEGATIVE_INFINITY;
    double lastCount = 0;
    Double inf = null;
    Double count = null;
    boolean sum = false;
    for (Sample s : f.samples) {
      if (s.name().endsWith("_bucket")) {
        String le = s.labels().get("le");
        if (le == null || !FLOAT.matcher(le).matches()) {
          throw new IllegalArgumentException(f.name + ": a bucket without a number le: " + s);
        }
        double bound = number(le);
        if (bound <= lastLe || s.value() < lastCount) {
          throw new IllegalArgumentException(f.name + ": buckets not rising and cumulative: " + s);
        }
        lastLe = bound;
        lastCount = s.value();
        if (bound == Double.POSITIVE_INFINITY) {
          inf = s.value();
        }
      } else if (s.name().endsWith("_count")) {
        count = s.value();
      } else if (s.name().endsWith("_sum")) {
        sum = true;
      }
    }
    if (inf == null || count == null || !sum) {
      throw new IllegalArgumentException(f.name + ": a histogram needs +Inf, _sum and _count");
    }
    if (inf.doubleValue() != count.doubleValue()) {
      throw new IllegalArgumentException(f.name + ": +Inf bucket " + inf + " != _count " + count);
    }
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    name(name, where);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new IllegalArgumentException(where + "a label without =");
        }
        String label = line.substring(i, eq);
        if (!LABEL.matcher(label).matches()) {
          throw new IllegalArgumentException(where + "a bad label name: " + label);
        }
        if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException(where + "a label value not in quotes");
        }
        int j = eq + 2;
        StringBuilder raw = new StringBuilder();
        while (true) {
          if (j >= line.length()) {
            throw new IllegalArgumentException(where + "a label value not closed");
          }
          char c = line.charAt(j);
          if (c == '\\') {
            if (j + 1 >= line.length()) {
              throw new IllegalArgumentException(where + "a lone \\ at the end");
            }
            raw.append(c).append(line.charAt(j + 1));
            j += 2;
          } else if (c == '"') {
            break;
          } else {
            raw.append(c);
            j++;
          }
        }
        if (labels.put(label, unescape(raw.toString(), true, where)) != null) {
          throw new IllegalArgumentException(where + "the label " + label + " twice");
        }
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        } else if (line.charAt(i) != '}') {
          throw new IllegalArgumentException(where + "labels not separated by ,");
        }
      }
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException(where + "no single space before the value");
    }
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length > 2 || !FLOAT.matcher(rest[0]).matches()) {
      throw new IllegalArgumentException(where + "not a value [timestamp]");
    }
    if (rest.length == 2 && !rest[1].matches("-?\\d+")) {
      throw new IllegalArgumentException(where + "a timestamp is whole milliseconds");
    }
    return new Sample(name, labels, number(rest[0]));
  }

  private static void name(String name, String where) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(where + "a bad metric name: " + name);
    }
  }

  private static double number(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  private static String unescape(String s, boolean quote, String where) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || (quote && c == '"')) {
        throw new IllegalArgumentException(where + "an unescaped " + c);
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char n = ++i < s.length() ? s.charAt(i) : 0;
      switch (n) {
        case '\\' -> sb.append('\\');
        case 'n' -> sb.append('\n');
        case '"' -> {
          if (!quote) {
            throw new IllegalArgumentException(where + "\\\" in help text");
          }
          sb.append('"');
        }
        default -> throw new IllegalArgumentException(where + "no such escape: \\" + n);
      }
    }
    return sb.toString();
  }

  /** The family of that name; throws when there is none. */
  Family family(String name) {
    Family f = families.get(name);
    if (f == null) {
      throw new IllegalArgumentException("no family " + name + " in " + families.keySet());
    }
    return f;
  }

  /**
   * The value of the series {@code name} with exactly these labels ({@code "k", "v", …}); throws
   * when there is none.
   */
  public double value(String name, String... labels) {
    Map<String, String> want = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      want.put(labels[i], labels[i + 1]);
    }
    for (Family f : families.values()) {
      for (Sample s : f.samples) {
        if (s.name().equals(name) && s.labels().equals(want)) {
          return s.value();
        }
      }
    }
    throw new IllegalArgumentException("no series " + name + want);
  }

  /** The sum of every series {@code name}, whatever its labels (0 when there is none). */
  public double sum(String name) {
    double sum = 0;
    for (Family f : families.values()) {
      for (Sample s : f.samples) {
        if (s.name().equals(name)) {
          sum += s.value();
        }
      }
    }
    return sum;
  }
}
