package dev.mailfetch.bench;

import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.UidRecord;
import dev.mailfetch.api.UidStore;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.ImapSource;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A poll with nothing new of a large IMAP folder: {@code messages} (100,000) small messages in a
 * private Dovecot's INBOX, fetched once (timed: the first run), then polled again and again with
 * the same in-memory state, alternately with the mailbox mark ({@code withMark}: the engine's
 * {@code MailboxMarks} shortcut, a {@code STATUS} compared with the mark the last run left) and
 * without it ({@code withoutMark}: the same state with its mark hidden, so the run lists every UID
 * and looks each up). Then a poll that finds ONE new message (written into the Maildir before the
 * shot): {@code oneNewIncremental} with the mark (the listing is {@code UID FETCH <the mark's
 * UIDNEXT>:*}, docs/imap.md "Fast nothing new") and {@code oneNewFull} with the mark hidden (every
 * UID listed, as before incremental listings; without the STATUS round trip the mark costs); the
 * new message is indexed by Dovecot before the shot (after 2.5 s, as a poll comes some time after
 * the delivery), as its LMTP delivery would have it. Each such shot is followed by an untimed run
 * with the mark, so the next begins from a current mark. Prints each shot, then each row's minimum
 * and median.
 *
 * <pre>{@code
 * java -Dmessages=100000 -Dshots=5 -cp benchmarks/target/benchmarks.jar dev.mailfetch.bench.ImapPollRounds
 * }</pre>
 */
public final class ImapPollRounds {
  private ImapPollRounds() {}

  public static void main(String[] args) throws Exception {
    int messages = Integer.getInteger("messages", 100_000);
    int shots = Integer.getInteger("shots", 5);
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP),
            maildir -> writeSmall(maildir, messages),
            TestCertificates.generate(),
            PrivateDovecot.Saving.NO_FSYNC);
    try {
      dovecot.doveadm("mailbox", "status", "messages", "INBOX"); // indexed before any timing
      ImapSource source =
          ImapSource.builder()
              .host("127.0.0.1")
              .port(dovecot.imapPort())
              .security(ImapSecurity.NONE)
              .allowPlaintextAuthentication(true)
              .user(PrivateDovecot.USER)
              .password(() -> PrivateDovecot.PASSWORD)
              .build();
      InMemoryUidStore store = InMemoryUidStore.create();
      long t0 = System.nanoTime();
      FetchResult first = run(source, store);
      System.out.printf(
          Locale.ROOT,
          "# %d small messages in Dovecot's INBOX; first run %.1f s: %s%n",
          messages,
          (System.nanoTime() - t0) / 1e9,
          first.summary());
      List<String> rows = List.of("withMark", "withoutMark", "oneNewIncremental", "oneNewFull");
      ImapSourceRounds.Shots table = new ImapSourceRounds.Shots(rows, 1);
      UidStore hidden = new WithoutMark(store);
      int arrived = 0;
      for (int i = 0; i < shots; i++) {
        List<String> order = new ArrayList<>(rows);
        if (i % 2 == 1) {
          Collections.reverse(order);
        }
        for (String row : order) {
          boolean oneNew = row.startsWith("oneNew");
          if (oneNew) {
            writeOne(dovecot.maildir(), messages + arrived++);
            // Indexed by Dovecot before the shot, as an LMTP delivery is, once the directory's
            // mtime is old enough to be trusted (Dovecot scans a Maildir directory changed within
            // the last seconds again at every access: 100,000 file names, 0.5 to 1 s here). The
            // shot times the poll, not Dovecot's scan after a file was dropped into new/.
            Thread.sleep(2_500);
            dovecot.doveadm("mailbox", "status", "messages", "INBOX");
          }
          boolean marked = row.equals("withMark") || row.equals("oneNewIncremental");
          long t = System.nanoTime();
          FetchResult r = run(source, marked ? store : hidden);
          double s = (System.nanoTime() - t) / 1e9;
          if (oneNew) {
            run(source, store); // untimed: the mark catches up with the new message
          }
          table.add(row, s);
          System.out.printf(
              Locale.ROOT,
              "shot %d %-17s %8.3f s  listed %d, delivered %d, unchanged %s  load %s%n",
              i + 1,
              row,
              s,
              r.listed(),
              r.count(dev.mailfetch.api.MessageOutcome.Kind.DELIVERED),
              r.unchanged(),
              ImapSourceRounds.Shots.load());
        }
      }
      table.print("withoutMark");
    } finally {
      dovecot.stop();
    }
  }

  private static FetchResult run(ImapSource source, UidStore store) {
    FetchResult r =
        Fetcher.builder()
            .source(source)
            .sink(InMemorySink.create())
            .uidStore(store)
            .retention(Retention.KEEP)
            // the folder grows past 100,000 (the default cap) as the oneNew rows add to it
            .limits(FetchLimits.builder().maxListing(1_000_000).build())
            .build()
            .run();
    if (!r.ok()) {
      throw new IllegalStateException("mailfetch failed: " + r.summary());
    }
    return r;
  }

  /** Small messages, one file each, straight into the Maildir's new/. */
  private static void writeSmall(Path maildir, int count) throws IOException {
    for (String d : new String[] {"tmp", "new", "cur"}) {
      Files.createDirectories(maildir.resolve(d));
    }
    for (int i = 0; i < count; i++) {
      writeOne(maildir, i);
    }
  }

  /** Message {@code i}, small, as a file in the Maildir's new/, as a delivery agent puts it. */
  private static void writeOne(Path maildir, int i) throws IOException {
    String m =
        "From: sender"
            + (i % 97)
            + "@example.com\nTo: alice@example.com\nSubject: message "
            + i
            + "\nMessage-ID: <"
            + i
            + "@poll.example>\nDate: Sun, 6 Dec 2026 12:00:00 +0000\n\nBody of message "
            + i
            + ".\n";
    Files.writeString(
        maildir
            .resolve("new")
            .resolve(String.format(Locale.ROOT, "%d.M%06dP1.poll", 1_700_000_000L + i, i)),
        m,
        StandardCharsets.US_ASCII);
  }

  /** A state with its mailbox mark hidden: every poll lists. */
  private record WithoutMark(UidStore store) implements UidStore {
    @Override
    public Optional<UidRecord> get(String uid) throws IOException {
      return store.get(uid);
    }

    @Override
    public void put(UidRecord record) throws IOException {
      store.put(record);
    }

    @Override
    public Optional<Instant> firstRun() throws IOException {
      return store.firstRun();
    }

    @Override
    public void recordFirstRun(Instant at) throws IOException {
      store.recordFirstRun(at);
    }

    @Override
    public Set<String> retainListed(Set<String> listed, Instant now) throws IOException {
      return store.retainListed(listed, now);
    }

    @Override
    public boolean keepsFingerprints() {
      return store.keepsFingerprints();
    }

    @Override
    public void recordFingerprint(String uid, byte[] fingerprint) throws IOException {
      store.recordFingerprint(uid, fingerprint);
    }

    @Override
    public Map<String, byte[]> fingerprints(Set<String> uids) throws IOException {
      return store.fingerprints(uids);
    }

    @Override
    public void sync() throws IOException {
      store.sync();
    }
  }
}
