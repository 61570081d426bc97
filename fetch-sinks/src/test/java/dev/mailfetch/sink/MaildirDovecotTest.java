package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.Retention;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dovecot reads what {@link MaildirSink} writes: its folders (labels) as mailboxes, the archive
 * outside the inbox, and every message of the inbox byte for byte over POP3. Skipped, with the
 * reason, where Dovecot is not installed or the test does not run as root.
 */
@Timeout(120)
class MaildirDovecotTest {
  private static final String ACCOUNT = "alice@dovecot-test";

  @Test
  void dovecotReadsTheMaildir_itsLabelFolders_andEveryInboxMessageByteForByte() throws Exception {
    MailCorpus corpus = MailCorpus.generate(41, 60);
    List<MailCorpus.Message> inbox = new ArrayList<>();
    int[] work = {0};
    int[] javaList = {0};
    int[] archivedBare = {0};
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            maildir -> {
              try (MaildirSink sink = MaildirSink.open(maildir)) {
                int i = 0;
                for (MailCorpus.Message m : corpus.messages()) {
                  Set<String> labels = new HashSet<>();
                  if (i % 3 == 0) {
                    labels.add("Work");
                    work[0]++;
                  }
                  if (i % 5 == 0) {
                    labels.add("Lists/Java");
                    javaList[0]++;
                  }
                  boolean archived = i % 7 == 0;
                  if (archived && labels.isEmpty()) {
                    archivedBare[0]++;
                  }
                  if (!archived) {
                    inbox.add(m);
                  }
                  Delivery d =
                      sink.begin(new Envelope(ACCOUNT, m.uid(), m.size(), labels, archived));
                  d.write(ByteBuffer.wrap(MailCorpus.toLf(m.content())));
                  d.complete(DeliveryKey.of(ACCOUNT, m.uid()));
                  i++;
                }
                sink.sync();
              }
            },
            TestCertificates.generate());
    try {
      String list = dovecot.doveadm("mailbox", "list");
      for (String box : List.of("INBOX", "Work", "Lists.Java", "Archive")) {
        assertTrue(
            list.lines().anyMatch(l -> l.strip().equals(box)),
            "Dovecot lists " + box + ": " + list);
      }
      assertEquals(work[0], count(dovecot, "Work"));
      assertEquals(javaList[0], count(dovecot, "Lists.Java"));
      assertEquals(archivedBare[0], count(dovecot, "Archive"));
      assertEquals(inbox.size(), count(dovecot, "INBOX"));

      Pop3Source pop3 =
          Pop3Source.builder()
              .host("127.0.0.1")
              .port(dovecot.port())
              .security(Security.NONE)
              .allowPlaintextAuthentication(true)
              .user(PrivateDovecot.USER)
              .password(() -> PrivateDovecot.PASSWORD)
              .build();
      InMemorySink fetched = InMemorySink.create();
      FetchResult r =
          Fetcher.builder()
              .source(pop3)
              .sink(fetched)
              .uidStore(InMemoryUidStore.create())
              .retention(Retention.KEEP)
              .build()
              .run();
      assertTrue(r.ok(), r::summary);
      assertEquals(inbox.size(), fetched.size());
      List<byte[]> got = new ArrayList<>();
      fetched.messages().forEach(m -> got.add(m.content()));
      for (MailCorpus.Message m : inbox) {
        assertTrue(
            got.stream().anyMatch(b -> Arrays.equals(b, m.content())),
            "Dovecot serves " + m.uid() + " exactly as it was sent");
      }
    } finally {
      dovecot.stop();
    }
  }

  private static int count(PrivateDovecot dovecot, String mailbox) throws Exception {
    String out = dovecot.doveadm("mailbox", "status", "messages", mailbox).strip();
    return Integer.parseInt(out.substring(out.indexOf("messages=") + 9).split("\\s")[0]);
  }
}
