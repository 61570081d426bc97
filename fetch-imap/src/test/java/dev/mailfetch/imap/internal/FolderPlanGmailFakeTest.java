package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.imap.ImapFolders;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.testkit.imap.FakeImapServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gmail's All Mail through the testkit's fake Gmail IMAP ({@code X-GM-EXT-1}, the {@code [Gmail]}
 * folders with their special uses in a plain LIST, as Gmail sends them): fetched once with each
 * message's labels from {@code X-GM-LABELS}, Spam as junk, no label folder fetched again.
 */
class FolderPlanGmailFakeTest {
  private static final String USER = "me@gmail.com";
  private FakeImapServer gmail;
  private ImapSession session;

  @BeforeEach
  void start() throws Exception {
    gmail =
        FakeImapServer.builder()
            .gmail()
            .account(USER, "app-pw")
            .folder(USER, "Work")
            .folder(USER, "Travel")
            .folder(USER, "Familie/Urlaub")
            .start();
    session =
        ImapSession.open(
            new ImapSettings(
                gmail.host(),
                gmail.port(),
                ImapSecurity.NONE,
                null,
                ImapLimits.defaults(),
                USER,
                () -> "app-pw",
                null,
                true,
                null,
                ImapFailures.Role.SOURCE));
    session.login();
  }

  @AfterEach
  void stop() {
    session.logout();
    gmail.close();
  }

  @Test
  void gmailAllMail_isAllMailOnceWithLabels_andSpamAsJunk_noLabelFolderAgain() throws Exception {
    List<PlannedFolder> plan = FolderPlan.of(ImapFolders.gmailAllMail(), session);
    assertEquals(2, plan.size(), plan.toString());
    PlannedFolder all = plan.get(0);
    assertEquals("[Gmail]/All Mail", all.name());
    assertTrue(all.allMail());
    assertFalse(all.gmail().orElseThrow().leftOut(List.of("\\Sent")), "sent mail is fetched");
    assertTrue(all.gmail().orElseThrow().leftOut(List.of("\\Draft")), "drafts are not");
    PlannedFolder spam = plan.get(1);
    assertEquals("[Gmail]/Spam", spam.name());
    assertTrue(spam.junk());
    assertEquals(new LabelDecision(Set.of(LabelDecision.JUNK), true), spam.labels());
  }

  @Test
  void allExceptTrashSentDrafts_onGmail_isAllMailWithoutSentMail() throws Exception {
    List<PlannedFolder> plan = FolderPlan.of(ImapFolders.allExceptTrashSentDrafts(), session);
    assertEquals(
        List.of("[Gmail]/All Mail", "[Gmail]/Spam"),
        plan.stream().map(PlannedFolder::name).toList());
    assertTrue(plan.get(0).gmail().orElseThrow().leftOut(List.of("\\Inbox", "\\Sent")));
  }

  @Test
  void inbox_onGmail_isInboxAlone_withoutAList() throws Exception {
    assertEquals(List.of(PlannedFolder.inbox()), FolderPlan.of(ImapFolders.inbox(), session));
    session.logout();
    gmail.awaitSessionsEnded(Duration.ofSeconds(5));
    assertFalse(
        gmail.lastSession().orElseThrow().verbs().contains("LIST"),
        gmail.lastSession().orElseThrow().verbs().toString());
  }

  @Test
  void aMessageUnderThreeLabels_isListedOnceInAllMail_withTheThreeLabels() throws Exception {
    byte[] m =
        "From: a@example.org\r\nSubject: three labels\r\n\r\nhi\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    long uid = gmail.deliver(USER, "INBOX", m);
    session.ok(session.commands().select("INBOX"));
    session
        .commands()
        .uidStoreGmailLabels(String.valueOf(uid), List.of("Work", "Übersee", "Familie/Urlaub"));
    PlannedFolder all = FolderPlan.of(ImapFolders.gmailAllMail(), session).get(0);
    session.ok(session.commands().examine(all.name()));
    TaggedReply r =
        session.expectOk(ImapCommand.of("UID FETCH").atom("1:*").atom("(UID X-GM-LABELS)").build());
    List<ImapLine> fetched = r.untagged("FETCH");
    assertEquals(1, fetched.size(), "one message in All Mail: " + fetched);
    @SuppressWarnings("unchecked")
    List<Object> items = (List<Object>) fetched.get(0).tokens().get(0);
    List<String> labels = GmailLabels.fromFetch(items, session.utf8()).orElseThrow();
    assertEquals(
        new LabelDecision(Set.of("Work", "Übersee", "Familie/Urlaub"), false),
        all.gmail().orElseThrow().labelsOf(labels));
  }

  @Test
  void allMailHiddenFromImap_isAConfigurationError_sayingWhereGmailShowsIt() throws Exception {
    try (FakeImapServer hidden =
            FakeImapServer.builder()
                .capabilities("IMAP4rev1", "X-GM-EXT-1", "AUTH=PLAIN")
                .account(USER, "app-pw")
                .start();
        ImapSession s =
            ImapSession.open(
                new ImapSettings(
                    hidden.host(),
                    hidden.port(),
                    ImapSecurity.NONE,
                    null,
                    ImapLimits.defaults(),
                    USER,
                    () -> "app-pw",
                    null,
                    true,
                    null,
                    ImapFailures.Role.SOURCE))) {
      s.login();
      FetchException e =
          assertThrows(FetchException.class, () -> FolderPlan.of(ImapFolders.gmailAllMail(), s));
      assertEquals(FetchError.CONFIGURATION, e.error());
      assertTrue(e.remedy().commandLine().contains("Show in IMAP"), e.remedy().commandLine());
    }
  }
}
