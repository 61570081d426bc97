package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.FakePop3Server.CapaPhase;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.RecordedCommand;
import dev.mailfetch.testkit.RecordedSession;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * STAT, LIST and UIDL go out with the CAPA after login when the server said before login that it
 * pipelines and lists UIDs (one round trip fewer per session). If the CAPA after login says
 * otherwise, that listing is read and dropped, and the session goes on as if it had not been sent:
 * nothing lost, nothing doubled.
 */
@Timeout(60)
class ListingWithCapaTest {
  private static final MailCorpus CORPUS = MailCorpus.generate(21, 6);

  private static List<String> lines(RecordedSession session) {
    return session.commandLines();
  }

  /**
   * Fetches the corpus once, leaving it on the server; checks every message arrived whole, once.
   */
  private static RecordedSession fetchAll(FakePop3Server s) {
    InMemorySink sink = InMemorySink.create();
    FetchResult r =
        Pop3SourceTest.fetch(
            Pop3SourceTest.client(s, Security.NONE).build(),
            sink,
            InMemoryUidStore.create(),
            Retention.KEEP);
    assertEveryMessageOnce(sink, r);
    s.awaitSessionsEnded(Duration.ofSeconds(5));
    return s.lastSession().orElseThrow();
  }

  private static void assertEveryMessageOnce(InMemorySink sink, FetchResult r) {
    assertTrue(r.ok(), r::summary);
    assertEquals(CORPUS.messages().size(), r.count(MessageOutcome.Kind.DELIVERED), r::summary);
    Map<String, byte[]> got = Pop3SourceTest.byUid(sink);
    assertEquals(CORPUS.messages().size(), got.size());
    for (MailCorpus.Message m : CORPUS.messages()) {
      assertArrayEquals(m.content(), got.get(m.uid()), m.uid());
    }
  }

  @Test
  void theListingGoesOutWithTheCapaAfterLogin_withoutWaitingForIt() {
    try (FakePop3Server s =
        Pop3SourceTest.server(CORPUS.toMailbox()).replyDelay(Duration.ofMillis(20)).start()) {
      RecordedSession session = fetchAll(s);
      List<String> commands = lines(session);
      int capaAfterLogin = commands.lastIndexOf("CAPA");
      assertEquals(
          List.of("CAPA", "STAT", "LIST", "UIDL"),
          commands.subList(capaAfterLogin, capaAfterLogin + 4),
          "the listing right behind the CAPA after login: " + commands);
      List<RecordedCommand> listing =
          session.commands().subList(capaAfterLogin + 1, capaAfterLogin + 4);
      assertTrue(
          listing.stream().allMatch(RecordedCommand::pipelined),
          "sent before CAPA's answer came: " + listing);
      // (a STAT before RSET at the end, where mail was retrieved and none deleted, is no listing)
      assertEquals(
          1,
          commands.subList(0, commands.indexOf("RETR 1")).stream().filter("STAT"::equals).count(),
          "listed once: " + commands.toString());
      assertEquals(1, session.commands("UIDL").size(), "listed once: " + commands.toString());
    }
  }

  @Test
  void aServerThatStopsOfferingPipeliningAfterLogin_getsTheListingDropped_andAskedAgainOneByOne() {
    try (FakePop3Server s =
        Pop3SourceTest.server(CORPUS.toMailbox())
            .capabilities(CapaPhase.AFTER_LOGIN, "TOP", "UIDL", "RESP-CODES")
            .start()) {
      RecordedSession session = fetchAll(s);
      List<String> commands = lines(session);
      assertEquals(
          2,
          commands.subList(0, commands.indexOf("RETR 1")).stream().filter("STAT"::equals).count(),
          "the listing sent ahead, then the one used: " + commands);
      assertEquals(2, session.commands("UIDL").size(), lines(session).toString());
      List<RecordedCommand> retrs = session.commands("RETR");
      assertEquals(CORPUS.messages().size(), retrs.size(), "each message requested once");
    }
  }

  @Test
  void aServerThatListsUidlOnlyBeforeLogin_getsTheListingDropped_andTheProbeDecides() {
    try (FakePop3Server s =
        Pop3SourceTest.server(CORPUS.toMailbox())
            .capabilities(CapaPhase.AFTER_LOGIN, "TOP", "RESP-CODES", "PIPELINING")
            .start()) {
      InMemorySink sink = InMemorySink.create();
      InMemoryUidStore store = InMemoryUidStore.create();
      Pop3Source source = Pop3SourceTest.client(s, Security.NONE).build();
      FetchResult r = Pop3SourceTest.fetch(source, sink, store, Retention.KEEP);
      assertEveryMessageOnce(sink, r);
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      List<String> commands = lines(s.session(1));
      assertTrue(
          commands.contains("UIDL 1"),
          "UIDL probed, as CAPA after login did not list it: " + commands);
      // Leave-on-server worked, so the ids were used: a second run finds nothing new.
      FetchResult again = Pop3SourceTest.fetch(source, sink, store, Retention.KEEP);
      assertTrue(again.ok(), again::summary);
      assertEquals(0, again.count(MessageOutcome.Kind.DELIVERED), again::summary);
    }
  }

  @Test
  void withoutPipelining_theListingWaitsForTheEngine() {
    try (FakePop3Server s =
        Pop3SourceTest.server(CORPUS.toMailbox())
            .pipelining(false)
            .replyDelay(Duration.ofMillis(5))
            .start()) {
      List<RecordedCommand> pipelined =
          fetchAll(s).commands().stream()
              .filter(RecordedCommand::pipelined)
              .collect(Collectors.toList());
      assertEquals(List.of(), pipelined, "one command at a time");
    }
  }
}
