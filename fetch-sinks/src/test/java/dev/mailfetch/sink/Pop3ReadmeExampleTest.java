package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

// README-IMPORTS-BEGIN
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.SkipReason;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.sink.MaildirSink;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Supplier;
// README-IMPORTS-END
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The POP3 example in README.md is this code: its imports, and a method that fetches one account
 * into a Maildir with the durable state, compiled and run against the testkit's fake server over
 * TLS (twice: the second run finds nothing new). It lives here, not in fetch-pop3, because it needs
 * the Maildir and the journal, whose modules test against fetch-pop3.
 */
@Timeout(60)
class Pop3ReadmeExampleTest {
  private static final String PASSWORD = "from the environment";
  @TempDir Path tmp;

  // README-POP3-BEGIN
  /**
   * Fetches what is new in one POP3 account into a Maildir and remembers what it fetched, so that
   * the next run downloads only what arrived since. The mail stays on the server.
   *
   * @param caFile the CA certificate (PEM) of a server with a private CA; null for a server with a
   *     public certificate, which the JDK's trust store already checks
   */
  static FetchResult fetchNewMail(String host, int port, String user, Supplier<String> password, Path caFile,
      Path maildir) throws IOException {
    Pop3Source.Builder pop3 = Pop3Source.builder()
        .host(host).port(port)                         // implicit TLS (port 995 by default)
        .user(user)
        .password(password);                           // asked at each login, never stored
    if (caFile != null) {
      pop3.trustPem(caFile);                           // only for a private CA
    }
    Pop3Source source = pop3.build();
    Path state = JournalUidStore.directoryFor(maildir.resolve("mailfetch-state"), source.account());
    try (MaildirSink sink = MaildirSink.open(maildir);
        JournalUidStore fetched = JournalUidStore.open(state)) {
      return Fetcher.builder()
          .source(source)
          .sink(sink)
          .uidStore(fetched)
          .retention(Retention.KEEP)                   // the default; see below for deleting
          .build()
          .run();
    }
  }

  /**
   * Says what a run did and everything a person must act on: its status (OK, WARNING or ERROR),
   * each message that failed or is held back (quarantined after failing in 5 runs, or over the size
   * limit) with what to do, each warning, and the error that stopped the run.
   */
  static void report(FetchResult result, PrintStream out) {
    out.println(result.status() + ": " + result.summary());
    for (MessageOutcome m : result.outcomes()) {
      boolean failed = m.kind() == MessageOutcome.Kind.FAILED && m.attempted(); // not attempted: the run had stopped
      boolean heldBack = m.skipReason() == SkipReason.QUARANTINED || m.skipReason() == SkipReason.MESSAGE_SIZE_LIMIT;
      if (failed || heldBack) {
        out.println(m.describe() + "\n  " + m.error().remedy().library());
      }
    }
    for (FetchException warning : result.warnings()) {
      out.println("warning: " + warning.getMessage() + "\n  " + warning.remedy().library());
    }
    result.error()
        .filter(e -> result.outcomes().stream().noneMatch(m -> m.error() == e && m.attempted())) // said above
        .ifPresent(e -> out.println("stopped: " + e.getMessage() + "\n  " + e.remedy().library()));
  }
  // README-POP3-END

  /** The call README.md shows: compiled here, never run (it names a server that is not ours). */
  static final Callable<FetchResult> README_CALL = () -> {
    // README-CALL-BEGIN
    FetchResult result = fetchNewMail("pop.example.com", 995, "alice@example.com",
        () -> System.getenv("MAIL_PASSWORD"),
        null,                                          // a public certificate; a private CA: Path.of("ca.pem")
        Path.of(System.getProperty("user.home"), "Maildir"));
    report(result, System.out);
    // README-CALL-END
    return result;
  };

