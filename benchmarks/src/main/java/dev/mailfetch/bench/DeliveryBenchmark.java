package dev.mailfetch.bench;

import dev.mailfetch.imap.ImapAppendSink;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.smtp.LmtpSink;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Delivering a whole POP3 mailbox into another mail server, end to end over loopback: {@code
 * messages} typical messages (the corpus generator's, under 100 KB) served by the testkit's POP3
 * server in this JVM, delivered into a private Dovecot 2.3 (root and Dovecot's IMAP and LMTP
 * servers installed: .ci/run installs them) over IMAP ({@link ImapAppendSink}) and LMTP ({@link
 * LmtpSink}), each next to its ceiling ({@link BareDelivery}: pipelined RETR into pipelined {@code
 * APPEND … {n+}} or {@code BDAT … LAST}, replies read on a second thread, nothing else).
 *
 * <p>Each operation is one whole mailbox (single shot); after it the test checks that Dovecot holds
 * every message and empties the INBOX, outside the time. {@code imapsync} (IMAP to IMAP: it does
 * not read POP3) copies the same messages from a Dovecot folder into INBOX where it is installed;
 * where it is not, that row fails at once saying so, and {@code benchmarks/run.sh deliver} leaves
 * it out.
 *
 * <p>Run: {@code benchmarks/run.sh deliver} (docs/benchmarks.md, "Into IMAP and LMTP").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx3g"})
public class DeliveryBenchmark {
  private static final String SOURCE_FOLDER = "Source";

  @Param({"10000"})
  int messages;

  /**
   * How Dovecot saves: without fsync (the default here: the client is measured, not a shared disk)
   * or with Dovecot's durable defaults ("as deployed").
   */
  @Param({"NO_FSYNC"})
  PrivateDovecot.Saving saving;

  MailCorpus corpus;

  private FakePop3Server pop3;
  private PrivateDovecot dovecot;
  private Contenders.Server source;
  private Path journals;
  private int round;

  @Setup(Level.Trial)
  public void start() throws Exception {
    corpus = EndToEndBenchmark.typical(messages);
    pop3 = FakePop3Server.builder().account("alice", "bench", corpus.toMailbox()).start();
    source = new Contenders.Server("localhost", pop3.port(), "alice", "bench", null);
    // The same messages in a folder of Dovecot's own, for imapsync (which reads IMAP only).
    boolean imapsync = imapsyncPath() != null;
    dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP, PrivateDovecot.Service.LMTP),
            maildir -> {
              if (imapsync) {
                corpus.writeMaildir(maildir.resolve("." + SOURCE_FOLDER));
              }
            },
            TestCertificates.generate(),
            saving);
    if (imapsync) {
      dovecot.doveadm("mailbox", "status", "messages", SOURCE_FOLDER); // index it before timing
    }
    journals = Files.createTempDirectory("mailfetch-deliver");
  }

  PrivateDovecot dovecot() {
    return dovecot;
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    if (pop3 != null) {
      pop3.close();
    }
    if (dovecot != null) {
      dovecot.stop();
    }
    EndToEndBenchmark.delete(journals);
  }

  /** Every message must have arrived; then the INBOX is emptied for the next operation. */
  @TearDown(Level.Invocation)
  public void checkAndEmpty() throws Exception {
    int stored = dovecot.files("INBOX").size();
    dovecot.doveadm("expunge", "mailbox", "INBOX", "all");
    if (stored != messages) {
      throw new IllegalStateException(
          "Dovecot holds " + stored + " messages in INBOX, not " + messages);
    }
  }

  @Benchmark
  public long bareImap() throws IOException {
    return BareDelivery.imap(
        source, "127.0.0.1", dovecot.imapPort(), PrivateDovecot.USER, PrivateDovecot.PASSWORD);
  }

  @Benchmark
  public long mailfetchImap() throws IOException {
    return mailfetchImap(true);
  }

  /** With or without the sink's journal (DeliveryRounds' row mailfetchImapNoJournal). */
  long mailfetchImap(boolean journal) throws IOException {
    ImapAppendSink.Builder b =
        ImapAppendSink.builder()
            .host("127.0.0.1")
            .port(dovecot.imapPort())
            .security(ImapSecurity.NONE)
            .allowPlaintextAuthentication(true)
            .user(PrivateDovecot.USER)
            .password(() -> PrivateDovecot.PASSWORD);
    if (journal) {
      b.journal(journals.resolve("imap-" + round++));
    }
    try (ImapAppendSink sink = b.build()) {
      return Contenders.mailfetch(source, sink);
    }
  }

  @Benchmark
  public long bareLmtp() throws IOException {
    return BareDelivery.lmtp(
        source, "127.0.0.1", dovecot.lmtpPort(), PrivateDovecot.USER + "@localhost");
  }

  @Benchmark
  public long mailfetchLmtp() throws IOException {
    return mailfetchLmtp(true);
  }

  /** With or without the sink's journal (DeliveryRounds' row mailfetchLmtpNoJournal). */
  long mailfetchLmtp(boolean journal) throws IOException {
    LmtpSink.Builder b =
        LmtpSink.builder()
            .host("127.0.0.1")
            .port(dovecot.lmtpPort())
            .recipients(PrivateDovecot.USER + "@localhost");
    if (journal) {
      b.journal(journals.resolve("lmtp-" + round++));
    }
    try (LmtpSink sink = b.build()) {
      return Contenders.mailfetch(source, sink);
    }
  }

  /** imapsync from Dovecot's folder Source into INBOX, where imapsync is installed. */
  @Benchmark
  public int imapsync() throws Exception {
    Path imapsync = imapsyncPath();
    if (imapsync == null) {
      throw new IllegalStateException(
          "imapsync is not installed here (not on PATH): this row is skipped");
    }
    List<String> command =
        List.of(
            imapsync.toString(),
            "--host1",
            "127.0.0.1",
            "--port1",
            Integer.toString(dovecot.imapPort()),
            "--user1",
            PrivateDovecot.USER,
            "--passfile1",
            passfile().toString(),
            "--host2",
            "127.0.0.1",
            "--port2",
            Integer.toString(dovecot.imapPort()),
            "--user2",
            PrivateDovecot.USER,
            "--passfile2",
            passfile().toString(),
            "--nossl1",
            "--nossl2",
            "--notls1",
            "--notls2",
            "--folder",
            SOURCE_FOLDER,
            "--regextrans2",
            "s/^" + SOURCE_FOLDER + "$/INBOX/",
            "--nolog",
            "--noreleasecheck");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(journals.resolve("imapsync.log").toFile())
            .start();
    int exit = p.waitFor();
    if (exit != 0) {
      throw new IllegalStateException(
          "imapsync failed (exit " + exit + "): see " + journals.resolve("imapsync.log"));
    }
    return exit;
  }

  private Path passfile() throws IOException {
    Path f = journals.resolve("imapsync.pass");
    if (!Files.exists(f)) {
      Files.writeString(f, PrivateDovecot.PASSWORD + "\n");
    }
    return f;
  }

  /** imapsync on the PATH, or null. */
  static Path imapsyncPath() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "imapsync");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
