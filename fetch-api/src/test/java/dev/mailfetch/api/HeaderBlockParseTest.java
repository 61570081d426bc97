package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The header parser, against the line-by-line parser it replaced. */
class HeaderBlockParseTest {
  @Test
  void fieldsAreUnfolded_stripped_andStrayLinesSkipped() {
    String raw =
        "Subject:  a\r\n  folded\tline \r\n: no name\r\nstray line\r\n"
            + " From : b@example.org\nX-Empty:\r\n\r\nBody: not a field\r\n";
    assertEquals(
        List.of(
            new HeaderBlock.Field("Subject", "a  folded\tline"),
            new HeaderBlock.Field("From", "b@example.org"),
            new HeaderBlock.Field("X-Empty", "")),
        HeaderBlock.of(raw.getBytes(StandardCharsets.UTF_8), true).fields());
  }

  /**
   * A section of the default cap's size (256 KiB) of lines without a ':', then a field. The parser
   * looks for the next ':' once for all the lines up to it; searched afresh per line, a hostile
   * section like this one took 300 ms to parse, against 18 ms (measured once each, not asserted: a
   * time limit would fail on a loaded machine).
   */
  @Test
  void strayLinesUpToTheCap_areSkipped_andTheFieldAfterThemIsFound() {
    String raw = "x\r\n".repeat(87_000) + "Subject: last\r\n\r\n";
    assertEquals(
        List.of(new HeaderBlock.Field("Subject", "last")),
        HeaderBlock.of(raw.getBytes(StandardCharsets.UTF_8), true).fields());
  }

  @Property(tries = 3000)
  void anyBytes_parseAsTheLineByLineParserParsedThem(@ForAll("headerLike") String text) {
    byte[] raw = text.getBytes(StandardCharsets.UTF_8);
    assertEquals(lineByLine(raw), HeaderBlock.of(raw, false).fields());
    assertEquals(lineByLine(raw), HeaderBlock.wrap(raw.clone(), false).fields());
  }

  @Provide
  Arbitrary<String> headerLike() {
    return Arbitraries.oneOf(
            Arbitraries.of(
                "Subject",
                "From",
                ":",
                " ",
                "\t",
                "\r",
                "\n",
                "\r\n",
                "\r\n ",
                "\u2003",
                "\u00a0",
                "é",
                "\ud83d\udce7",
                "\ud800",
                "a",
                "b: c"),
            Arbitraries.strings().ofMaxLength(3))
        .list()
        .ofMaxSize(40)
        .map(parts -> String.join("", parts));
  }

  /** HeaderBlock's parser until 2026-12-07: a string per line, a builder per value. */
  private static List<HeaderBlock.Field> lineByLine(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    List<HeaderBlock.Field> out = new ArrayList<>();
    String name = null;
    StringBuilder value = new StringBuilder();
    int pos = 0;
    while (pos < text.length()) {
      int nl = text.indexOf('\n', pos);
      int end = nl < 0 ? text.length() : nl;
      int next = nl < 0 ? text.length() : nl + 1;
      if (end > pos && text.charAt(end - 1) == '\r') {
        end--;
      }
      String line = text.substring(pos, end);
      pos = next;
      if (line.isEmpty()) {
        break;
      }
      char c = line.charAt(0);
      if ((c == ' ' || c == '\t') && name != null) {
        value.append(line);
        continue;
      }
      if (name != null) {
        out.add(new HeaderBlock.Field(name, value.toString().strip()));
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        name = null;
        value.setLength(0);
        continue;
      }
      name = line.substring(0, colon).strip();
      value.setLength(0);
      value.append(line, colon + 1, line.length());
    }
    if (name != null) {
      out.add(new HeaderBlock.Field(name, value.toString().strip()));
    }
    return out;
  }
}
