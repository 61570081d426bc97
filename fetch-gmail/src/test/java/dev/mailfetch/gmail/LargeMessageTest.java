package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.GmailEndpoint;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100 MB message under {@code -Xmx64m}: a child JVM with a heap of 64 MB fetches one message of
 * 100,000,000 bytes from the testkit's POP3 server into the fake Gmail (a resumable upload in
 * chunks), and it arrives byte for byte (SHA-256) without the child running out of memory ({@code
 * -XX:+ExitOnOutOfMemoryError}: an OutOfMemoryError on any thread ends the child with code 3). The
 * baseline, measured in the same test: the same message fetched by the same kind of child into a
 * Maildir. Both times and their ratio are printed (docs/benchmarks.md).
 */
@Timeout(600)
class LargeMessageTest {
  static final String ACCOUNT = "alice@large-test";
  private static final String PASSWORD = "large test password";
  static final int SIZE = 100_000_000;

  @TempDir Path tmp;

  @Test
  void aMessageOf100MB_underXmx64m_arrivesInGmailByteForByte() throws Exception {
    byte[] message = message(SIZE, 100);
    String sha256 = GmailProof.sha256(message);
    try (FakePop3Server pop3 =
            FakePop3Server.builder()
                .account("alice", PASSWORD, FakeMailbox.create().add("large-1", message))
                .start();
        FakeGmailServer gmail = GmailProof.fake(GmailProof.GMAIL_UNITS_PER_SECOND)) {
      message = null; // the mailbox has its own copy; this JVM keeps what it needs to compare
      Child maildir = run(pop3, gmail, "maildir", tmp.resolve("Maildir").toString());
      assertEquals(0, maildir.exit, () -> "the baseline into a Maildir failed: " + maildir.lines);
      Child child = run(pop3, gmail, "gmail", tmp.resolve("gmail-journal").toString());
      assertFalse(
          child.lines.stream().anyMatch(l -> l.contains("OutOfMemoryError")),
          child.lines::toString);
      assertEquals(
          0,
          child.exit,
          () -> "the child into Gmail failed (exit " + child.exit + "): " + child.lines);
      Map<String, Integer> stored = GmailProof.stored(gmail);
      assertEquals(Map.of(sha256, 1), stored, "Gmail holds the one message, byte for byte");
      assertEquals(
          "resumable",
          gmail.messages(GmailProof.MAILBOX).get(0).uploadType(),
          GmailProof.uploads(gmail));
      assertTrue(
          gmail.requests(GmailEndpoint.UPLOAD_CHUNK).size() >= 1,
          () -> "in chunks: " + GmailProof.uploads(gmail));
      System.out.printf(
          Locale.ROOT,
          "100 MB under -Xmx64m: into Gmail %.2f s (%s; %d collections, live heap after them at most %d MB, at most %d MB"
              + " before one), into a Maildir %.2f s (%d collections, at most %d MB live, %d MB before); Gmail / Maildir"
              + " %.2f%n",
          child.ms / 1e3,
          GmailProof.uploads(gmail),
          child.collections,
          child.afterGc,
          child.beforeGc,
          maildir.ms / 1e3,
          maildir.collections,
          maildir.afterGc,
          maildir.beforeGc,
          (double) child.ms / maildir.ms);
    }
  }

  /** A collection in {@code -Xlog:gc}: the heap before and after it, in MB. */
  private static final Pattern GC = Pattern.compile(" (\\d+)M->(\\d+)M\\(\\d+M\\)");

  private static final class Child {
    int exit;
    long ms;
    int collections;
    long beforeGc;
    long afterGc;
    final List<String> lines = new ArrayList<>();
  }

  private static Child run(FakePop3Server pop3, FakeGmailServer gmail, String... where)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+ExitOnOutOfMemoryError",
                "-Xlog:gc",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                LargeMessageChild.class.getName(),
                Integer.toString(pop3.port())));
    command.add(where[0]);
    if (where[0].equals("gmail")) {
      command.add(GmailProof.baseUri(gmail).toString());
    }
    command.add(where[1]);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("LARGE_TEST_PASSWORD", PASSWORD);
    pb.environment().put("LARGE_TEST_TOKEN", GmailProof.accessToken(gmail));
    Process p = pb.start();
    Child c = new Child();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        c.lines.add(line);
        if (line.startsWith("fetched ")) {
          c.ms = Long.parseLong(line.split(" ")[1]);
        }
        Matcher gc = GC.matcher(line);
        if (gc.find()) {
          c.collections++;
          c.beforeGc = Math.max(c.beforeGc, Long.parseLong(gc.group(1)));
          c.afterGc = Math.max(c.afterGc, Long.parseLong(gc.group(2)));
        }
      }
    }
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the child did not end: " + c.lines);
    }
    c.exit = p.exitValue();
    return c;
  }

  /**
   * A message of exactly {@code size} bytes: headers, then an attachment of random bytes in base64
   * lines of 76 characters (what a large attachment looks like), from {@code seed}.
   */
  static byte[] message(int size, long seed) {
    String boundary = "large-" + Long.toHexString(seed);
    byte[] head =
        ("From: Alice Martin <alice.martin@example.net>\r\nTo: user@example.org\r\n"
                + "Subject: one hundred megabytes\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
                + "Message-ID: <large."
                + seed
                + "@example.net>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\""
                + boundary
                + "\"\r\n\r\n--"
                + boundary
                + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe film, as promised.\r\n--"
                + boundary
                + "\r\nContent-Type: application/octet-stream; name=\"film.bin\"\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"film.bin\"\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.writeBytes(head);
    Random r = new Random(seed);
    byte[] raw = new byte[57];
    Base64.Encoder b64 = Base64.getEncoder();
    while (out.size() + 78 + tail.length <= size) {
      r.nextBytes(raw);
      out.writeBytes(b64.encode(raw));
      out.write('\r');
      out.write('\n');
    }
    int left = size - out.size() - tail.length; // 0 to 77: a last, shorter line of base64
    if (left >= 2) {
      r.nextBytes(raw);
      byte[] line = b64.encode(raw);
      out.write(line, 0, (left - 2) / 4 * 4);
      for (int i = (left - 2) / 4 * 4; i < left - 2; i++) {
        out.write('=');
      }
      out.write('\r');
      out.write('\n');
    } else if (left == 1) {
      throw new IllegalStateException("cannot pad by one byte"); // never for the sizes used here
    }
    out.writeBytes(tail);
    return out.toByteArray();
  }
}
