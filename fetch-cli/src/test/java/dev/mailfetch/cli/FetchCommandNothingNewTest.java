package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cron case: a fetch that finds nothing new reads what it must (the account's state) and not
 * what only a new message needs (the dedup store), and writes nothing but what it wrote before.
 */
class FetchCommandNothingNewTest {
  private static final String PASSWORD = "s3cret";
  @TempDir Path tmp;

  @Test
  void aFetchWithNothingNew_doesNotReadTheDedupStore_andFetchesNothing() throws IOException {
    TestCertificates certs = TestCertificates.generate();
    Path ca = certs.writeCaPem(tmp);
    Map<String, String> env = new HashMap<>();
    env.put("MAIL_PW", PASSWORD);
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(7, 20).toMailbox())
            .tls(TlsMode.IMPLICIT, certs)
            .start()) {
      String[] args = {
        "fetch",
        "pop3s://alice@localhost:" + s.port(),
        "--password-env",
        "MAIL_PW",
        "--ca-file",
        ca.toString(),
        "--to",
        "maildir:" + tmp.resolve("Mail"),
        "--quiet"
      }; // the default dedup policy: message-id+digest, with its store
      FetchCommandTest.Run first = FetchCommandTest.mailfetch(env, args);
      assertEquals(0, first.exit(), first.out() + first.err());
      long stored = count(tmp.resolve("Mail/new"));
      assertTrue(stored > 0, "the first fetch stored mail");
      Path dedup = tmp.resolve("Mail/mailfetch-state/dedup");
      // A damaged line: a store that is read drops it (rewrites the file) and says so.
      Files.writeString(dedup, Files.readString(dedup) + "0badc0de a damaged line\n");
      byte[] before = Files.readAllBytes(dedup);

      FetchCommandTest.Run second = FetchCommandTest.mailfetch(env, args);
      assertEquals(0, second.exit(), second.out() + second.err());
      assertEquals("", second.out(), "nothing new, --quiet: nothing to say");
      assertEquals(stored, count(tmp.resolve("Mail/new")), "nothing fetched");
      assertArrayEquals(
          before, Files.readAllBytes(dedup), "the dedup store was not read: not rewritten");
    }
  }

  private static long count(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
