package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AppendFoldersTest {
  @Test
  void labels_becomeFolders_withTheServersDelimiter_besideTheInbox() {
    AppendFolders p = AppendFolders.plan("INBOX", Set.of("Lists/Work", "Family"), false, ".", null);
    assertEquals(List.of("INBOX", "Family", "Lists.Work"), p.folders());
    assertEquals(Set.of(), p.gmailLabels());
  }

  @Test
  void archived_meansNotInTheConfiguredFolder_onlyInTheLabelFolders() {
    assertEquals(
        List.of("Work"), AppendFolders.plan("INBOX", Set.of("Work"), true, "/", null).folders());
    assertEquals(
        List.of(AppendFolders.ARCHIVE),
        AppendFolders.plan("INBOX", Set.of(), true, "/", null).folders(),
        "archived without labels goes to Archive, never nowhere");
  }

  @Test
  void onGmailsImap_thereIsOneCopy_andLabelsAreSetOnIt() {
    AppendFolders inbox =
        AppendFolders.plan("INBOX", Set.of("Lists/Work"), false, "/", "[Gmail]/All Mail");
    assertEquals(List.of("INBOX"), inbox.folders());
    assertEquals(Set.of("Lists/Work"), inbox.gmailLabels());
    AppendFolders archived =
        AppendFolders.plan("INBOX", Set.of("Work"), true, "/", "[Gmail]/All Mail");
    assertEquals(List.of("[Gmail]/All Mail"), archived.folders());
  }

  @Test
  void aFolderMapsBackToItsLabel() {
    assertEquals(
        "Lists/Work", AppendFolders.labelOf(AppendFolders.folderOf("Lists/Work", "."), "."));
  }
}
