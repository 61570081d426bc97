package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/quirks.md has one row per {@link Quirk}, in enum order, and nothing else. */
class QuirksDocTest {
  @Test
  void theQuirkTableListsEveryConstantInOrder() throws IOException {
    List<String> documented = new ArrayList<>();
    for (String line :
        Files.readAllLines(Path.of("..", "docs", "quirks.md"), StandardCharsets.UTF_8)) {
      if (line.startsWith("| Q")) {
        documented.add(line.split("\\|")[2].strip().replace("`", ""));
      }
    }
    List<String> constants = new ArrayList<>();
    for (Quirk q : Quirk.values()) {
      constants.add(q.name());
    }
    assertEquals(constants, documented);
  }
}
