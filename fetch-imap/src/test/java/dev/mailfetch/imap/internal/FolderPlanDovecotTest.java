package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.imap.ImapFolders;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.RequiresDovecot;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link FolderPlan} against a private Dovecot, which offers SPECIAL-USE and LIST-EXTENDED and
 * marks Drafts, Junk, Trash, Sent and "Sent Messages" (its example config, as the testkit
 * configures it): a marked use wins over the usual names, so a folder called Spam or Deleted Items
 * is an ordinary folder there.
 */
@RequiresDovecot(PrivateDovecot.Service.IMAP)
class FolderPlanDovecotTest {
  private static PrivateDovecot dovecot;
  private static ImapSession session;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP), maildir -> {}, GreenMailImap.CERTS);
    session =
        ImapSession.open(
            new ImapSettings(
                "localhost",
                dovecot.imapsPort(),
                ImapSecurity.IMPLICIT_TLS,
                GreenMailImap.CERTS.clientContext(),
                ImapLimits.defaults(),
                PrivateDovecot.USER,
                () -> PrivateDovecot.PASSWORD,
                null,
                false,
                null,
                ImapFailures.Role.SOURCE));
    session.login();
    for (String f :
        List.of("Junk", "Spam", "Trash", "Deleted Items", "Sent", "Drafts", "Work", "Work.Q1")) {
      session.ok(session.commands().create(f));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (session != null) {
      session.logout();
    }
    if (dovecot != null) {
      dovecot.stop();
    }
  }

  @Test
  void specialUseAttributes_decide_overTheUsualNames() throws Exception {
    assertTrue(session.capabilities().has("SPECIAL-USE"), session.capabilities().toString());
    assertTrue(session.capabilities().has("LIST-EXTENDED"), session.capabilities().toString());
    List<FolderPlan.Listed> listed = FolderPlan.list(session);
    assertEquals(Optional.of(FolderNames.Use.JUNK), use(listed, "Junk"));
    assertEquals(Optional.of(FolderNames.Use.TRASH), use(listed, "Trash"));
    assertEquals(Optional.empty(), use(listed, "Spam"), "Junk is the marked one");
    assertEquals(Optional.empty(), use(listed, "Deleted Items"), "Trash is the marked one");
  }

  @Test
  void allExceptTrashSentDrafts_onDovecot_fetchesJunkAsJunk_andTheOrdinaryFolders()
      throws Exception {
    List<PlannedFolder> plan = FolderPlan.of(ImapFolders.allExceptTrashSentDrafts(), session);
    List<String> names = plan.stream().map(PlannedFolder::name).toList();
    assertEquals("INBOX", names.get(0));
    assertEquals(
        Set.of("INBOX", "Junk", "Spam", "Deleted Items", "Work", "Work.Q1"), Set.copyOf(names));
    assertEquals(names.size(), Set.copyOf(names).size(), names.toString());
    PlannedFolder junk = plan.get(names.indexOf("Junk"));
    assertTrue(junk.junk());
    assertEquals(new LabelDecision(Set.of(LabelDecision.JUNK), true), junk.labels());
    PlannedFolder spam = plan.get(names.indexOf("Spam"));
    assertFalse(spam.junk());
    assertEquals(new LabelDecision(Set.of("Spam"), true), spam.labels());
    assertEquals(
        new LabelDecision(Set.of("Work/Q1"), true), plan.get(names.indexOf("Work.Q1")).labels());
    for (PlannedFolder f : plan) {
      session.ok(session.commands().examine(f.name())); // each planned folder can be selected
    }
  }

  private static Optional<FolderNames.Use> use(List<FolderPlan.Listed> listed, String name) {
    return listed.stream()
        .filter(l -> l.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not listed: " + listed))
        .use();
  }
}
