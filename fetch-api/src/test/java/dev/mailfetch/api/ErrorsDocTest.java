package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * docs/errors.md and {@link FetchError} say the same thing: every code, in the same order, with the
 * same exit code, retry advice, sentence, causes and remedy. Edit both together.
 */
class ErrorsDocTest {
  private static final Path DOC = Path.of("..", "docs", "errors.md");

  /** The document's sections: "## CODE" headings with their bullet lines. */
  private static Map<String, List<String>> sections() throws IOException {
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
      if (line.startsWith("## ")) {
        current = new ArrayList<>();
        out.put(line.substring(3).strip(), current);
      } else if (current != null && !line.isBlank()) {
        current.add(line.strip());
      }
    }
    return out;
  }

  @Test
  void theDocumentListsEveryError_inEnumOrder_andNothingElse() throws IOException {
    List<String> documented = new ArrayList<>(sections().keySet());
    List<String> codes = new ArrayList<>();
    for (FetchError e : FetchError.values()) {
      codes.add(e.name());
    }
    assertEquals(codes, documented);
  }

  @Test
  void eachSectionSaysWhatTheEnumSays() throws IOException {
    Map<String, List<String>> doc = sections();
    for (FetchError e : FetchError.values()) {
      List<String> lines = doc.get(e.name());
      assertTrue(lines.contains("- exit code: " + e.exitCode()), e + ": " + lines);
      assertTrue(
          lines.contains("- retryable: " + (e.retryable() ? "yes" : "no")), e + ": " + lines);
      assertTrue(lines.contains("- says: " + e.summary()), e + ": " + lines);
      if (e.remedy().commandLine().equals(e.remedy().library())) { // the advice names no setting
        assertTrue(lines.contains("- remedy: " + e.remedy().commandLine()), e + ": " + lines);
      } else {
        assertTrue(
            lines.contains("- remedy (command): " + e.remedy().commandLine()), e + ": " + lines);
        assertTrue(lines.contains("- remedy (library): " + e.remedy().library()), e + ": " + lines);
      }
      for (String cause : e.causes()) {
        assertTrue(lines.contains("- cause: " + cause), e + " cause \"" + cause + "\": " + lines);
      }
      long documentedCauses = lines.stream().filter(l -> l.startsWith("- cause: ")).count();
      assertEquals(e.causes().size(), documentedCauses, e + " documents other causes");
    }
  }

  @Test
  void theSummaryTableAgreesWithTheEnum() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    for (FetchError e : FetchError.values()) {
      String row =
          "| `" + e.name() + "` | " + e.exitCode() + " | " + (e.retryable() ? "yes" : "no") + " |";
      assertTrue(doc.contains(row), "summary table row missing or wrong: " + row);
    }
  }

  @Test
  void exitCodesAreDistinct_andLeaveRoomForSuccessGenericFailureAndUsage() {
    Set<Integer> seen = new HashSet<>();
    for (FetchError e : FetchError.values()) {
      assertTrue(e.exitCode() > 2 && e.exitCode() < 126, e + " uses a reserved exit code");
      assertTrue(seen.add(e.exitCode()), e + " reuses exit code " + e.exitCode());
    }
  }
}
