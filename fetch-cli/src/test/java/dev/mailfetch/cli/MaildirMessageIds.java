package dev.mailfetch.cli;

import dev.mailfetch.testkit.MailArrival;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** What a Maildir holds, by Message-ID: for proofs that count deliveries, not files. */
final class MaildirMessageIds {
  private MaildirMessageIds() {}

  /** Message-ID to how many files carry it, in new/ and cur/ of {@code maildir}. */
  static Map<String, Integer> count(Path maildir) throws IOException {
    Map<String, Integer> out = new HashMap<>();
    for (String sub : new String[] {"new", "cur"}) {
      Path dir = maildir.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          out.merge(
              String.valueOf(MailArrival.messageIdOf(Files.readAllBytes(f))), 1, Integer::sum);
        }
      }
    }
    return out;
  }
}
