package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.TestCertificates;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The ordinary path against GreenMail 2.1 in the JVM, POP3 and POP3S. GreenMail re-serialises what
 * RETR sends (and trims it), so this checks what it keeps: every message arrives with its headers
 * and body text, UIDL lets a second run skip everything, and deletion works. Byte exactness is
 * proven against the fake server and Dovecot instead. Workarounds for GreenMail's own bugs: a
 * password without spaces (GreenMail never logs one in), QUIT always sent (it keeps DELE across a
 * dropped connection).
 */
@Isolated
@Timeout(60)
class GreenMailInteropTest {
  private static final String PASSWORD = "greenmail-pw";
  private GreenMail greenMail;
  private final List<String> subjects = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    // GreenMail presents the test CA's certificate for localhost, so no trust has to be switched
    // off.
    Path keystore = Files.createTempFile("greenmail", ".p12");
    Pop3SourceTest.CERTS.writeServerKeyStore(
        TestCertificates.Profile.VALID, keystore, "changeit".toCharArray());
    System.setProperty("greenmail.tls.keystore.file", keystore.toString());
    System.setProperty("greenmail.tls.keystore.password", "changeit");
    System.setProperty("greenmail.tls.key.password", "changeit");
    greenMail =
        new GreenMail(
            new ServerSetup[] {
              ServerSetupTest.POP3.dynamicPort(), ServerSetupTest.POP3S.dynamicPort()
            });
    greenMail.start();
    GreenMailUser user = greenMail.setUser("alice@localhost", "alice", PASSWORD);
    Session session = Session.getInstance(new Properties());
    for (int i = 1; i <= 12; i++) {
      String subject = "GreenMail interop " + i;
      subjects.add(subject);
      String raw =
          "From: sender@example.org\r\nTo: alice@localhost\r\nSubject: "
              + subject
              + "\r\nMessage-ID: <"
              + i
              + "@interop.test>\r\n\r\nBody of message "
              + i
              + ".\r\n..a line with dots\r\n";
      user.deliver(
          new MimeMessage(
              session, new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII))));
    }
  }

  @AfterEach
  void stop() {
    greenMail.stop();
  }

  private Pop3Source source(Security security) {
    ServerSetup setup =
        security == Security.IMPLICIT_TLS
            ? greenMail.getPop3s().getServerSetup()
            : greenMail.getPop3().getServerSetup();
    Pop3Source.Builder b =
        Pop3Source.builder()
            .host("localhost")
            .port(setup.getPort())
            .security(security)
            .user("alice")
            .password(() -> PASSWORD)
            .sslContext(Pop3SourceTest.CERTS.clientContext());
    if (security == Security.NONE) {
      b.allowPlaintextAuthentication(true);
    }
    return b.build();
  }

  private void fetchesEverything(Security security) {
    InMemorySink sink = InMemorySink.create();
    InMemoryUidStore store = InMemoryUidStore.create();
    Pop3Source source = source(security);
    FetchResult r =
        Fetcher.builder()
            .source(source)
            .sink(sink)
            .uidStore(store)
            .retention(Retention.KEEP)
            .build()
            .run();
    assertTrue(r.ok(), r::summary);
    assertEquals(12, r.count(MessageOutcome.Kind.DELIVERED));
    List<String> texts = new ArrayList<>();
    for (InMemorySink.StoredMessage m : sink.messages()) {
      texts.add(new String(m.content(), StandardCharsets.US_ASCII));
    }
    for (int i = 1; i <= 12; i++) {
      int n = i;
      assertTrue(
          texts.stream()
              .anyMatch(
                  t ->
                      t.contains("Subject: " + subjects.get(n - 1))
                          && t.contains("Message-ID: <" + n + "@interop.test>")
                          && t.contains("Body of message " + n + ".")
                          && t.contains("\r\n..a line with dots")),
          "message " + i);
    }
    FetchResult again =
        Fetcher.builder()
            .source(source)
            .sink(sink)
            .uidStore(store)
            .retention(Retention.KEEP)
            .build()
            .run();
    assertEquals(12, again.count(MessageOutcome.Kind.ALREADY_SEEN), again::summary);
    FetchResult delete =
        Fetcher.builder()
            .source(source)
            .sink(sink)
            .uidStore(store)
            .retention(Retention.DELETE_AFTER_DELIVERY)
            .build()
            .run();
    assertTrue(delete.ok(), delete::summary);
    assertEquals(12, delete.deleted());
    assertEquals(12, sink.size(), "nothing delivered twice");
  }

  /**
   * The doctor finds GreenMail's POP3S healthy (warnings are its known deviations), deep included.
   */
  @Test
  void doctor_findsGreenMailHealthy() {
    Diagnosis d =
        Pop3Doctor.builder()
            .source(source(Security.IMPLICIT_TLS))
            .otherPorts()
            .deep(true)
            .build()
            .examine();
    System.out.println(d.report()); // the report in the test log, for a reader of CI output
    assertTrue(d.healthy(), d::report);
    assertEquals(0, d.exitCode());
    assertEquals(12, greenMail.getReceivedMessages().length, "the doctor deleted nothing");
  }

  @Test
  void pop3_fetchesEverything_seesItAsSeen_andDeletes() {
    fetchesEverything(Security.NONE);
  }

  @Test
  void pop3s_fetchesEverything_seesItAsSeen_andDeletes() {
    fetchesEverything(Security.IMPLICIT_TLS);
  }
}
