package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A fetch from a POP3 server into a Maildir, through the engine, compared file by file. */
@Timeout(60)
class MaildirFetchTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "pipelining={0}, {1}")
  @CsvSource({"true, LF", "false, LF", "true, CRLF"})
  void everyMessageLandsOnce_withTheLineEndsTheMaildirAskedFor(
      boolean pipelining, LineEnding ending) throws IOException {
    MailCorpus corpus = MailCorpus.generate(31, 80);
    String password = "maildir test";
    try (FakePop3Server s =
            FakePop3Server.builder()
                .account("alice", password, corpus.toMailbox())
                .pipelining(pipelining)
                .start();
        MaildirSink maildir =
            MaildirSink.builder(tmp.resolve("Maildir")).lineEnding(ending).build()) {
      Pop3Source source =
          Pop3Source.builder()
              .host("localhost")
              .port(s.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("alice")
              .password(() -> password)
              .account("alice@fake")
              .build();
      FetchResult r =
          Fetcher.builder()
              .source(source)
              .sink(maildir)
              .uidStore(InMemoryUidStore.create())
              .retention(Retention.KEEP)
              .build()
              .run();
      assertTrue(r.ok(), r::summary);
      assertEquals(corpus.messages().size(), r.count(MessageOutcome.Kind.DELIVERED));
      for (MailCorpus.Message m : corpus.messages()) {
        DeliveryKey k = DeliveryKey.of("alice@fake", m.uid());
        Path f = MaildirSinkContractTest.MaildirFiles.find(tmp.resolve("Maildir"), k);
        byte[] expected = ending == LineEnding.LF ? MailCorpus.toLf(m.content()) : m.content();
        assertArrayEquals(expected, Files.readAllBytes(f), m.uid());
        assertTrue(f.getFileName().toString().endsWith(",S=" + expected.length), f.toString());
      }
    }
  }
}
