package dev.mailfetch.testkit.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/quirks.md, "IMAP servers", has one row per {@link ImapQuirk}, in enum order. */
class ImapQuirksDocTest {
  @Test
  void theImapTableListsEveryConstantInOrder() throws IOException {
    List<String> documented = new ArrayList<>();
    for (String line :
        Files.readAllLines(Path.of("..", "docs", "quirks.md"), StandardCharsets.UTF_8)) {
      if (line.matches("\\| I\\d\\d \\|.*")) {
        documented.add(line.split("\\|")[2].strip().replace("`", ""));
      }
    }
    List<String> constants = new ArrayList<>();
    for (ImapQuirk q : ImapQuirk.values()) {
      constants.add(q.name());
    }
    assertEquals(constants, documented);
  }
}
