package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailfetch.testkit.CrashProof;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once from IMAP, proven with real processes ({@link CrashProof#fromDovecot}): a child JVM
 * ({@link ImapSourceCrashChild}) fetches 1,000 messages from a private Dovecot's IMAP INBOX (the
 * corpus written into its Maildir before it started) through an {@link ImapSource} into a {@code
 * MaildirSink}, with its state in a {@code JournalUidStore}, and is killed with SIGKILL at random
 * moments, 50 times, then runs to the end; once keeping the mail on the server, once deleting it
 * ({@link ImapDeletion#EXPUNGE}: {@code UID STORE +FLAGS.SILENT (\Deleted)}, {@code UID EXPUNGE}).
 * At every kill each message gone from Dovecot's storage is in the Maildir; at the end every
 * message is in the Maildir exactly once, byte for byte as Dovecot's own file (as IMAP serves it:
 * LF, NUL as 0x80), and in delete mode none is left in Dovecot's storage, in keep mode all are.
 * Skipped where Dovecot's IMAP server cannot run.
 *
 * <p>Reproducible: {@code -Dmailfetch.imap.source.crash.seed=N} (printed) chooses the mailbox and
 * the moments; {@code -Dmailfetch.imap.source.crash.kills} and {@code …messages} make a longer run.
 */
@Timeout(600)
class ImapSourceCrashTest {
  static final String ACCOUNT = "alice@imap-source-crash-test";
  private static final long SEED = Long.getLong("mailfetch.imap.source.crash.seed", 20L);
  private static final int KILLS = Integer.getInteger("mailfetch.imap.source.crash.kills", 50);
  private static final int MESSAGES =
      Integer.getInteger("mailfetch.imap.source.crash.messages", 1000);

  /** Sessions of twenty messages in batches of five: sessions end (and expunge) between kills. */
  private static final int PER_SESSION = 20;

  @TempDir Path tmp;

  @Test
  void keepMode_sigkillAtRandomMoments_everyMessageInTheMaildirOnce_allLeftOnTheServer()
      throws Exception {
    CrashProof.Report r = prove("keep", SEED);
    assertEquals(MESSAGES, r.leftOnServer(), r::toString);
  }

  @Test
  void deleteMode_sigkillAtRandomMoments_everyMessageInTheMaildirOnce_noneLeftOnTheServer()
      throws Exception {
    CrashProof.Report r = prove("delete", SEED + 1);
    assertEquals(0, r.deletedBeforeDelivery(), r::toString);
    assertEquals(0, r.leftOnServer(), r::toString);
  }

  private CrashProof.Report prove(String mode, long seed) throws Exception {
    System.out.println(
        "IMAP source crash test ("
            + mode
            + "): seed "
            + seed
            + " (-Dmailfetch.imap.source.crash.seed="
            + SEED
            + " repeats it)");
    MailCorpus corpus = MailCorpus.generate(seed, MESSAGES);
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP),
            corpus::writeMaildir,
            TestCertificates.generate());
    CrashProof.Report r;
    try {
      r =
          CrashProof.fromDovecot(ImapSourceCrashChild.class, corpus, dovecot)
              .intoMaildir(tmp.resolve("Maildir"))
              .keepMode(mode.equals("keep"))
              .childArgs(
                  imapPort ->
                      List.of(
                          Integer.toString(imapPort),
                          tmp.resolve("Maildir").toString(),
                          tmp.resolve("state").toString(),
                          Integer.toString(PER_SESSION),
                          mode))
              .env(Map.of("CRASH_TEST_IMAP_PASSWORD", PrivateDovecot.PASSWORD))
              .kills(KILLS)
              .seed(seed)
              .run();
    } finally {
      dovecot.stop();
    }
    System.out.println("IMAP source crash test (" + mode + "): " + r);
    assertEquals(KILLS, r.kills(), r::toString);
    assertEquals(0, r.deletedBeforeDelivery(), r::toString);
    assertEquals(0, r.counts().lost(), r::toString);
    assertEquals(0, r.counts().foreign(), r::toString);
    assertEquals(0, r.counts().twice(), r::toString);
    return r;
  }
}
