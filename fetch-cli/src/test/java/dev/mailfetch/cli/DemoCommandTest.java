package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command as a user runs it, in this JVM: exit codes, output, and what lands on disk. */
@Timeout(120)
class DemoCommandTest {
  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  static Run mailfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static long files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void theDemo_fetchesEverythingOnce_thenNothing_andShowsALabelAndADuplicate() throws IOException {
    Path dir = tmp.resolve("demo");
    Run r = mailfetch("demo", "--dir", dir.toString(), "--messages", "150");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("150 listed: 0 stored (0 B), 150 already there"), r.out());
    // the second fetch is the command itself, on the line the demo prints, finding step 1's state
    String line =
        r.out()
            .lines()
            .filter(l -> l.startsWith("   mailfetch fetch pop3s://demo@localhost:"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no fetch command line in: " + r.out()));
    assertTrue(line.contains(" --password-file=" + dir.resolve("password")), line);
    assertTrue(line.contains(" --to=maildir:" + dir.resolve("Maildir")), line);
    String password = Files.readString(dir.resolve("password")).strip();
    assertFalse(r.out().contains(password) || r.err().contains(password), "no secret printed");
    assertEquals(
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(dir.resolve("password")));
    assertTrue(r.out().contains("Fetching demo at localhost:"), "fetch's own words: " + r.out());
    assertTrue(
        r.out()
            .contains(
                "150 listed: 0 stored (0 B), 150 already there, 0 duplicates, 0 skipped, 0 failed,"
                    + " 0 deleted"),
        "fetch's own words: " + r.out());
    assertTrue(r.out().contains("labelled Invoices: "), r.out());
    assertTrue(r.out().contains("discarded as a duplicate: "), r.out());
    long inbox = files(dir.resolve("Maildir/new"));
    int duplicates =
        Integer.parseInt(
            r.out()
                .replaceAll(
                    "(?s).*150 listed: \\d+ stored \\([^)]*\\), 0 already there, (\\d+) duplicates.*",
                    "$1"));
    assertEquals(150 - duplicates, inbox, "every message but the duplicates, once");
    assertTrue(files(dir.resolve("Maildir/.Invoices/new")) > 0);
  }

  @Test
  void aSecondDemo_replacesTheFirstsDirectory_butNeverADirectoryItDidNotMake() throws IOException {
    Path dir = tmp.resolve("demo");
    assertEquals(0, mailfetch("demo", "--dir", dir.toString(), "--messages", "20").exit());
    assertEquals(0, mailfetch("demo", "--dir", dir.toString(), "--messages", "20").exit());
    Path mine = Files.createDirectories(tmp.resolve("my-mail"));
    Files.writeString(mine.resolve("precious"), "do not delete");
    Run r = mailfetch("demo", "--dir", mine.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("exists and was not made by the demo"), r.err());
    assertTrue(Files.exists(mine.resolve("precious")));
  }

  @Test
  void version_help_andBadArguments() {
    Run v = mailfetch("--version");
    assertEquals(0, v.exit());
    assertTrue(v.out().startsWith("mailfetch "), v.out());
    Run h = mailfetch("demo", "--help");
    assertEquals(0, h.exit());
    assertTrue(h.out().contains("Examples:"), h.out());
    Run bad = mailfetch("demo", "--no-such-option");
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("--no-such-option"), bad.err());
    Run range = mailfetch("demo", "--messages", "0");
    assertEquals(2, range.exit());
    assertTrue(range.err().contains("--messages 0: must be from 1 to 100000"), range.err());
  }
}
