package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.imap.ImapFolders;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link FolderPlan} against GreenMail's IMAP, which marks no special use (no SPECIAL-USE): Trash,
 * Sent, Drafts and Junk are found by their usual names; folders created here, delimiter {@code .}.
 */
class FolderPlanGreenMailTest {
  private static GreenMailImap server;
  private static ImapSession session;

  private static final List<String> FOLDERS =
      List.of("Work", "Work.2026", "Trash", "Sent Items", "Drafts", "Spam", "Reisen ünd Pläne");

  @BeforeAll
  static void start() throws Exception {
    server = new GreenMailImap();
    session = ImapSession.open(server.plain());
    session.login();
    for (String f : FOLDERS) {
      session.ok(session.commands().create(f));
    }
  }

  @AfterAll
  static void stop() {
    if (session != null) {
      session.logout();
    }
    if (server != null) {
      server.close();
    }
  }

  private static PlannedFolder find(List<PlannedFolder> plan, String name) {
    return plan.stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not planned: " + plan));
  }

  @Test
  void inbox_isInboxAlone() throws Exception {
    assertEquals(List.of(PlannedFolder.inbox()), FolderPlan.of(ImapFolders.inbox(), session));
  }

  @Test
  void allExceptTrashSentDrafts_withoutSpecialUse_goesByTheUsualNames_andKeepsJunkAsJunk()
      throws Exception {
    assertFalse(session.capabilities().has("SPECIAL-USE"), "GreenMail marks no special use");
    List<PlannedFolder> plan = FolderPlan.of(ImapFolders.allExceptTrashSentDrafts(), session);
    List<String> names = plan.stream().map(PlannedFolder::name).toList();
    assertEquals("INBOX", names.get(0));
    assertEquals(
        Set.of("INBOX", "Work", "Work.2026", "Spam", "Reisen ünd Pläne"), Set.copyOf(names));
    assertEquals(names.size(), Set.copyOf(names).size(), "each folder once: " + names);
    assertEquals(LabelDecision.INBOX, find(plan, "INBOX").labels());
    assertEquals(new LabelDecision(Set.of("Work/2026"), true), find(plan, "Work.2026").labels());
    assertEquals(
        new LabelDecision(Set.of("Reisen ünd Pläne"), true),
        find(plan, "Reisen ünd Pläne").labels());
    PlannedFolder spam = find(plan, "Spam");
    assertTrue(spam.junk());
    assertEquals(new LabelDecision(Set.of(LabelDecision.JUNK), true), spam.labels());
    assertTrue(plan.stream().noneMatch(PlannedFolder::allMail));
  }

  @Test
  void aNonAsciiFolder_isDecodedFromModifiedUtf7_andItsWireFormIsWhatTheServerSent()
      throws Exception {
    PlannedFolder f = FolderPlan.of(ImapFolders.named("Reisen ünd Pläne"), session).get(0);
    assertEquals("Reisen ünd Pläne", f.name());
    assertEquals(ModifiedUtf7.encode("Reisen ünd Pläne"), f.wire());
    session.ok(session.commands().examine(f.name())); // the decoded name selects it
  }

  @Test
  void namedFolders_keepTheirOrder_andSlashFindsTheServersDelimiter() throws Exception {
    List<PlannedFolder> plan =
        FolderPlan.of(ImapFolders.named("Work/2026", "inbox", "Sent Items"), session);
    assertEquals(
        List.of("Work.2026", "INBOX", "Sent Items"),
        plan.stream().map(PlannedFolder::name).toList());
    assertEquals(new LabelDecision(Set.of("Sent Items"), true), plan.get(2).labels());
  }

  @Test
  void labelPrefix_andLabelsOff_changeEveryFolderButJunk() throws Exception {
    List<PlannedFolder> prefixed =
        FolderPlan.of(ImapFolders.named("Work.2026", "Spam").labelPrefix("Old server/"), session);
    assertEquals(Set.of("Old server/Work/2026"), prefixed.get(0).labels().labels());
    assertEquals(Set.of(LabelDecision.JUNK), prefixed.get(1).labels().labels());
    List<PlannedFolder> off =
        FolderPlan.of(ImapFolders.named("Work", "Spam").asLabels(false), session);
    assertEquals(LabelDecision.INBOX, off.get(0).labels());
    assertEquals(new LabelDecision(Set.of(LabelDecision.JUNK), true), off.get(1).labels());
  }

  @Test
  void aNamedFolderThatDoesNotExist_isAConfigurationError_namingItAndTheFoldersThatDo() {
    FetchException e =
        assertThrows(
            FetchException.class,
            () -> FolderPlan.of(ImapFolders.named("Work", "Projects"), session));
    assertEquals(FetchError.CONFIGURATION, e.error());
    String words = e.getMessage();
    assertTrue(words.contains("the folder \"Projects\" does not exist on "), words);
    assertTrue(words.contains("\"Work.2026\""), words);
    assertTrue(words.contains("\"INBOX\""), words);
    assertTrue(e.remedy().commandLine().contains("--folder"), e.remedy().commandLine());
    assertTrue(e.remedy().library().contains("ImapFolders.named"), e.remedy().library());
  }

  @Test
  void gmailAllMail_onAServerThatIsNotGmails_isRefusedBeforeAnythingIsFetched() {
    FetchException e =
        assertThrows(
            FetchException.class, () -> FolderPlan.of(ImapFolders.gmailAllMail(), session));
    assertEquals(FetchError.CONFIGURATION, e.error());
    assertTrue(e.getMessage().contains("not Gmail's IMAP"), e.getMessage());
  }
}
