package dev.mailfetch.cli;

import java.util.IllegalFormatException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.Column.Overflow;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The help text's layout: as wide as the terminal (up to {@link #WIDEST} columns, where lines
 * become hard to follow; {@code COLUMNS} in the environment overrides both), 80 columns when the
 * output is not a terminal, and lines broken only at spaces. Picocli breaks lines where Java's
 * line-break rules allow, which cuts {@code %40}, {@code DIR/.mailfetch-state} or an option name in
 * two; this lays its tables out with a break rule of our own.
 */
final class HelpText {
  private HelpText() {}

  /** The widest help on a wide terminal. */
  static final int WIDEST = 120;

  /** Picocli's narrowest. */
  private static final int NARROWEST = 55;

  /** Installs the layout on a command line and all its subcommands. */
  static void install(CommandLine cl, Map<String, String> env) {
    int[] width = {0}; // measured once, when help is first shown: measuring a terminal runs stty
    cl.setHelpFactory(
        (spec, colors) -> {
          if (width[0] == 0) {
            width[0] = width(env);
          }
          spec.usageMessage()
              .autoWidth(false)
              .width(width[0])
              .longOptionsMaxWidth(width[0] >= 100 ? 26 : 20);
          return new Wrapped(spec, colors);
        });
  }

  /** {@code COLUMNS} if set; else the terminal's width up to {@link #WIDEST}; else 80. */
  static int width(Map<String, String> env) {
    String columns = env.get("COLUMNS");
    if (columns != null && columns.strip().matches("[0-9]{1,4}")) {
      return Math.max(NARROWEST, Integer.parseInt(columns.strip()));
    }
    int terminal =
        CommandSpec.create().usageMessage().autoWidth(true).width(); // 80 when not a terminal
    return Math.max(NARROWEST, Math.min(WIDEST, terminal));
  }

  /** Picocli's help with every table replaced by one that breaks lines only at spaces. */
  private static final class Wrapped extends Help {
    Wrapped(CommandSpec spec, ColorScheme colors) {
      super(spec, colors);
    }

    private int width() {
      return commandSpec().usageMessage().width();
    }

    @Override
    public Layout createDefaultLayout(
        List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme colors) {
      int longOptions = calcLongOptionColumnWidth(options, positionals, colors);
      TextTable table =
          new SpaceBroken(
              colors,
              new Column(2, 0, Overflow.TRUNCATE),
              new Column(2, 0, Overflow.SPAN),
              new Column(1, 0, Overflow.TRUNCATE),
              new Column(longOptions, 1, Overflow.SPAN),
              new Column(width() - 5 - longOptions, 1, Overflow.WRAP));
      return new Layout(
          colors, table, createDefaultOptionRenderer(), createDefaultParameterRenderer());
    }

    @Override
    public String description(Object... params) {
      return join(commandSpec().usageMessage().description(), params);
    }

    @Override
    public String footer(Object... params) {
      return join(commandSpec().usageMessage().footer(), params);
    }

    private String join(String[] lines, Object... params) {
      TextTable table = new SpaceBroken(colorScheme(), new Column(width(), 0, Overflow.WRAP));
      table.indentWrappedLines = 0;
      for (String line : lines) {
        table.addRowValues(format(line, params));
      }
      return table.toString();
    }

    @Override
    public String commandList(Map<String, Help> subcommands) {
      if (subcommands.isEmpty()) {
        return "";
      }
      int longest = 0;
      for (String name : subcommands.keySet()) {
        longest = Math.max(longest, name.length());
      }
      int names = Math.min(longest, width() / 2) + 2;
      TextTable table =
          new SpaceBroken(
              colorScheme(),
              new Column(names, 2, Overflow.SPAN),
              new Column(width() - names, 2, Overflow.WRAP));
      for (Map.Entry<String, Help> e : subcommands.entrySet()) {
        CommandLine.Model.UsageMessageSpec usage = e.getValue().commandSpec().usageMessage();
        String[] told = usage.header().length > 0 ? usage.header() : usage.description();
        Text[] lines = colorScheme().text(format(told.length == 0 ? "" : told[0])).splitLines();
        for (int i = 0; i < lines.length; i++) {
          table.addRowValues(
              i == 0 ? e.getValue().commandNamesText(", ") : colorScheme().text(""), lines[i]);
        }
      }
      return table.toString();
    }

    @Override
    protected String insertSynopsisCommandName(int headingLength, Text details) {
      String name = commandSpec().qualifiedName();
      int indent = headingLength + name.length() + 1;
      if (indent > width() / 2) {
        indent = headingLength;
      }
      TextTable table = new SpaceBroken(colorScheme(), new Column(width(), 0, Overflow.WRAP));
      table.indentWrappedLines = indent;
      Text padding = Help.Ansi.OFF.new Text("X".repeat(headingLength), colorScheme());
      table.addRowValues(padding.concat(colorScheme().commandText(name)).concat(details));
      return table.toString().substring(headingLength);
    }

    private static String format(String text, Object... params) {
      try {
        return text == null ? "" : String.format(text, params);
      } catch (IllegalFormatException e) {
        return text;
      }
    }
  }

  /**
   * A table whose wrapping columns break lines at spaces only; a word longer than a whole line is
   * cut, as picocli does. A continued line keeps the indentation of the text it continues (an
   * example in a footer stays indented).
   */
  static final class SpaceBroken extends TextTable {
    SpaceBroken(ColorScheme colors, Column... columns) {
      super(colors, columns);
    }

    @Override
    public Cell putValue(int row, int col, Text value) {
      Column[] columns = columns();
      Column column = columns[col];
      boolean wraps =
          column.overflow == Overflow.WRAP
              || (column.overflow == Overflow.SPAN && col == columns.length - 1);
      String plain = value == null ? "" : value.plainString();
      if (!wraps || plain.length() + column.indent <= column.width) {
        return super.putValue(row, col, value);
      }
      int leading = 0;
      while (leading < plain.length() && plain.charAt(leading) == ' ') {
        leading++;
      }
      int first = column.indent;
      int next =
          Math.min(
              column.indent + indentWrappedLines + (leading > 0 ? leading + 2 : 0),
              column.width / 2);
      int indent = first;
      int start = 0;
      Cell last = null;
      try {
        while (true) {
          int end = lineEnd(plain, start, column.width - indent);
          if (cuts(plain, end)
              && indent > first) { // a word too wide for a continued line: give it the whole column
            indent = first;
            end = lineEnd(plain, start, column.width - indent);
          }
          column.indent = indent;
          last = super.putValue(row, col, value.substring(start, end));
          start = end;
          while (start < plain.length() && plain.charAt(start) == ' ') {
            start++;
          }
          if (start >= plain.length()) {
            return last;
          }
          addEmptyRow();
          row = rowCount() - 1;
          indent = next;
        }
      } finally {
        column.indent = first;
      }
    }

    private static boolean cuts(String s, int end) {
      return end < s.length() && s.charAt(end) != ' ' && s.charAt(end - 1) != ' ';
    }

    /** Where the line that starts at {@code start} and may hold {@code room} characters ends. */
    static int lineEnd(String s, int start, int room) {
      int limit = start + Math.max(1, room);
      if (limit >= s.length()) {
        return s.length();
      }
      for (int i = limit; i > start; i--) {
        if (s.charAt(i) == ' ') {
          int end = i;
          while (end > start && s.charAt(end - 1) == ' ') {
            end--;
          }
          if (end > start) {
            return end;
          }
        }
      }
      return limit; // one word wider than the line
    }
  }
}
