package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * At least once into LMTP, and the duplicates counted, with real processes ({@link CrashProof}): a
 * child JVM ({@link LmtpCrashChild}) fetches 1,000 messages from the testkit's POP3 server into a
 * private Dovecot's LMTP server, over its Unix socket, through an {@link LmtpSink} with its
 * journal, in delete mode, and is killed with SIGKILL at random moments, 50 times, then runs to the
 * end. At every kill each message gone from the POP3 server is in Dovecot's storage; at the end
 * every message is in the INBOX, byte for byte (after the Return-Path line Dovecot adds), none is
 * left on the POP3 server, and the messages delivered twice are printed and held to the window
 * docs/sinks.md gives LMTP: a kill between the server's 250 for a message and the journal's record
 * of it, so at most one duplicate per kill. Skipped where Dovecot's LMTP server cannot run.
 *
 * <p>Reproducible: {@code -Dmailfetch.lmtp.crash.seed=N} (printed) chooses the mailbox and the
 * moments; {@code -Dmailfetch.lmtp.crash.kills} and {@code -Dmailfetch.lmtp.crash.messages} make a
 * longer run.
 */
@Timeout(900)
class LmtpCrashTest {
  static final String ACCOUNT = "alice@lmtp-crash-test";
  private static final String PASSWORD = "crash test password";
  private static final long SEED = Long.getLong("mailfetch.lmtp.crash.seed", 19L);
  private static final int KILLS = Integer.getInteger("mailfetch.lmtp.crash.kills", 50);
  private static final int MESSAGES = Integer.getInteger("mailfetch.lmtp.crash.messages", 1000);

  /** Sessions of twenty messages in batches of five: sessions end (and delete) between kills. */
  private static final int PER_SESSION = 20;

  @TempDir Path tmp;

  @Test
  void deleteMode_sigkillAtRandomMoments_everyMessageDelivered_noneLeft_duplicatesWithinTheWindow()
      throws Exception {
    System.out.println(
        "LMTP crash test: seed " + SEED + " (-Dmailfetch.lmtp.crash.seed=" + SEED + " repeats it)");
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.LMTP), maildir -> {}, TestCertificates.generate());
    CrashProof.Report r;
    try {
      r =
          CrashProof.builder(
                  LmtpCrashChild.class,
                  MailCorpus.generate(SEED, MESSAGES),
                  DeliveryTally.Arrival.LMTP,
                  dovecot)
              .pop3Password(PASSWORD)
              .childArgs(
                  pop3Port ->
                      List.of(
                          Integer.toString(pop3Port),
                          dovecot.lmtpSocket().toString(),
                          tmp.resolve("lmtp-journal").toString(),
                          tmp.resolve("state").toString(),
                          Integer.toString(PER_SESSION),
                          PrivateDovecot.USER + "@localhost"))
              .env(Map.of("CRASH_TEST_PASSWORD", PASSWORD))
              .kills(KILLS)
              .seed(SEED)
              .run();
    } finally {
      dovecot.stop();
    }
    System.out.println(
        "LMTP crash test: "
            + r
            + "; duplicates: "
            + r.counts().twice()
            + " in "
            + r.kills()
            + " kills (the window allows one per kill)");
    assertEquals(KILLS, r.kills(), r::toString);
    assertEquals(0, r.deletedBeforeDelivery(), r::toString);
    assertEquals(0, r.counts().lost(), r::toString);
    assertEquals(0, r.counts().foreign(), r::toString);
    assertEquals(0, r.leftOnServer(), r::toString);
    assertTrue(r.counts().twice() <= r.kills(), r::toString);
  }
}
