import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns JMH results files (benchmarks/results/*.txt) into a Markdown table and an SVG chart of each
 * contender's time and its ratio to the baseline measured in the same run.
 *
 * <pre>
 * java benchmarks/chart/Chart.java --baseline bare --svg docs/img/e2e.svg benchmarks/results/X-e2e.txt
 * </pre>
 *
 * One group per combination of parameters (for example security=plain, server=testkit); within a
 * group, one bar per contender, its length the time per operation, labelled with the ratio to the
 * baseline. Lower is better. Secondary metrics {@code clientCpuMs} and {@code ops} (events per
 * iteration) become a CPU time per operation. The tables of {@code run.sh whole-process} (one per
 * workload, a row per command: wall and CPU medians) are read too: {@code --baseline mpop}.
 */
public class Chart {
  record Row(
      String bench, String contender, String params, double score, double error, String unit) {}

  public static void main(String[] args) throws IOException {
    String baseline = "bare";
    Path svg = null;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--baseline" -> baseline = args[++i];
        case "--svg" -> svg = Path.of(args[++i]);
        default -> files.add(Path.of(args[i]));
      }
    }
    Map<String, Map<String, Row>> groups = new LinkedHashMap<>();
    Map<String, Double> cpu = new LinkedHashMap<>();
    Map<String, Double> ops = new LinkedHashMap<>();
    for (Path f : files) {
      List<String> params = new ArrayList<>();
      String jdk = "";
      String whole = null;
      for (String line : Files.readAllLines(f)) {
        if (line.startsWith("# jdk: ")) {
          java.util.regex.Matcher v =
              java.util.regex.Pattern.compile("\"([0-9][^\"]*)\"").matcher(line);
          jdk = v.find() ? "JDK " + v.group(1) : "";
          continue;
        }
        // benchmarks/run.sh whole-process: a Markdown table per workload, a row per command
        if (line.startsWith("## ") && line.contains("(medians")) {
          whole =
              "whole process: "
                  + line.substring(3, line.indexOf(" ("))
                  + (jdk.isEmpty() ? "" : ", " + jdk);
          continue;
        }
        if (whole != null && line.matches("^\\| [a-z-]+ \\| [0-9.]+ s \\| [0-9.]+ s \\|.*")) {
          String[] c = line.split("\\|");
          String contender = c[1].strip();
          groups
              .computeIfAbsent(whole, k -> new LinkedHashMap<>())
              .put(
                  contender,
                  new Row(
                      "whole",
                      contender,
                      "",
                      Double.parseDouble(c[2].strip().split(" ")[0]),
                      0,
                      "s"));
          cpu.put(whole + "|" + contender, 1000 * Double.parseDouble(c[3].strip().split(" ")[0]));
          ops.put(whole + "|" + contender, 1.0);
          continue;
        }
        if (line.startsWith("Benchmark ")) {
          params.clear();
          for (String t : line.trim().split("\\s+")) {
            if (t.startsWith("(")) {
              params.add(t.substring(1, t.length() - 1));
            }
          }
          continue;
        }
        String[] t = line.trim().split("\\s+");
        if (t.length < 4
            || !t[0].contains(".")
            || t[0].startsWith("#")
            || !line.matches("^[A-Z][A-Za-z]+\\.\\S+\\s.*")) {
          continue;
        }
        String name = t[0];
        int mode = -1;
        for (int i = 1; i < t.length; i++) {
          if (t[i].equals("avgt") || t[i].equals("thrpt") || t[i].equals("ss")) {
            mode = i;
            break;
          }
        }
        if (mode < 0) {
          continue;
        }
        StringBuilder p = new StringBuilder();
        for (int i = 1; i < mode && i - 1 < params.size(); i++) {
          p.append(p.length() == 0 ? "" : ", ").append(params.get(i - 1)).append('=').append(t[i]);
        }
        List<String> rest = new ArrayList<>(List.of(t).subList(mode + 1, t.length));
        double score;
        double error = 0;
        String unit = rest.get(rest.size() - 1);
        int pm = rest.indexOf("±");
        try {
          if (pm > 0) {
            score = Double.parseDouble(rest.get(pm - 1));
            error = Double.parseDouble(rest.get(pm + 1));
          } else {
            score = Double.parseDouble(rest.get(rest.size() - 2));
          }
        } catch (NumberFormatException e) {
          continue;
        }
        String bench = name.substring(0, name.indexOf('.'));
        String contender = name.substring(name.indexOf('.') + 1);
        String key = bench + " (" + p + ")" + (jdk.isEmpty() ? "" : ", " + jdk);
        if (contender.endsWith(":clientCpuMs")) {
          cpu.put(key + "|" + contender.substring(0, contender.indexOf(':')), score);
        } else if (contender.endsWith(":ops")) {
          ops.put(key + "|" + contender.substring(0, contender.indexOf(':')), score);
        } else if (!contender.contains(":")) {
          groups
              .computeIfAbsent(key, k -> new LinkedHashMap<>())
              .put(contender, new Row(bench, contender, p.toString(), score, error, unit));
        }
      }
    }
    StringBuilder md = new StringBuilder();
    for (var g : groups.entrySet()) {
      Row base = g.getValue().get(baseline);
      md.append("\n**")
          .append(g.getKey())
          .append("**\n\n| contender | time per op | ratio to ")
          .append(baseline)
          .append(" | client CPU per op |\n|---|---|---|---|\n");
      for (Row r : g.getValue().values()) {
        String k = g.getKey() + "|" + r.contender();
        String c =
            cpu.containsKey(k) && ops.getOrDefault(k, 0.0) > 0
                ? String.format(Locale.ROOT, "%.0f ms", cpu.get(k) / ops.get(k))
                : "—";
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %.1f ± %.1f %s | %s | %s |%n",
                r.contender(),
                r.score(),
                r.error(),
                r.unit(),
                base == null ? "—" : String.format(Locale.ROOT, "%.2f×", r.score() / base.score()),
                c));
      }
    }
    System.out.print(md);
    if (svg != null) {
      Files.createDirectories(svg.toAbsolutePath().getParent());
      Files.writeString(svg, svg(groups, baseline));
    }
  }

  static String svg(Map<String, Map<String, Row>> groups, String baseline) {
    int width = 760;
    int left = 170;
    int bar = 18;
    int y = 30;
    StringBuilder body = new StringBuilder();
    for (var g : groups.entrySet()) {
      body.append(
          String.format(
              Locale.ROOT,
              "<text x='10' y='%d' font-weight='bold'>%s</text>%n",
              y,
              esc(g.getKey())));
      y += 10;
      double max = g.getValue().values().stream().mapToDouble(Row::score).max().orElse(1);
      Row base = g.getValue().get(baseline);
      for (Row r : g.getValue().values()) {
        double w = (width - left - 150) * r.score() / max;
        String color =
            r.contender().equals(baseline)
                ? "#888"
                : r.contender().startsWith("mailfetch")
                        || r.contender().equals("jar")
                        || r.contender().equals("library")
                        || r.contender().equals("launcher")
                    ? "#2a7"
                    : "#c63";
        body.append(
            String.format(
                Locale.ROOT,
                "<text x='%d' y='%d' text-anchor='end'>%s</text><rect x='%d' y='%d' width='%.1f' height='%d' fill='%s'/>"
                    + "<text x='%.1f' y='%d'>%.1f %s%s</text>%n",
                left - 6,
                y + 13,
                esc(r.contender()),
                left,
                y,
                Math.max(1, w),
                bar - 4,
                color,
                left + w + 6,
                y + 13,
                r.score(),
                esc(r.unit()),
                base == null
                    ? ""
                    : String.format(Locale.ROOT, "  (%.2f×)", r.score() / base.score())));
        y += bar;
      }
      y += 24;
    }
    return String.format(
        Locale.ROOT,
        "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
            + "font-family='sans-serif' font-size='12'>%n<rect width='100%%' height='100%%' fill='white'/>%n"
            + "<text x='10' y='16' fill='#555'>time per operation (shorter is better); ratio to %s in brackets</text>%n%s</svg>%n",
        width,
        y,
        baseline,
        body);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
