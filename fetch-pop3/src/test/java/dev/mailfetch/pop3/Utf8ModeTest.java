package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.TlsMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 6856: when CAPA offers UTF8, the client turns UTF-8 mode on before it logs in (the command is
 * valid in the AUTHORIZATION state), so a server such as Courier (quirk Q52) sends messages whose
 * header holds raw UTF-8 (RFC 6532) as they are, instead of a notice with the original attached;
 * the original bytes are stored.
 */
@Timeout(60)
class Utf8ModeTest {
  /** A message whose header holds raw UTF-8, and a dot-stuffed line for good measure. */
  static final byte[] GRUSSE =
      ("From: Jörg Müller <joerg@example.org>\r\nTo: Zoë <zoe@example.org>\r\n"
              + "Subject: Grüße aus Köln ✉\r\nMessage-ID: <grusse-1@example.org>\r\n\r\nHallo!\r\n.dotted\r\n")
          .getBytes(StandardCharsets.UTF_8);

  private static FakeMailbox mailbox() {
    return MailCorpus.generate(52, 6).toMailbox().add("grusse", GRUSSE);
  }

  @Test
  void Q52_theOriginalBytesAreStored_becauseUtf8IsSentBeforeTheLogin() {
    try (FakePop3Server s =
        Pop3SourceTest.server(mailbox())
            .quirk(Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8)
            .tls(TlsMode.STLS, Pop3SourceTest.CERTS)
            .start()) {
      List<FakeMailbox.Message> served = s.mailbox("alice").messages();
      InMemorySink sink = InMemorySink.create();
      FetchResult r =
          Pop3SourceTest.fetch(
              Pop3SourceTest.client(s, Security.STARTTLS).build(),
              sink,
              InMemoryUidStore.create(),
              Retention.KEEP);
      assertTrue(r.ok(), r::summary);
      assertEquals(served.size(), r.count(MessageOutcome.Kind.DELIVERED), r::summary);
      Map<String, byte[]> stored = Pop3SourceTest.byUid(sink);
      for (FakeMailbox.Message m : served) {
        assertArrayEquals(
            m.content(), stored.get(m.uid()), m.uid() + " stored byte for byte, not a notice");
      }
      List<String> lines = s.session(1).commandLines();
      int utf8 = lines.indexOf("UTF8");
      int login = 0;
      while (login < lines.size()
          && !lines.get(login).startsWith("AUTH")
          && !lines.get(login).startsWith("USER")) {
        login++;
      }
      assertTrue(
          utf8 > lines.indexOf("STLS") && utf8 < login,
          "UTF8 after TLS and before the login (RFC 6856: AUTHORIZATION state): " + lines);
      assertEquals(1, lines.stream().filter("UTF8"::equals).count(), lines::toString);
    }
  }

  @Test
  void utf8IsNotSent_toAServerWhoseCapaDoesNotOfferIt() {
    try (FakePop3Server s =
        Pop3SourceTest.server(FakeMailbox.create().add("plain", GRUSSE)).start()) {
      InMemorySink sink = InMemorySink.create();
      FetchResult r =
          Pop3SourceTest.fetch(
              Pop3SourceTest.client(s, Security.NONE).build(),
              sink,
              InMemoryUidStore.create(),
              Retention.KEEP);
      assertTrue(r.ok(), r::summary);
      assertFalse(
          s.session(1).commandLines().contains("UTF8"), s.session(1).commandLines().toString());
      assertArrayEquals(GRUSSE, Pop3SourceTest.byUid(sink).get("plain"));
    }
  }
}
