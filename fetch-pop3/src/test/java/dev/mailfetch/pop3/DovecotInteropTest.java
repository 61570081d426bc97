package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.RequiresDovecot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The client against a real Dovecot on loopback: plain text, STLS and implicit TLS, every message
 * compared byte for byte with its Maildir file (Dovecot keeps LF line ends and serves CRLF, so the
 * fetched message with CRLF made LF must equal the file). Skipped, with the reason in the report,
 * where Dovecot is not installed or the tests do not run as root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
@RequiresDovecot
class DovecotInteropTest {
  private final MailCorpus corpus = MailCorpus.generate(2026, 300);
  private PrivateDovecot dovecot;

  @BeforeAll
  void start() throws Exception {
    dovecot = PrivateDovecot.start(corpus, Pop3SourceTest.CERTS);
  }

  @AfterAll
  void stop() throws Exception {
    if (dovecot != null) {
      dovecot.stop();
    }
  }

  private Pop3Source.Builder client(Security security) {
    Pop3Source.Builder b =
        Pop3Source.builder()
            .host("localhost")
            .security(security)
            .port(security == Security.IMPLICIT_TLS ? dovecot.tlsPort() : dovecot.port())
            .user(PrivateDovecot.USER)
            .password(() -> PrivateDovecot.PASSWORD)
            .sslContext(Pop3SourceTest.CERTS.clientContext())
            .limits(Pop3Limits.builder().commandTimeout(Duration.ofSeconds(30)).build());
    if (security == Security.NONE) {
      b.allowPlaintextAuthentication(true);
    }
    return b;
  }

  private void fetchesEveryMessageByteExact(Security security) throws Exception {
    fetchesEveryMessageByteExact(client(security));
  }

  private void fetchesEveryMessageByteExact(Pop3Source.Builder source) throws Exception {
    assertEquals(corpus.messages().size(), dovecot.files().size());
    InMemorySink sink = InMemorySink.create();
    FetchResult r =
        Fetcher.builder()
            .source(source.build())
            .sink(sink)
            .uidStore(InMemoryUidStore.create())
            .retention(Retention.KEEP)
            .build()
            .run();
    assertTrue(r.ok(), r::summary);
    assertEquals(corpus.messages().size(), r.count(MessageOutcome.Kind.DELIVERED));
    assertTrue(
        r.quirks().isEmpty() || r.quirks().equals(Set.of(QuirkId.Q12)),
        "Dovecot is compliant: " + r.quirks());
    List<byte[]> fetched = new ArrayList<>();
    for (InMemorySink.StoredMessage m : sink.messages()) {
      fetched.add(MailCorpus.toLf(m.content()));
    }
    // The Maildir files hold the corpus with LF line ends (Dovecot moves them to cur/ once read),
    // and Dovecot lists them in file-name order, which is corpus order.
    for (int i = 0; i < corpus.messages().size(); i++) {
      assertArrayEquals(
          MailCorpus.toLf(corpus.messages().get(i).content()),
          fetched.get(i),
          "message " + (i + 1));
    }
  }

  /**
   * The doctor finds Dovecot healthy, deep examination included, with no warning beyond plain text.
   */
  @Test
  void doctor_findsDovecotHealthy_inEverySecurityMode() throws Exception {
    for (Security security : Security.values()) {
      Diagnosis d =
          Pop3Doctor.builder()
              .source(client(security).build())
              .otherPorts()
              .deep(true)
              .build()
              .examine();
      System.out.println(d.report()); // the report in the test log, for a reader of CI output
      assertTrue(d.healthy(), d::report);
      assertEquals(0, d.exitCode());
      for (Diagnosis.Finding f : d.findings()) {
        boolean expected =
            f.status() == Diagnosis.Status.OK
                || (security == Security.NONE && f.symptom() == Symptom.NOT_ENCRYPTED);
        assertTrue(expected, () -> security + ": " + f + "\n" + d.report());
      }
      assertTrue(d.report().contains("Healthy") || security == Security.NONE, d::report);
    }
    assertEquals(corpus.messages().size(), dovecot.files().size(), "the doctor deleted nothing");
  }

  @Test
  void plainText_everyMessageByteExact() throws Exception {
    fetchesEveryMessageByteExact(Security.NONE);
  }

  @Test
  void stls_everyMessageByteExact() throws Exception {
    fetchesEveryMessageByteExact(Security.STARTTLS);
  }

  @Test
  void implicitTls_everyMessageByteExact() throws Exception {
    fetchesEveryMessageByteExact(Security.IMPLICIT_TLS);
  }

  @Test
  void cramMd5_overAPlainConnection_everyMessageByteExact() throws Exception {
    fetchesEveryMessageByteExact(client(Security.NONE).mechanisms(AuthMechanism.CRAM_MD5));
  }
}
