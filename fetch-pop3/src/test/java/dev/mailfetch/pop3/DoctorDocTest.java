package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/doctor.md lists every symptom as the enum has it, each with cases that really produce it.
 */
class DoctorDocTest {
  private static final Pattern ROW =
      Pattern.compile(
          "^\\| `([A-Z0-9_]+)` \\| ([A-Z]+) \\| (?:`([A-Z_]+)`)? \\| ([^|]+) \\| ([^|]*) \\|$",
          Pattern.MULTILINE);
  private static final Pattern NAME = Pattern.compile("`([A-Za-z0-9_]+)`");

  private static String doc() throws IOException {
    Path p = Path.of("..", "docs", "doctor.md");
    return Files.readString(p);
  }

  @Test
  void everySymptomIsDocumented_asTheEnumHasIt_withTheCasesThatProduceIt() throws IOException {
    Map<String, Symptom> caseSymptom = new HashMap<>();
    for (DoctorTest.Case c : DoctorTest.cases()) {
      caseSymptom.put(c.name(), c.symptom());
    }
    Map<String, String[]> rows = new LinkedHashMap<>();
    Matcher m = ROW.matcher(doc());
    while (m.find()) {
      rows.put(
          m.group(1),
          new String[] {
            m.group(2), m.group(3) == null ? "" : m.group(3), m.group(4).trim(), m.group(5)
          });
    }
    List<String> names = new ArrayList<>();
    for (Symptom s : Symptom.values()) {
      names.add(s.name());
      String[] row = rows.get(s.name());
      assertTrue(row != null, "docs/doctor.md has no row for " + s);
      assertEquals(s.status().name(), row[0], s + "'s status");
      assertEquals(s.error().map(Enum::name).orElse(""), row[1], s + "'s error");
      assertEquals(s.title(), row[2], s + "'s title");
      Matcher t = NAME.matcher(row[3]);
      int proofs = 0;
      while (t.find()) {
        assertEquals(s, caseSymptom.get(t.group(1)), "the case " + t.group(1) + " named for " + s);
        proofs++;
      }
      assertTrue(proofs > 0, s + " names no case that produces it");
    }
    assertEquals(
        names,
        new ArrayList<>(rows.keySet()),
        "the table lists exactly the symptoms, in enum order");
  }

  @Test
  void theSeedTables_nameRealSymptoms_theirWording_andTestsThatExist() throws IOException {
    String doc = doc();
    String seeds = doc.substring(doc.indexOf("## The seed documents"));
    Map<String, Symptom> cases = new HashMap<>();
    for (DoctorTest.Case c : DoctorTest.cases()) {
      cases.put(c.name(), c.symptom());
    }
    Matcher row =
        Pattern.compile("^\\|[^|]+\\| ([^|]+) \\| ([^|]+) \\| ([^|]+) \\|$", Pattern.MULTILINE)
            .matcher(seeds);
    int checked = 0;
    while (row.find()) {
      Matcher named = Pattern.compile("`([A-Z0-9_]+)`").matcher(row.group(1));
      while (named.find()) {
        Symptom s = Symptom.valueOf(named.group(1));
        assertTrue(
            row.group(2).contains("“" + s.title() + "”"),
            "the wording shown for " + s + " in: " + row.group());
      }
      Matcher t = NAME.matcher(row.group(3));
      while (t.find()) {
        String n = t.group(1);
        assertTrue(
            cases.containsKey(n) || n.equals("aHealthyServer_isHealthy_withEveryStageOk"),
            "docs/doctor.md names a test that does not exist: " + n);
        checked++;
      }
    }
    assertTrue(checked > 40, "the seed tables name their tests: " + checked);
  }
}