  @Test
  void theReadmePop3Example_fetchesIntoAMaildir_keepsTheMail_andTheSecondRunFindsNothingNew() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    Path caFile = certs.writeCaPem(tmp);
    MailCorpus corpus = MailCorpus.generate(1, 5);
    try (FakePop3Server server = FakePop3Server.builder().tls(TlsMode.IMPLICIT, certs)
        .account("alice@example.com", PASSWORD, corpus.toMailbox()).start()) {
      Path maildir = tmp.resolve("Maildir");
      FetchResult first = fetchNewMail("localhost", server.port(), "alice@example.com", () -> PASSWORD, caFile, maildir);
      assertTrue(first.ok(), first::summary);
      assertEquals(5, first.count(MessageOutcome.Kind.DELIVERED), first::summary);
      List<byte[]> stored = new ArrayList<>();
      try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
        for (Path f : (Iterable<Path>) files::iterator) {
          stored.add(Files.readAllBytes(f));
        }
      }
      assertEquals(5, stored.size(), "one file per message in Maildir/new");
      stored.sort(Arrays::compare);
      List<byte[]> sent = new ArrayList<>();
      for (MailCorpus.Message m : corpus.messages()) {
        sent.add(MailCorpus.toLf(m.content()));
      }
      sent.sort(Arrays::compare);
      for (int i = 0; i < sent.size(); i++) {
        assertArrayEquals(sent.get(i), stored.get(i), "each message byte for byte (LF line ends)");
      }

      FetchResult second = fetchNewMail("localhost", server.port(), "alice@example.com", () -> PASSWORD, caFile, maildir);
      assertTrue(second.ok(), second::summary);
      assertEquals(0, second.count(MessageOutcome.Kind.DELIVERED), "the journal remembered: " + second.summary());
      assertEquals(5, second.count(MessageOutcome.Kind.ALREADY_SEEN), second::summary);
      server.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(5, server.mailbox("alice@example.com").size(), "nothing deleted from the server");
    }
  }

  /**
   * The README's report names what a person must act on, not only counts: the status, each failed
   * message and, once it failed in 5 runs, each quarantined one, with the builder call to retry it.
   */
  @Test
  void theReadmeReport_namesTheStatus_eachFailedAndQuarantinedMessage_andWhatToDo() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    Path caFile = certs.writeCaPem(tmp);
    try (FakePop3Server server = FakePop3Server.builder().tls(TlsMode.IMPLICIT, certs)
        .account("alice@example.com", PASSWORD, MailCorpus.generate(2, 2).toMailbox())
        .respond("RETR", "-ERR cannot read it now\r\n", FakePop3Server.After.CONTINUE).start()) {
      Path maildir = tmp.resolve("Maildir");
      String first = null;
      String last = null;
      for (int run = 1; run <= 6; run++) {
        FetchResult r = fetchNewMail("localhost", server.port(), "alice@example.com", () -> PASSWORD, caFile, maildir);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report(r, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        last = bytes.toString(StandardCharsets.UTF_8);
        first = first == null ? last : first;
      }
      assertTrue(first.startsWith("ERROR: "), first);
      assertTrue(first.contains("message 1 (uid ") && first.contains("message 2 (uid ")
          && first.contains("failed, PROTOCOL: "), "each failed message by name: " + first);
      assertTrue(last.startsWith("ERROR: "), last);
      assertTrue(last.contains("message 1 (uid ") && last.contains("message 2 (uid ") && last.contains("QUARANTINED")
          && last.contains("retryQuarantined(true)"), "each quarantined message, and how to retry it: " + last);
    }
  }

  @Test
  void theReadmeShowsExactlyThisExample() throws IOException {
    String source = Files.readString(Path.of("src/test/java/dev/mailfetch/sink/Pop3ReadmeExampleTest.java"),
        StandardCharsets.UTF_8);
    String expected = between(source, "// README-IMPORTS-BEGIN\n", "// README-IMPORTS-END", 0).strip() + "\n\n"
        + between(source, "  // README-POP3-BEGIN\n", "  // README-POP3-END", 2).strip();
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    assertEquals(expected.strip(), block(readme, "<!-- pop3-example -->\n```java\n"),
        "README.md's POP3 example is the imports and the method here");
    assertEquals(between(source, "    // README-CALL-BEGIN\n", "    // README-CALL-END", 4).strip(),
        block(readme, "<!-- pop3-call -->\n```java\n"), "README.md's call is the one compiled here");
  }

  /** The lines between two markers, each without its first {@code indent} characters. */
  private static String between(String text, String begin, String end, int indent) {
    String body = text.substring(text.indexOf(begin) + begin.length(), text.indexOf(end));
    StringBuilder out = new StringBuilder();
    for (String line : body.split("\n", -1)) {
      out.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
    }
    return out.toString();
  }

  private static String block(String readme, String opening) {
    int at = readme.indexOf(opening);
    assertTrue(at >= 0, "README.md has " + opening.strip());
    String rest = readme.substring(at + opening.length());
    return rest.substring(0, rest.indexOf("```")).strip();
  }
}
