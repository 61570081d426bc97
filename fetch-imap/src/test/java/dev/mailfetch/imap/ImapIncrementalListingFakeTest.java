package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidStore;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.imap.internal.ImapCommand;
import dev.mailfetch.imap.internal.ImapSession;
import dev.mailfetch.imap.internal.ImapSettings;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapRecordedCommand;
import dev.mailfetch.testkit.imap.ImapSeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IMAP source's incremental listing against the fake IMAP server, proved from the server's
 * record of each session's commands: which UID ranges the listing asked for after one new message,
 * after an expunge since the mark, after a renumbering, in two folders of which one changed, and
 * from a mark of the first form ({@code imap1:}).
 */
@Timeout(60)
class ImapIncrementalListingFakeTest {
  private static final String USER = "u";

  private static byte[] message(String id) {
    return ("Message-ID: <" + id + "@test>\r\nSubject: " + id + "\r\n\r\nbody of " + id + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static FakeImapServer server(int inbox, int work) {
    FakeImapServer.Builder b = FakeImapServer.builder().account(USER, "p");
    for (int i = 1; i <= inbox; i++) {
      b.message(USER, "INBOX", ImapSeed.of(message("in" + i)));
    }
    if (work > 0) {
      b.folder(USER, "Work");
      for (int i = 1; i <= work; i++) {
        b.message(USER, "Work", ImapSeed.of(message("work" + i)));
      }
    }
    return b.start();
  }

  private static Fetcher fetcher(
      FakeImapServer imap, ImapFolders folders, UidStore store, InMemorySink sink) {
    return Fetcher.builder()
        .source(
            ImapSource.builder()
                .host(imap.host())
                .port(imap.port())
                .security(ImapSecurity.NONE)
                .allowPlaintextAuthentication(true)
                .user(USER)
                .password(() -> "p")
                .folders(folders)
                .build())
        .sink(sink)
        .uidStore(store)
        .build();
  }

  /** The listing's UID FETCH ranges of the last session, with the folder each was in. */
  private static List<String> listedRanges(FakeImapServer imap) {
    imap.awaitSessionsEnded(Duration.ofSeconds(5));
    List<String> out = new ArrayList<>();
    String folder = null;
    for (ImapRecordedCommand c : imap.lastSession().orElseThrow().commands()) {
      String line = c.line();
      if (c.verb().equals("EXAMINE") || c.verb().equals("SELECT")) {
        folder = c.arguments().replace("\"", "");
      } else if (line.contains(" FETCH ") && line.contains("RFC822.SIZE")) {
        out.add(folder + " " + line.split(" ")[3]);
      }
    }
    return out;
  }

  @Test
  void oneNewMessage_onlyTheUidsFromTheMarksUidNextAreListed() {
    try (FakeImapServer imap = server(300, 0)) {
      InMemorySink sink = InMemorySink.create();
      Fetcher fetcher = fetcher(imap, ImapFolders.inbox(), InMemoryUidStore.create(), sink);
      assertEquals(300, fetcher.run().count(MessageOutcome.Kind.DELIVERED));
      assertEquals(List.of("INBOX 1:*"), listedRanges(imap));
      imap.deliver(USER, "INBOX", message("new"));

      FetchResult second = fetcher.run();

      assertEquals(List.of("INBOX 301:*"), listedRanges(imap));
      assertEquals(1, second.listed());
      assertEquals(1, second.count(MessageOutcome.Kind.DELIVERED));
      assertEquals(301, sink.size());
      imap.deliver(USER, "INBOX", message("newer"));
      assertEquals(1, fetcher.run().listed());
      assertEquals(List.of("INBOX 302:*"), listedRanges(imap), "incremental runs follow");
      assertEquals(302, sink.size());
    }
  }

  @Test
  void anExpungeSinceTheMark_listsTheFolderWhole_andTheStoreForgetsIt() throws Exception {
    try (FakeImapServer imap = server(50, 0)) {
      InMemorySink sink = InMemorySink.create();
      ForgettingStore store = new ForgettingStore();
      Fetcher fetcher = fetcher(imap, ImapFolders.inbox(), store, sink);
      fetcher.run();
      expunge(imap, 7);
      imap.deliver(USER, "INBOX", message("new"));

      FetchResult second = fetcher.run();

      // The new range first (the count cannot tell an expunge from arrivals before), then the
      // older messages: the whole folder, so the engine may forget UID 7.
      assertEquals(List.of("INBOX 51:*", "INBOX 1:50"), listedRanges(imap));
      assertEquals(50, second.listed());
      assertEquals(1, second.count(MessageOutcome.Kind.DELIVERED));
      assertTrue(
          store.lastGone.stream().anyMatch(uid -> uid.endsWith(";UID=7")),
          store.lastGone.toString());

      expunge(imap, 8); // fewer messages than at the mark, and nothing new: whole at once
      FetchResult third = fetcher.run();
      assertEquals(List.of("INBOX 1:*"), listedRanges(imap));
      assertEquals(49, third.listed());
    }
  }

  @Test
  void aNewUidValidity_listsWhole_andTheRenumberingIsRecognisedAsWithoutMarks(@TempDir Path tmp)
      throws Exception {
    try (FakeImapServer imap = server(20, 0);
        JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) {
      InMemorySink sink = InMemorySink.create();
      Fetcher fetcher = fetcher(imap, ImapFolders.inbox(), store, sink);
      assertEquals(20, fetcher.run().count(MessageOutcome.Kind.DELIVERED));
      imap.source().renumber(USER, "INBOX");
      imap.deliver(USER, "INBOX", message("new"));

      FetchResult second = fetcher.run();

      assertEquals(List.of("INBOX 1:*"), listedRanges(imap));
      assertEquals(21, second.listed());
      assertEquals(1, second.count(MessageOutcome.Kind.DELIVERED), second.summary());
      assertEquals(21, sink.size(), "nothing delivered twice");
      assertTrue(
          second.warnings().stream()
              .anyMatch(
                  w ->
                      w.error() == FetchError.SERVER_TEMPORARY && w.getMessage().contains("INBOX")),
          second.warnings().toString());
    }
  }

  @Test
  void inTwoFolders_anUnchangedOneIsNotOpened_andAChangedOneMakesTheListingWhole()
      throws Exception {
    try (FakeImapServer imap = server(10, 5)) {
      InMemorySink sink = InMemorySink.create();
      ForgettingStore store = new ForgettingStore();
      Fetcher fetcher = fetcher(imap, ImapFolders.named("INBOX", "Work"), store, sink);
      assertEquals(15, fetcher.run().count(MessageOutcome.Kind.DELIVERED));
      imap.deliver(USER, "INBOX", message("new"));

      FetchResult second = fetcher.run();

      assertEquals(List.of("INBOX 11:*"), listedRanges(imap), "Work is as the mark says");
      assertEquals(1, second.listed());

      imap.deliver(USER, "INBOX", message("newer"));
      imap.deliver(USER, "Work", message("work-new"));
      expunge(imap, "Work", 2); // Work lost a message and gained one: the count tells
      FetchResult third = fetcher.run();

      assertEquals(
          List.of("INBOX 12:*", "Work 6:*", "Work 1:5", "INBOX 1:11"),
          listedRanges(imap),
          "Work listed whole, then the rest of INBOX: the listing is complete");
      assertEquals(17, third.listed());
      assertEquals(2, third.count(MessageOutcome.Kind.DELIVERED));
      assertTrue(
          store.lastGone.stream()
              .anyMatch(uid -> uid.startsWith("Work;") && uid.endsWith(";UID=2")));
      assertEquals(18, sink.size());
    }
  }

  @Test
  void aMarkOfTheFirstForm_isReadForUnchanged_andListsWholeOnceWhenChanged() throws Exception {
    try (FakeImapServer imap = server(30, 0)) {
      InMemorySink sink = InMemorySink.create();
      InMemoryUidStore store = InMemoryUidStore.create();
      Fetcher fetcher = fetcher(imap, ImapFolders.inbox(), store, sink);
      fetcher.run();
      String mark = store.mailboxMark().orElseThrow();
      assertTrue(mark.startsWith("imap2:1:"), mark);
      // The digest of the first form, for this folder as it is, as the last release wrote it.
      store.recordMailboxMark(Optional.of(firstForm(imap)));
      store.sync();
      assertTrue(fetcher.run().unchanged(), "the old mark still says unchanged");

      imap.deliver(USER, "INBOX", message("new"));
      FetchResult changed = fetcher.run();
      assertEquals(List.of("INBOX 1:*"), listedRanges(imap), "an old mark: the whole, once");
      assertEquals(1, changed.count(MessageOutcome.Kind.DELIVERED));
      assertTrue(store.mailboxMark().orElseThrow().startsWith("imap2:"));

      imap.deliver(USER, "INBOX", message("newer"));
      fetcher.run();
      assertEquals(List.of("INBOX 32:*"), listedRanges(imap), "then incremental");
    }
  }

  /** The mark the first release wrote for INBOX as it is now: {@code imap1:1:} and a digest. */
  private static String firstForm(FakeImapServer imap) throws Exception {
    long validity = imap.source().uidValidity(USER, "INBOX");
    long next = imap.source().uidNext(USER, "INBOX");
    long messages = imap.source().uids(USER, "INBOX").size();
    String all = "INBOX " + validity + " " + next + " " + messages + "\n";
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(all.getBytes(StandardCharsets.UTF_8));
    return "imap1:1:" + HexFormat.of().formatHex(digest);
  }

  private static void expunge(FakeImapServer imap, long uid) throws Exception {
    expunge(imap, "INBOX", uid);
  }

  /** Expunges {@code uid} from {@code folder} in a session of another client. */
  private static void expunge(FakeImapServer imap, String folder, long uid) throws Exception {
    try (ImapSession s =
        ImapSession.open(
            new ImapSettings(
                imap.host(),
                imap.port(),
                ImapSecurity.NONE,
                null,
                ImapLimits.defaults(),
                USER,
                () -> "p",
                null,
                true,
                null))) {
      s.login();
      s.commands().select(folder);
      s.commands().uidStoreFlags(Long.toString(uid), "+FLAGS", List.of("\\Deleted"));
      s.ok(s.run(ImapCommand.of("EXPUNGE").build()));
    }
    imap.awaitSessionsEnded(Duration.ofSeconds(5));
  }

  /** A store in memory that notes what each complete listing lacked, as a forgetting one does. */
  private static final class ForgettingStore implements UidStore {
    private final InMemoryUidStore held = InMemoryUidStore.create();
    private final Set<String> known = new HashSet<>();
    List<String> lastGone = List.of();

    @Override
    public Optional<UidRecord> get(String uid) {
      return held.get(uid);
    }

    @Override
    public void put(UidRecord record) {
      known.add(record.uid());
      held.put(record);
    }

    @Override
    public Optional<Instant> firstRun() {
      return held.firstRun();
    }

    @Override
    public void recordFirstRun(Instant at) {
      held.recordFirstRun(at);
    }

    @Override
    public Set<String> retainListed(Set<String> listed, Instant now) {
      List<String> gone = new ArrayList<>();
      for (String uid : known) {
        if (!listed.contains(uid)) {
          gone.add(uid);
        }
      }
      lastGone = gone;
      return Set.copyOf(gone);
    }

    @Override
    public Optional<String> mailboxMark() {
      return held.mailboxMark();
    }

    @Override
    public void recordMailboxMark(Optional<String> mark) {
      held.recordMailboxMark(mark);
    }

    @Override
    public void sync() {
      held.sync();
    }
  }
}
