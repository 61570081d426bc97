package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.imap.ImapFolders;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapQuirk;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link FolderPlan} against the testkit's fake IMAP server where a real one will not do it on
 * demand: special uses on folders with names no heuristic knows (German), asked for with {@code
 * LIST … RETURN (SPECIAL-USE)}; a flat namespace (NIL delimiter, quirk I16); a {@code \Noselect}
 * level named.
 */
class FolderPlanFakeTest {
  private static final String USER = "kim";

  private static ImapSession login(FakeImapServer fake) throws FetchException {
    ImapSession s =
        ImapSession.open(
            new ImapSettings(
                fake.host(),
                fake.port(),
                ImapSecurity.NONE,
                null,
                ImapLimits.defaults(),
                USER,
                () -> "pw",
                null,
                true,
                null,
                ImapFailures.Role.SOURCE));
    s.login();
    return s;
  }

  @Test
  void specialUseAttributes_findTrashSentDraftsAndJunk_whateverTheirNames() throws Exception {
    try (FakeImapServer fake =
        FakeImapServer.builder()
            .capabilities(
                "IMAP4rev1", "AUTH=PLAIN", "SPECIAL-USE", "LIST-EXTENDED", "ENABLE", "UTF8=ACCEPT")
            .account(USER, "pw")
            .specialUse(USER, "Papierkorb", "\\Trash")
            .specialUse(USER, "Gesendet", "\\Sent")
            .specialUse(USER, "Entwurf", "\\Drafts")
            .specialUse(USER, "Werbung", "\\Junk")
            .folder(USER, "Arbeit")
            .start()) {
      try (ImapSession s = login(fake)) {
        List<PlannedFolder> plan = FolderPlan.of(ImapFolders.allExceptTrashSentDrafts(), s);
        assertEquals(
            List.of("INBOX", "Werbung", "Arbeit"), plan.stream().map(PlannedFolder::name).toList());
        assertEquals(new LabelDecision(Set.of(LabelDecision.JUNK), true), plan.get(1).labels());
        assertEquals(new LabelDecision(Set.of("Arbeit"), true), plan.get(2).labels());
        s.logout();
      }
      fake.awaitSessionsEnded(Duration.ofSeconds(5));
      String list = fake.lastSession().orElseThrow().commands("LIST").get(0).arguments();
      assertTrue(list.endsWith("RETURN (SPECIAL-USE)"), list);
    }
  }

  @Test
  void aFlatNamespace_withANilDelimiter_keepsNamesAsLabels() throws Exception {
    try (FakeImapServer fake =
            FakeImapServer.builder()
                .quirk(ImapQuirk.I16_NIL_DELIMITER)
                .account(USER, "pw")
                .folder(USER, "Reports 2026")
                .folder(USER, "Junk")
                .start();
        ImapSession s = login(fake)) {
      List<PlannedFolder> plan = FolderPlan.of(ImapFolders.named("Reports 2026", "Junk"), s);
      assertEquals(new LabelDecision(Set.of("Reports 2026"), true), plan.get(0).labels());
      assertTrue(plan.get(1).junk(), "Junk by its name: " + plan);
    }
  }

  @Test
  void aNoselectLevel_named_isAConfigurationError() throws Exception {
    try (FakeImapServer fake = FakeImapServer.builder().gmail().account(USER, "pw").start();
        ImapSession s = login(fake)) {
      FetchException e =
          assertThrows(FetchException.class, () -> FolderPlan.of(ImapFolders.named("[Gmail]"), s));
      assertEquals(FetchError.CONFIGURATION, e.error());
      assertTrue(e.getMessage().contains("cannot hold mail"), e.getMessage());
      assertTrue(e.getMessage().contains("\"[Gmail]/All Mail\""), e.getMessage());
    }
  }
}
