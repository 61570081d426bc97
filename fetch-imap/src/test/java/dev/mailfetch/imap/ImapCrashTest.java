package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailfetch.testkit.CrashProof;
import dev.mailfetch.testkit.DeliveryTally;
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
 * Exactly once into IMAP, proven with real processes ({@link CrashProof}): a child JVM ({@link
 * ImapCrashChild}) fetches 1,000 messages from the testkit's POP3 server into a private Dovecot's
 * IMAP INBOX through an {@link ImapAppendSink} with its journal, in delete mode, and is killed with
 * SIGKILL at random moments, 50 times, then runs to the end. At every kill each message gone from
 * the POP3 server is in Dovecot's storage; at the end every message is there exactly once, byte for
 * byte, and none is left on the POP3 server. Skipped where Dovecot's IMAP server cannot run.
 *
 * <p>Reproducible: {@code -Dmailfetch.imap.crash.seed=N} (printed) chooses the mailbox and the
 * moments; {@code -Dmailfetch.imap.crash.kills} and {@code -Dmailfetch.imap.crash.messages} make a
 * longer run.
 */
@Timeout(900)
class ImapCrashTest {
  static final String ACCOUNT = "alice@imap-crash-test";
  private static final String PASSWORD = "crash test password";
  private static final long SEED = Long.getLong("mailfetch.imap.crash.seed", 19L);
  private static final int KILLS = Integer.getInteger("mailfetch.imap.crash.kills", 50);
  private static final int MESSAGES = Integer.getInteger("mailfetch.imap.crash.messages", 1000);

  /** Sessions of twenty messages in batches of five: sessions end (and delete) between kills. */
  private static final int PER_SESSION = 20;

  @TempDir Path tmp;

  @Test
  void deleteMode_sigkillAtRandomMoments_everyMessageInTheImapMailboxOnce_noneLeftOnTheServer()
      throws Exception {
    System.out.println(
        "IMAP crash test: seed " + SEED + " (-Dmailfetch.imap.crash.seed=" + SEED + " repeats it)");
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP), maildir -> {}, TestCertificates.generate());
    CrashProof.Report r;
    try {
      r =
          CrashProof.builder(
                  ImapCrashChild.class,
                  MailCorpus.generate(SEED, MESSAGES),
                  DeliveryTally.Arrival.IMAP,
                  dovecot)
              .pop3Password(PASSWORD)
              .childArgs(
                  pop3Port ->
                      List.of(
                          Integer.toString(pop3Port),
                          Integer.toString(dovecot.imapPort()),
                          tmp.resolve("imap-journal").toString(),
                          tmp.resolve("state").toString(),
                          Integer.toString(PER_SESSION)))
              .env(
                  Map.of(
                      "CRASH_TEST_PASSWORD",
                      PASSWORD,
                      "CRASH_TEST_IMAP_PASSWORD",
                      PrivateDovecot.PASSWORD))
              .kills(KILLS)
              .seed(SEED)
              .run();
    } finally {
      dovecot.stop();
    }
    System.out.println("IMAP crash test: " + r);
    assertEquals(KILLS, r.kills(), r::toString);
    assertEquals(0, r.deletedBeforeDelivery(), r::toString);
    assertEquals(0, r.counts().lost(), r::toString);
    assertEquals(0, r.counts().foreign(), r::toString);
    assertEquals(0, r.leftOnServer(), r::toString);
    // The goal for IMAP: a delivery in doubt is looked up on the server before it is appended
    // again.
    assertEquals(0, r.counts().twice(), r::toString);
  }
}
