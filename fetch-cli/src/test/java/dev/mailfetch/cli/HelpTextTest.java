package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** The help text: as wide as the terminal allows, and never a word cut in two. */
class HelpTextTest {
  private static final String[][] HELPS = {
    {"--help"},
    {"fetch", "--help"},
    {"poll", "--help"},
    {"doctor", "--help"},
    {"demo", "--help"},
    {"help", "fetch"},
  };

  private static FetchCommandTest.Run help(int columns, String... args) {
    return FetchCommandTest.mailfetch(Map.of("COLUMNS", String.valueOf(columns)), args);
  }

  /**
   * Every word of a command's description, footer and option descriptions, as the reader should see
   * it.
   */
  private static Set<String> words(String command) {
    CommandLine main = Main.withAllCommands();
    CommandSpec spec =
        command.startsWith("-")
            ? main.getCommandSpec()
            : main.getSubcommands().get(command).getCommandSpec();
    List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
    texts.addAll(List.of(spec.usageMessage().footer()));
    for (ArgSpec a : spec.args()) {
      texts.addAll(List.of(a.description()));
    }
    Set<String> words = new HashSet<>();
    for (String t : texts) {
      String shown;
      try {
        shown = String.format(t); // as picocli shows it: %% is %
      } catch (IllegalFormatException e) {
        shown = t;
      }
      for (String w : shown.split("\\s+")) {
        if (!w.isEmpty() && !w.contains("${")) {
          words.add(w);
        }
      }
    }
    return words;
  }

  @Test
  void help_fitsTheTerminal_usesItsWidthWhenWide_andCutsNoWordInTwo() {
    assertTrue(words("fetch").contains("%40,"), "the URL's escapes are among the words");
    for (int columns : new int[] {60, 80, 100, 150}) {
      int widest = 0;
      for (String[] args : HELPS) {
        FetchCommandTest.Run r = help(columns, args);
        String what = columns + " columns, " + String.join(" ", args);
        assertEquals(0, r.exit(), what + ": " + r.err());
        assertTrue(r.out().startsWith("Usage: mailfetch"), what + ": " + r.out());
        for (String line : r.out().split("\n")) {
          assertTrue(line.length() <= columns, what + ": " + line);
          widest = Math.max(widest, line.length());
        }
        Set<String> printed = new HashSet<>(List.of(r.out().split("\\s+")));
        List<String> cut = new ArrayList<>();
        for (String w : words(args[0].equals("help") ? args[1] : args[0])) {
          if (!printed.contains(w)) {
            cut.add(w);
          }
        }
        assertTrue(cut.isEmpty(), what + ": words cut in two or lost: " + cut + "\n" + r.out());
      }
      if (columns > 100) {
        assertTrue(widest > 100, "a wide terminal is used: widest line " + widest);
      }
    }
  }

  /**
   * Each example of every command's help is printed as written, one line each, at the width help
   * has without a terminal: an example wrapped by the help's layout is no longer a command a person
   * can paste (its second half would run as a command of its own).
   */
  @Test
  void everyExample_isPrintedWhole_at80Columns() {
    CommandLine main = Main.withAllCommands();
    List<CommandSpec> specs = new ArrayList<>(List.of(main.getCommandSpec()));
    main.getSubcommands().values().forEach(c -> specs.add(c.getCommandSpec()));
    for (CommandSpec spec : specs) {
      String name = spec.name();
      if (name.equals("help") || name.equals("fake-server")) {
        continue; // fake-server --help is the testkit's own text
        // (theFakeServersHelp_fitsIn80Columns)
      }
      String[] args =
          spec == main.getCommandSpec() ? new String[] {"--help"} : new String[] {name, "--help"};
      FetchCommandTest.Run r = help(80, args);
      assertEquals(0, r.exit(), name + ": " + r.err());
      Set<String> printed = new HashSet<>(List.of(r.out().split("\n")));
      for (String line : spec.usageMessage().footer()) {
        if (line.startsWith("  ") && line.contains("mailfetch")) {
          String shown;
          try {
            shown = String.format(line); // as picocli shows it: %% is %
          } catch (IllegalFormatException e) {
            shown = line;
          }
          assertTrue(
              printed.contains(shown), name + ": the example is cut:\n" + shown + "\n" + r.out());
        }
      }
    }
  }

  @Test
  void withoutATerminal_helpIs80ColumnsWide() {
    FetchCommandTest.Run r = FetchCommandTest.mailfetch(Map.of(), "fetch", "--help");
    assertTrue(r.out().lines().allMatch(l -> l.length() <= 80), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.length() > 70), r.out());
  }

  @Test
  void theFakeServersHelp_fitsIn80Columns() {
    FetchCommandTest.Run r = FetchCommandTest.mailfetch(Map.of(), "fake-server", "--help");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("--generate"), r.out());
    assertTrue(r.out().lines().allMatch(l -> l.length() <= 80), r.out());
  }
}
