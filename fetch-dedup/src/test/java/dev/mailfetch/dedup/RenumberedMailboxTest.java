package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.HeaderReading;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Renumbering;
import dev.mailfetch.api.Retrieval;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mailbox its server renumbered (IMAP's UIDVALIDITY changed): the held messages are recognised by
 * the header fingerprints the journal keeps, and none is fetched or delivered again.
 */
class RenumberedMailboxTest {
  @TempDir Path tmp;

  private final Folder inbox = new Folder();
  private final InMemorySink sink = InMemorySink.create();

  private FetchResult run(UidStore store) {
    return Fetcher.builder().source(inbox).sink(sink).uidStore(store).batchSize(200).build().run();
  }

  private static String message(int i) {
    return "Message-ID: <m" + i + "@test>\r\nSubject: message " + i + "\r\n\r\nbody " + i + "\r\n";
  }

  @Test
  void aThousandHeldMessagesRenumbered_areRecognised_noneFetchedOrDeliveredTwice()
      throws IOException {
    for (int i = 1; i <= 1000; i++) {
      inbox.add(message(i));
    }
    try (JournalUidStore store = JournalUidStore.open(tmp.resolve("acct"))) {
      FetchResult first = run(store);
      assertEquals(1000, first.count(MessageOutcome.Kind.DELIVERED), first.summary());
      inbox.validity = 1733600000L;
      inbox.retrieved.clear();

      FetchResult second = run(store);

      assertEquals(List.of(), inbox.retrieved, "nothing fetched again");
      assertEquals(1000, sink.size(), "nothing delivered twice");
      assertEquals(1000, second.count(MessageOutcome.Kind.ALREADY_SEEN), second.summary());
      assertEquals(Set.of(), second.quirks(), "IMAP allows it: no quirk");
      assertEquals(1, second.warnings().size());
      FetchException w = second.warnings().get(0);
      assertEquals(FetchError.SERVER_TEMPORARY, w.error());
      assertEquals(
          "the server renumbered a mailbox (a new UIDVALIDITY, RFC 3501 §2.3.1.1: every message"
              + " there has a new id) — folder INBOX, UIDVALIDITY now 1733600000 (was 1733500000):"
              + " 1000 messages held from before, 1000 recognised by their headers and not fetched"
              + " again, 0 not recognised. Nothing listed is fetched as new",
          w.detail());
      assertTrue(w.remedy().commandLine().contains("ask the provider why its UIDVALIDITY keeps"));
      UidRecord moved = store.get(inbox.uid(7)).orElseThrow();
      assertEquals(UidRecord.State.DELIVERED, moved.state());

      FetchResult third = run(store);
      assertEquals(1000, third.count(MessageOutcome.Kind.ALREADY_SEEN));
      assertEquals(List.of(), third.warnings(), "said once");
    }
  }

  @Test
  void aStoreWithoutFingerprints_saysPlainlyThatNoneCouldBeRecognised() throws IOException {
    for (int i = 1; i <= 20; i++) {
      inbox.add(message(i));
    }
    try (JournalUidStore journal = JournalUidStore.open(tmp.resolve("acct"))) {
      UidStore store = new WithoutFingerprints(journal);
      assertEquals(20, run(store).count(MessageOutcome.Kind.DELIVERED));
      inbox.validity = 1733600000L;
      inbox.add(message(21));

      FetchResult second = run(store);

      assertEquals(21, second.count(MessageOutcome.Kind.DELIVERED), "fetched as new");
      FetchException w = second.warnings().get(0);
      assertTrue(
          w.detail()
              .endsWith(
                  "folder INBOX, UIDVALIDITY now 1733600000 (was 1733500000): 20 messages held"
                      + " from before, 0 recognised by their headers and not fetched again, 20 not"
                      + " recognised. 21 listed messages not known here are fetched as new: new"
                      + " mail, and the held messages not recognised that are still there. This"
                      + " state store keeps no fingerprints of the messages' headers, so none could"
                      + " be recognised"),
          w.detail());
      assertTrue(w.remedy().library().contains("JournalUidStore does"));
    }
  }

  /** One IMAP folder, its messages listed as {@code INBOX;UIDVALIDITY=v/;UID=n}. */
  private static final class Folder implements FetchSource {
    final List<byte[]> messages = new ArrayList<>();
    final List<String> retrieved = new ArrayList<>();
    long validity = 1733500000L;

    void add(String content) {
      messages.add(content.getBytes(StandardCharsets.US_ASCII));
    }

    String uid(int n) {
      return "INBOX;UIDVALIDITY=" + validity + "/;UID=" + n;
    }

    @Override
    public String account() {
      return "alice@imap.test.invalid";
    }

    @Override
    public FetchSession open() {
      return new Session();
    }

    private final class Session implements FetchSession, Renumbering {
      private final String prefix = "INBOX;UIDVALIDITY=" + validity + "/;UID=";

      @Override
      public Capabilities capabilities() {
        return new Capabilities(true, Optional.empty(), Optional.empty(), Set.of("IMAP4rev1"));
      }

      @Override
      public String server() {
        return "imap.test.invalid:993";
      }

      @Override
      public void list(ListingHandler handler) throws FetchException {
        long octets = 0;
        for (byte[] m : messages) {
          octets += m.length;
        }
        handler.count(messages.size(), octets);
        for (int n = 1; n <= messages.size(); n++) {
          handler.message(new MessageRef(n, uid(n), messages.get(n - 1).length));
        }
      }

      @Override
      public void retrieve(Retrieval request, MessageHandler to) throws FetchException {
        MessageHandler handler = request.convertingFromCrlf(to);
        for (MessageRef ref : request.batch()) {
          retrieved.add(ref.uid());
          handler.start(ref);
          handler.data(ByteBuffer.wrap(messages.get(ref.number() - 1)));
          handler.end();
        }
      }

      @Override
      public Optional<HeaderReading> headerReading() {
        return Optional.of(
            (refs, handler) -> {
              for (MessageRef ref : refs) {
                byte[] m = messages.get(ref.number() - 1);
                int end = new String(m, StandardCharsets.US_ASCII).indexOf("\r\n\r\n") + 4;
                handler.start(ref);
                handler.data(ByteBuffer.wrap(m, 0, end));
                handler.end();
              }
            });
      }

      @Override
      public Optional<Renumbering> renumbering() {
        return Optional.of(this);
      }

      @Override
      public Set<String> renumbered(Set<String> gone) {
        Set<String> out = new HashSet<>();
        for (String uid : gone) {
          if (uid.startsWith("INBOX;UIDVALIDITY=") && !uid.startsWith(prefix)) {
            out.add(uid);
          }
        }
        return out;
      }

      /** As the IMAP source words it: an old id and a new one of a folder differ in words. */
      @Override
      public String mailboxOf(String uid) {
        String was = uid.substring("INBOX;UIDVALIDITY=".length(), uid.indexOf('/'));
        return "folder INBOX, UIDVALIDITY now " + validity + " (was " + was + ")";
      }

      @Override
      public Set<MessageRef> delete(List<MessageRef> refs) {
        return Set.of();
      }

      @Override
      public boolean quit() {
        return true;
      }

      @Override
      public void close() {}
    }
  }

  /** A store that keeps no header fingerprints, as one an embedder writes may not. */
  private static final class WithoutFingerprints implements UidStore {
    private final UidStore delegate;

    WithoutFingerprints(UidStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<UidRecord> get(String uid) throws IOException {
      return delegate.get(uid);
    }

    @Override
    public void put(UidRecord record) throws IOException {
      delegate.put(record);
    }

    @Override
    public Optional<Instant> firstRun() throws IOException {
      return delegate.firstRun();
    }

    @Override
    public void recordFirstRun(Instant at) throws IOException {
      delegate.recordFirstRun(at);
    }

    @Override
    public Set<String> retainListed(Set<String> listed, Instant now) throws IOException {
      return delegate.retainListed(listed, now);
    }

    @Override
    public Map<String, byte[]> fingerprints(Set<String> uids) {
      return Map.of();
    }

    @Override
    public void sync() throws IOException {
      delegate.sync();
    }
  }
}
