package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapQuirk;
import dev.mailfetch.testkit.imap.ImapSeed;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the listing tolerates is also said: UIDs out of order (I04) are listed numbered in the order
 * they came, and the session notices the quirk for the run's report.
 */
class ImapSourceListingQuirksTest {
  private static FakeImapServer server(ImapQuirk quirk) {
    FakeImapServer.Builder b = FakeImapServer.builder().account("u", "p").quirk(quirk);
    for (int i = 1; i <= 3; i++) {
      b.message("u", "INBOX", ImapSeed.of("Subject: " + i + "\r\n\r\nbody " + i + "\r\n"));
    }
    return b.start();
  }

  private static ImapSource source(FakeImapServer imap) {
    return ImapSource.builder()
        .host(imap.host())
        .port(imap.port())
        .security(ImapSecurity.NONE)
        .allowPlaintextAuthentication(true)
        .user("u")
        .password(() -> "p")
        .build();
  }

  @Test
  void I04_uidsOutOfOrder_areListedNumberedAsTheyCame_andNoticed() throws Exception {
    try (FakeImapServer imap = server(ImapQuirk.I04_UIDS_OUT_OF_ORDER);
        FetchSession s = source(imap).open()) {
      List<MessageRef> listed = SourceProbe.list(s);
      assertEquals(3, listed.size());
      for (int i = 0; i < 3; i++) {
        assertEquals(i + 1, listed.get(i).number());
      }
      assertTrue(s.quirksNoticed().contains(QuirkId.I04), s.quirksNoticed().toString());
      assertEquals(List.of(), s.warnings());
    }
  }
}
