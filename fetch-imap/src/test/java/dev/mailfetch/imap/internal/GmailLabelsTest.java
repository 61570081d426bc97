package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.imap.ImapFolders;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** How Gmail's labels of a message ({@code X-GM-LABELS}) become where it is filed. */
class GmailLabelsTest {

  @Provide
  Arbitrary<String> userLabels() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withChars('/', ' ', 'Ü', '&', '-')
        .ofMinLength(1)
        .ofMaxLength(40)
        .filter(s -> !s.isBlank() && !s.equalsIgnoreCase("inbox"));
  }

  @Provide
  Arbitrary<String> systemLabels() {
    return Arbitraries.of("\\Important", "\\Sent", "\\Starred", "\\Muted", "\\Inbox");
  }

  @Property(tries = 100)
  void userLabels_becomeLabels_andOnlyInboxKeepsTheMessageInTheInbox(
      @ForAll @Size(max = 6) List<@From("userLabels") String> user,
      @ForAll @Size(max = 4) List<@From("systemLabels") String> system,
      @ForAll long seed) {
    List<String> all = new ArrayList<>(user);
    all.addAll(system);
    Collections.shuffle(all, new Random(seed));
    LabelDecision d = GmailLabels.decide(all);
    Set<String> expected = new LinkedHashSet<>(user);
    if (system.contains("\\Starred")) {
      expected.add("Starred");
    }
    assertEquals(expected, d.labels());
    assertEquals(!system.contains("\\Inbox"), d.archived());
  }

  @Property(tries = 100)
  void spam_isJunkAndArchived_whateverElseTheMessageCarries(
      @ForAll @Size(max = 6) List<@From("userLabels") String> user,
      @ForAll @Size(max = 4) List<@From("systemLabels") String> system) {
    List<String> all = new ArrayList<>(system);
    all.addAll(user);
    all.add(all.size() / 2, "\\Spam");
    LabelDecision junk = new LabelDecision(Set.of(LabelDecision.JUNK), true);
    assertEquals(junk, GmailLabels.decide(all));
    assertEquals(junk, GmailLabels.of(ImapFolders.gmailAllMail().asLabels(false)).labelsOf(all));
  }

  @Test
  void importantAndSent_giveNoLabel_starredGivesStarred_theInboxKeepsItIn() {
    assertEquals(
        new LabelDecision(Set.of("Starred", "Work/2026"), false),
        GmailLabels.decide(List.of("\\Important", "\\Sent", "\\Starred", "\\Inbox", "Work/2026")));
    assertEquals(new LabelDecision(Set.of(), true), GmailLabels.decide(List.of("\\Sent")));
  }

  @Test
  void aPrefix_goesBeforeEveryLabel_andLabelsOff_putsEverythingInTheInbox() {
    GmailLabels prefixed = GmailLabels.of(ImapFolders.gmailAllMail().labelPrefix("gmail/"));
    assertEquals(
        new LabelDecision(Set.of("gmail/Work", "gmail/Starred"), true),
        prefixed.labelsOf(List.of("Work", "\\Starred")));
    GmailLabels off = GmailLabels.of(ImapFolders.gmailAllMail().asLabels(false));
    assertEquals(LabelDecision.INBOX, off.labelsOf(List.of("Work", "\\Starred")));
  }

  @Test
  void draftsAndTrash_areLeftOut_sentOnlyWhereTheFoldersLeaveSentMailOut() {
    GmailLabels allMail = GmailLabels.of(ImapFolders.gmailAllMail());
    GmailLabels noSent = GmailLabels.of(ImapFolders.allExceptTrashSentDrafts());
    assertTrue(allMail.leftOut(List.of("\\Draft")));
    assertTrue(allMail.leftOut(List.of("Work", "\\Trash")));
    assertFalse(allMail.leftOut(List.of("\\Sent", "\\Inbox")));
    assertTrue(noSent.leftOut(List.of("\\Sent", "\\Inbox")));
    assertFalse(noSent.leftOut(List.of("\\Inbox", "\\Important", "Work")));
  }

  @Test
  void fetchItems_areDecodedFromModifiedUtf7_withOrWithoutUtf8Accept() {
    List<Object> items =
        List.of("UID", "7", "X-GM-LABELS", List.of("\\Inbox", "Muy Importante", "&ANw-bersee"));
    List<String> expected = List.of("\\Inbox", "Muy Importante", "Übersee");
    assertEquals(Optional.of(expected), GmailLabels.fromFetch(items, false));
    assertEquals(Optional.of(expected), GmailLabels.fromFetch(items, true));
    assertEquals(Optional.empty(), GmailLabels.fromFetch(List.of("UID", "7"), false));
  }

  @Test
  void aLabelLongerThanALabelMayBe_isCutTo200Characters() {
    String longLabel = "x".repeat(500);
    assertEquals(Set.of("x".repeat(200)), GmailLabels.decide(List.of(longLabel)).labels());
  }
}
