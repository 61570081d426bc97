package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.sink.MaildirSink;
import dev.mailfetch.testkit.DeliveryTally;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder renumbered by the server ({@code UIDVALIDITY} changed, every message under a new UID)
 * re-downloads nothing the sink holds: 1,000 messages are fetched from a private Dovecot's INBOX
 * into a Maildir, Dovecot renumbers the INBOX ({@link PrivateDovecot#renumber}: its uidlist and
 * indexes gone, the files under new names in another order, so the new UIDs do not follow the old
 * ones; the new UIDVALIDITY read with IMAP {@code STATUS}), and a second fetch recognises all 1,000
 * by their header fingerprint: none delivered again, the Maildir still holds each message once,
 * byte for byte, and the run's warning says the folder was renumbered and how many were recognised.
 * Skipped where Dovecot's IMAP server cannot run.
 */
@Timeout(300)
class ImapSourceRenumberingTest {
  private static final int MESSAGES = Integer.getInteger("mailfetch.imap.renumber.messages", 1000);

  @TempDir Path tmp;

  @Test
  void uidValidityChanged_thousandHeldMessages_noneDownloadedAgain_warningSaysRenumbered()
      throws Exception {
    MailCorpus corpus = MailCorpus.generate(2020, MESSAGES);
    DeliveryTally tally = DeliveryTally.of(corpus, DeliveryTally.Arrival.IMAP_FETCH);
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP),
            corpus::writeMaildir,
            TestCertificates.generate());
    try {
      Path maildir = tmp.resolve("Maildir");
      FetchResult first = fetch(dovecot, maildir);
      assertEquals(MESSAGES, first.count(MessageOutcome.Kind.DELIVERED), first::summary);
      DeliveryTally.Counts before = tally.compare(tally.stored(maildir));
      assertEquals(0, before.lost() + before.twice() + before.foreign(), before::toString);

      long oldValidity = statusUidValidity(dovecot);
      dovecot.awaitSessionsEnded(Duration.ofSeconds(30));
      dovecot.renumber("INBOX");
      long newValidity = statusUidValidity(dovecot);
      assertNotEquals(oldValidity, newValidity, "Dovecot did not change UIDVALIDITY");

      FetchResult second = fetch(dovecot, maildir);
      System.out.println(
          "renumbering test: UIDVALIDITY "
              + oldValidity
              + " -> "
              + newValidity
              + "; second run: "
              + second.summary()
              + "; warnings: "
              + second.warnings().stream().map(FetchException::getMessage).toList());
      assertEquals(MESSAGES, second.listed(), second::summary);
      assertEquals(0, second.count(MessageOutcome.Kind.DELIVERED), second::summary);
      assertEquals(0, second.count(MessageOutcome.Kind.DUPLICATE), second::summary);
      assertEquals(MESSAGES, second.count(MessageOutcome.Kind.ALREADY_SEEN), second::summary);
      DeliveryTally.Counts after = tally.compare(tally.stored(maildir));
      assertEquals(0, after.lost() + after.twice() + after.foreign(), after::toString);
      String warnings =
          second.warnings().stream()
              .map(FetchException::getMessage)
              .collect(Collectors.joining("\n"));
      assertTrue(warnings.contains("renumbered"), warnings);
      assertTrue(warnings.contains("INBOX"), warnings);
      // How many were recognised, said of the renumbered folder itself.
      assertTrue(
          Pattern.compile("INBOX[^;]*\\b(1,000|1000) recognised").matcher(warnings).find(),
          "the warning says how many of INBOX's were recognised: " + warnings);
    } finally {
      dovecot.stop();
    }
  }

  private FetchResult fetch(PrivateDovecot dovecot, Path maildir) throws Exception {
    ImapSource source =
        ImapSource.builder()
            .host("127.0.0.1")
            .port(dovecot.imapPort())
            .security(ImapSecurity.NONE)
            .allowPlaintextAuthentication(true)
            .user(PrivateDovecot.USER)
            .password(() -> PrivateDovecot.PASSWORD)
            .account("alice@imap-renumbering-test")
            .build();
    try (MaildirSink sink = MaildirSink.open(maildir);
        JournalUidStore store = JournalUidStore.open(tmp.resolve("state"))) {
      return Fetcher.builder()
          .source(source)
          .sink(sink)
          .uidStore(store)
          .retention(Retention.KEEP)
          .build()
          .run();
    }
  }

  /** The INBOX's UIDVALIDITY as IMAP's {@code STATUS} reports it. */
  private static long statusUidValidity(PrivateDovecot dovecot) throws IOException {
    try (Socket s = new Socket("127.0.0.1", dovecot.imapPort());
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII)) {
      in.readLine(); // greeting
      out.write("a LOGIN " + PrivateDovecot.USER + " \"" + PrivateDovecot.PASSWORD + "\"\r\n");
      out.write("b STATUS INBOX (UIDVALIDITY MESSAGES)\r\nc LOGOUT\r\n");
      out.flush();
      Pattern status = Pattern.compile("^\\* STATUS .*UIDVALIDITY (\\d+)");
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        Matcher m = status.matcher(line);
        if (m.find()) {
          return Long.parseLong(m.group(1));
        }
      }
      throw new IOException("Dovecot sent no STATUS with UIDVALIDITY");
    }
  }
}
