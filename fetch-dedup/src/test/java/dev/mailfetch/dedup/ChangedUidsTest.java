package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.RecordedCommand;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Quirk Q26: a server that numbers its mailbox anew is recognised, not downloaded again. */
@Timeout(60)
class ChangedUidsTest {
  private static final String PW = "q26 test";
  @TempDir Path tmp;

  private static Fetcher fetcher(FakePop3Server s, InMemorySink sink, JournalUidStore store) {
    Pop3Source source =
        Pop3Source.builder()
            .host("127.0.0.1")
            .port(s.port())
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user("u")
            .password(() -> PW)
            .account("u@q26")
            .build();
    return Fetcher.builder()
        .source(source)
        .sink(sink)
        .uidStore(store)
        .retention(Retention.KEEP)
        .build();
  }

  @Test
  void Q26_everyUidChanged_theMessagesAreRecognisedByTheirHeaders_andNothingIsDownloadedTwice()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(26, 30);
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("u", PW, corpus.toMailbox())
            .quirk(Quirk.Q26_UIDL_UNSTABLE)
            .start()) {
      InMemorySink sink = InMemorySink.create();
      try (JournalUidStore firstStore = JournalUidStore.open(tmp.resolve("state"))) {
        FetchResult first = fetcher(s, sink, firstStore).run();
        assertEquals(30, first.count(MessageOutcome.Kind.DELIVERED), first::summary);
        firstStore.compact(); // the fingerprints survive a compaction and a restart
      }
      JournalUidStore store = JournalUidStore.open(tmp.resolve("state"));
      FetchResult second = fetcher(s, sink, store).run();
      assertTrue(second.ok(), second::summary);
      assertEquals(30, second.count(MessageOutcome.Kind.ALREADY_SEEN), second::summary);
      assertTrue(second.quirks().contains(QuirkId.Q26), second.quirks()::toString);
      assertEquals(30, sink.size(), "nothing stored twice");
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(0, s.session(2).commands("RETR").size(), "nothing downloaded twice");
      assertEquals(30, s.session(2).commands("TOP").size(), "headers only");
      FetchResult third = fetcher(s, sink, store).run(); // and again: the recognised records hold
      assertEquals(30, third.count(MessageOutcome.Kind.ALREADY_SEEN), third::summary);
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(0, s.session(3).commands("RETR").size());
      store.close();
    }
  }

  @Test
  void aMailboxThatReallyChanged_isDownloadedAsUsual_evenWhenTheGuardLooks() throws Exception {
    MailCorpus old = MailCorpus.generate(27, 30);
    MailCorpus fresh = MailCorpus.generate(28, 20);
    FakeMailbox box = old.toMailbox();
    try (FakePop3Server s = FakePop3Server.builder().account("u", PW, box).start();
        JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) {
      InMemorySink sink = InMemorySink.create();
      assertEquals(30, fetcher(s, sink, store).run().count(MessageOutcome.Kind.DELIVERED));
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      // 20 read and deleted elsewhere, 20 new ones arrive: most known vanished, as many unknown
      // came.
      box.remove(box.messages().subList(0, 20));
      for (MailCorpus.Message m : fresh.messages()) {
        box.add(m.uid() + "-new", m.content());
      }
      FetchResult r = fetcher(s, sink, store).run();
      assertTrue(r.ok(), r::summary);
      assertEquals(
          20, r.count(MessageOutcome.Kind.DELIVERED), "new mail is new mail: " + r.summary());
      assertEquals(10, r.count(MessageOutcome.Kind.ALREADY_SEEN));
      assertEquals(50, sink.size());
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(
          20, s.session(2).commands().stream().filter(c -> c.verb().equals("RETR")).count());
      assertTrue(
          s.session(2).commands().stream().map(RecordedCommand::verb).anyMatch("TOP"::equals),
          "the guard looked (and recognised nothing)");
    }
  }

  @Test
  void messagesThisMailfetchDeletedItself_areNoMigration_soALaterCopyOfOneIsDeliveredNotTakenForIt()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(29, 30);
    FakeMailbox box = FakeMailbox.create();
    // The 25th message is the 5th again, byte for byte (a message sent twice, or delivered twice).
    for (int i = 0; i < 30; i++) {
      box.add(corpus.messages().get(i).uid(), corpus.messages().get(i == 24 ? 4 : i).content());
    }
    try (FakePop3Server s = FakePop3Server.builder().account("u", PW, box).start();
        JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) {
      InMemorySink sink = InMemorySink.create();
      Pop3Source source =
          Pop3Source.builder()
              .host("127.0.0.1")
              .port(s.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user("u")
              .password(() -> PW)
              .account("u@q26")
              .build();
      for (int run = 0; run < 3; run++) { // ten a run, each deleted once delivered
        Fetcher.builder()
            .source(source)
            .sink(sink)
            .uidStore(store)
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .limits(FetchLimits.builder().maxMessagesPerRun(10).build())
            .build()
            .run();
        s.awaitSessionsEnded(Duration.ofSeconds(5));
      }
      assertEquals(0, box.messages().size(), "all deleted from the server");
      assertEquals(
          30,
          sink.size(),
          "every message delivered, the copy too: none taken for one deleted before");
    }
  }
}
