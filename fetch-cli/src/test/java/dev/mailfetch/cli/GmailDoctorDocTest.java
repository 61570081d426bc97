package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.gmail.GmailCheckup.Code;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/doctor.md lists every Gmail finding as the library's checkup has it. */
class GmailDoctorDocTest {
  private static final Pattern ROW =
      Pattern.compile(
          "^\\| `([A-Z_]+)` \\| ([a-z ]+), ([A-Z]+) \\| (?:`([A-Z_]+)`)? \\|$", Pattern.MULTILINE);

  @Test
  void everyGmailFinding_isInTheTable_withItsCheckStatusAndError() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "doctor.md"));
    String section =
        doc.substring(doc.indexOf("## Into Gmail"), doc.indexOf("## Everything it can find"));
    Matcher m = ROW.matcher(section);
    List<String> rows = new ArrayList<>();
    while (m.find()) {
      Code c = Code.valueOf(m.group(1));
      rows.add(c.name());
      assertEquals(c.check().map(k -> k.title()).orElse("any"), m.group(2), c + "'s check");
      assertEquals(c.status().name(), m.group(3), c + "'s status");
      assertEquals(c.error().map(Enum::name).orElse(null), m.group(4), c + "'s error");
    }
    List<String> all = new ArrayList<>();
    for (Code c : Code.values()) {
      all.add(c.name());
    }
    assertEquals(all, rows, "the table lists exactly the findings, in the enum's order");
    assertTrue(section.contains("mailfetch doctor gmail:"), "the section says what to type");
  }
}
