package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/doctor.md ("An IMAP account") lists every {@link ImapSymptom} as the enum has it: stage,
 * status, error, words, and the tests of {@link ImapDoctorTest} that produce it, which exist.
 */
class ImapDoctorDocTest {
  private static final Pattern ROW =
      Pattern.compile(
          "^\\| `([A-Z0-9_]+)` \\| ([^|]+) \\| ([A-Z]+) \\| (?:`([A-Z_]+)`)? \\| ([^|]+) \\| ([^|]*)"
              + " \\|$",
          Pattern.MULTILINE);

  @Test
  void everyImapSymptomIsDocumented_asTheEnumHasIt_withTestsThatExist() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "doctor.md"));
    int from = doc.indexOf("## An IMAP account");
    String section = doc.substring(from, doc.indexOf("\n## ", from + 5));
    Set<String> tests = new HashSet<>();
    for (Class<?> c :
        List.of(
            ImapDoctorTest.class,
            ImapDoctorTest.AgainstGreenMail.class,
            ImapDoctorTest.AgainstDovecot.class)) {
      for (Method m : c.getDeclaredMethods()) {
        tests.add(m.getName());
      }
    }
    List<String> names = new ArrayList<>();
    Matcher m = ROW.matcher(section);
    int i = 0;
    while (m.find()) {
      ImapSymptom s = ImapSymptom.values()[i++];
      names.add(m.group(1));
      assertEquals(s.name(), m.group(1), "the table lists the symptoms in enum order");
      assertEquals(s.stage().title(), m.group(2).trim(), s + "'s stage");
      assertEquals(s.status().name(), m.group(3), s + "'s status");
      assertEquals(s.error().map(Enum::name).orElse(""), m.group(4) == null ? "" : m.group(4));
      assertEquals(s.title(), m.group(5).trim(), s + "'s words");
      Matcher t = Pattern.compile("`([A-Za-z0-9_]+)`").matcher(m.group(6));
      while (t.find()) {
        assertTrue(tests.contains(t.group(1)), "no such test: " + t.group(1) + " for " + s);
      }
    }
    assertEquals(ImapSymptom.values().length, names.size(), "every symptom has its row");
  }
}
