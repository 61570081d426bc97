package dev.mailfetch.bench;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.ImapSource;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Fetching 1,000 small messages (under 8 KB) from a private Dovecot's IMAP INBOX {@code rtt}
 * milliseconds away (a {@link DelayRelay} on loopback in front of it), as {@link LatencyBenchmark}
 * does for POP3: a client that waits for each reply pays a round trip per message, a pipelined one
 * about one per window. Nothing is written to disk, so that the round trips show alone: {@code
 * bareImap} ({@link BareImapFetch}, 64 UIDs per {@code UID FETCH}, two in flight, counting the
 * bytes), {@code mailfetchImap} ({@link ImapSource} through the engine into a counting sink, keep
 * mode, a fresh in-memory state), {@code angusImap} (Angus Mail's IMAP provider, {@code
 * partialfetch} off: one {@code FETCH} of the whole message at a time, {@code writeTo} a null
 * stream). Rows alternate (forwards, then backwards) within each round; prints each shot with the
 * load average, then per round trip each row's median and its ratio to {@code bareImap}.
 *
 * <pre>{@code
 * java -Drtt=10,1 -Drounds=2 -cp benchmarks/target/benchmarks.jar dev.mailfetch.bench.ImapLatencyRounds
 * }</pre>
 *
 * <p>Properties: {@code rtt} (a comma list of milliseconds, 10), {@code messages} (1000), {@code
 * rounds} (2), {@code rows} (a comma list).
 */
public final class ImapLatencyRounds {
  private ImapLatencyRounds() {}

  public static void main(String[] args) throws Exception {
    int messages = Integer.getInteger("messages", 1000);
    int rounds = Integer.getInteger("rounds", 2);
    List<String> rows =
        Arrays.asList(System.getProperty("rows", "bareImap,mailfetchImap,angusImap").split(","));
    List<Integer> rtts =
        Arrays.stream(System.getProperty("rtt", "10").split(",")).map(Integer::valueOf).toList();
    MailCorpus small = MailCorpus.generate(99, messages * 3).filter(m -> m.size() < 8 * 1024);
    int[] n = {0};
    MailCorpus corpus = small.filter(m -> n[0]++ < messages);
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP),
            corpus::writeMaildir,
            TestCertificates.generate(),
            PrivateDovecot.Saving.NO_FSYNC);
    long bytes = corpus.messages().stream().mapToLong(MailCorpus.Message::size).sum();
    System.out.printf(
        Locale.ROOT,
        "# %d messages (%d bytes) in Dovecot's INBOX, round trips %s ms, %d round(s) over %s%n",
        messages,
        bytes,
        rtts,
        rounds,
        rows);
    try {
      dovecot.doveadm("mailbox", "status", "messages", "INBOX"); // indexed before any timing
      for (String row : rows) { // warm-up, on loopback without delay
        shot(row, dovecot.imapPort(), messages, bytes);
      }
      for (int rtt : rtts) {
        try (DelayRelay relay =
            new DelayRelay(
                new InetSocketAddress("127.0.0.1", dovecot.imapPort()), Duration.ofMillis(rtt))) {
          ImapSourceRounds.Shots shots = new ImapSourceRounds.Shots(rows, messages);
          for (int r = 0; r < rounds; r++) {
            List<String> order = new ArrayList<>(rows);
            for (int pass = 0; pass < 2; pass++) {
              for (String row : order) {
                double s = shot(row, relay.port(), messages, bytes);
                shots.add(row, s);
                System.out.printf(
                    Locale.ROOT,
                    "rtt %d ms round %d %-14s %8.3f s  load %s%n",
                    rtt,
                    r + 1,
                    row,
                    s,
                    ImapSourceRounds.Shots.load());
              }
              Collections.reverse(order);
            }
          }
          System.out.printf(Locale.ROOT, "%n## round trip %d ms%n", rtt);
          shots.print("bareImap");
          System.out.println();
        }
      }
    } finally {
      dovecot.stop();
    }
  }

  /** One whole INBOX through {@code row}, in seconds; every message counted. */
  private static double shot(String row, int port, int messages, long corpusBytes)
      throws Exception {
    long t0 = System.nanoTime();
    long got =
        switch (row) {
          case "bareImap" -> {
            long bytes =
                BareImapFetch.fetch(
                    "127.0.0.1", port, PrivateDovecot.USER, PrivateDovecot.PASSWORD, null);
            yield bytes == corpusBytes ? messages : -bytes; // it counts bytes, not messages
          }
          case "mailfetchImap" -> mailfetch(port);
          case "angusImap" -> angus(port);
          default -> throw new IllegalArgumentException("no row " + row);
        };
    double s = (System.nanoTime() - t0) / 1e9;
    if (got != messages) {
      throw new IllegalStateException(row + " fetched " + got + " messages, not " + messages);
    }
    return s;
  }

  private static long mailfetch(int port) {
    ImapSource source =
        ImapSource.builder()
            .host("127.0.0.1")
            .port(port)
            .security(ImapSecurity.NONE)
            .allowPlaintextAuthentication(true)
            .user(PrivateDovecot.USER)
            .password(() -> PrivateDovecot.PASSWORD)
            .build();
    FetchResult r =
        Fetcher.builder()
            .source(source)
            .sink(new EngineBenchmark.CountingSink())
            .uidStore(InMemoryUidStore.create())
            .retention(Retention.KEEP)
            .batchSize(Integer.getInteger("bench.batch", 50))
            .build()
            .run();
    if (!r.ok()) {
      throw new IllegalStateException("mailfetch failed: " + r.summary());
    }
    return r.count(MessageOutcome.Kind.DELIVERED);
  }

  /** Angus Mail at its best, as in {@link ImapSourceRounds}, each message written nowhere. */
  private static long angus(int port) throws Exception {
    Properties props = new Properties();
    props.put("mail.imap.partialfetch", "false");
    props.put("mail.imap.peek", "true");
    props.put("mail.imap.connectiontimeout", "10000");
    Store store = Session.getInstance(props).getStore("imap");
    store.connect("127.0.0.1", port, PrivateDovecot.USER, PrivateDovecot.PASSWORD);
    Folder inbox = store.getFolder("INBOX");
    inbox.open(Folder.READ_ONLY);
    long count = 0;
    for (Message m : inbox.getMessages()) {
      m.writeTo(OutputStream.nullOutputStream());
      count++;
    }
    inbox.close(false);
    store.close();
    return count;
  }
}
