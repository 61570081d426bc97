package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ImapFolders} checks what it is given at once and is a value. */
class ImapFoldersTest {

  @Test
  void inbox_isTheDefault_withLabelsOn() {
    ImapFolders f = ImapFolders.inbox();
    assertEquals(ImapFolders.Choice.INBOX, f.choice());
    assertEquals(List.of("INBOX"), f.names());
    assertTrue(f.asLabels());
    assertEquals("", f.labelPrefix());
    assertEquals("ImapFolders.inbox()", f.toString());
  }

  @Test
  void named_keepsTheOrder_andSpellsInboxOneWay() {
    ImapFolders f = ImapFolders.named("Work", "inbox", "Reisen/Übersee");
    assertEquals(List.of("Work", "INBOX", "Reisen/Übersee"), f.names());
    assertEquals(f, ImapFolders.named(List.of("Work", "INBOX", "Reisen/Übersee")));
    assertEquals(f.hashCode(), ImapFolders.named("Work", "INBOX", "Reisen/Übersee").hashCode());
  }

  @Test
  void named_refusesNoFolder_anEmptyOrControlName_aNameTwice_andTooMany() {
    assertThrows(IllegalArgumentException.class, () -> ImapFolders.named());
    assertThrows(IllegalArgumentException.class, () -> ImapFolders.named(""));
    assertThrows(IllegalArgumentException.class, () -> ImapFolders.named("a\r\nb"));
    IllegalArgumentException twice =
        assertThrows(IllegalArgumentException.class, () -> ImapFolders.named("INBOX", "Inbox"));
    assertTrue(twice.getMessage().contains("named twice"), twice.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ImapFolders.named(Collections.nCopies(ImapFolders.MAX_NAMED + 1, "x")));
    assertThrows(
        IllegalArgumentException.class,
        () -> ImapFolders.named("x".repeat(ImapFolders.MAX_NAME_LENGTH + 1)));
    assertThrows(NullPointerException.class, () -> ImapFolders.named("a", null));
  }

  @Test
  void aSettingGivenTwice_orContradicted_isRefused() {
    ImapFolders off = ImapFolders.allExceptTrashSentDrafts().asLabels(false);
    assertFalse(off.asLabels());
    IllegalStateException again =
        assertThrows(IllegalStateException.class, () -> off.asLabels(false));
    assertTrue(again.getMessage().contains("already set"), again.getMessage());
    assertThrows(IllegalStateException.class, () -> off.labelPrefix("old/"));
    ImapFolders prefixed = ImapFolders.gmailAllMail().labelPrefix("old/");
    assertThrows(IllegalStateException.class, () -> prefixed.labelPrefix("new/"));
    assertThrows(IllegalStateException.class, () -> prefixed.asLabels(false));
    assertThrows(IllegalArgumentException.class, () -> ImapFolders.inbox().labelPrefix("a\tb"));
  }

  @Test
  void settings_makeNewValues_andShowInToString() {
    ImapFolders base = ImapFolders.gmailAllMail();
    ImapFolders prefixed = base.labelPrefix("gmail/");
    assertNotEquals(base, prefixed);
    assertEquals("", base.labelPrefix());
    assertEquals("ImapFolders.gmailAllMail().labelPrefix(\"gmail/\")", prefixed.toString());
    assertEquals(
        "ImapFolders.named([Work]).asLabels(false)",
        ImapFolders.named("Work").asLabels(false).toString());
    assertEquals(ImapFolders.inbox(), ImapFolders.inbox().asLabels(true));
  }
}
