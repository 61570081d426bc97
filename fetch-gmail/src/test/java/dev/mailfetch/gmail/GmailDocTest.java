package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/gmail.md names every checkup code and every setting of the sink's builder, so the two cannot
 * drift.
 */
class GmailDocTest {
  private static String doc() throws IOException {
    Path p = Path.of("..", "docs", "gmail.md");
    return Files.readString(p);
  }

  @Test
  void everyCheckupCode_isInTheDoc() throws IOException {
    String doc = doc();
    for (GmailCheckup.Code c : GmailCheckup.Code.values()) {
      assertTrue(doc.contains("`" + c.name() + "`"), "docs/gmail.md does not name " + c);
    }
  }

  @Test
  void everyBuilderSetting_isInTheDoc() throws IOException {
    String doc = doc();
    for (Method m : GmailImportSink.Builder.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers())
          && !m.getName().equals("build")
          && !m.getName().equals("checkup")) {
        assertTrue(
            doc.contains("`" + m.getName() + "("),
            "docs/gmail.md does not name the setting " + m.getName());
      }
    }
  }
}
