package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/hostile.md has one row per {@link HostileCase}, in enum order, with its ID. */
class HostileDocTest {
  @Test
  void theTableListsEveryCaseInOrder() throws IOException {
    List<String> documented = new ArrayList<>();
    for (String line :
        Files.readAllLines(Path.of("..", "docs", "hostile.md"), StandardCharsets.UTF_8)) {
      if (line.matches("\\| [NTARUL]-\\d\\d \\|.*")) {
        String[] cells = line.split("\\|");
        documented.add(cells[1].strip() + " " + cells[2].strip().replace("`", ""));
      }
    }
    List<String> cases = new ArrayList<>();
    for (HostileCase c : HostileCase.values()) {
      cases.add(c.id() + " " + c.name());
    }
    assertEquals(cases, documented);
  }
}
