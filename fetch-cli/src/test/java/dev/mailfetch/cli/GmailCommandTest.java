package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.gmail.GmailImportSink;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.OAuthTokenFile;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailFault;
import dev.mailfetch.testkit.gmail.GmailLabel;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailfetch fetch --to gmail:ADDRESS} as a user runs it: from the testkit's POP3 server into
 * the testkit's fake Gmail, through the command's own code (Main.run).
 */
@Timeout(120)
class GmailCommandTest {
  static final String ME = "me@gmail.com";
  private static final String PASSWORD = "pop pw";
  @TempDir Path tmp;
  private FakeGmailServer gmail;
  private FakePop3Server pop3;
  private MailCorpus corpus;

  @BeforeEach
  void servers() {
    gmail = FakeGmailServer.start().addAccount(ME);
    corpus = MailCorpus.generate(17, 12).filter(m -> m.size() < 200_000);
    pop3 = FakePop3Server.builder().account("alice", PASSWORD, corpus.toMailbox()).start();
  }

  @AfterEach
  void stop() {
    pop3.close();
    gmail.close();
    assertEquals(List.of(), gmail.internalErrors(), "the fake's own bugs");
  }

  /** An authorization file for {@code address} at the fake, as mailfetch oauth writes it. */
  static Path grantFile(FakeGmailServer gmail, Path file, String address, String... scopes)
      throws IOException {
    OAuthTokenFile.builder()
        .endpoints(OAuthEndpoints.google().at(gmail.authorizationUri(), gmail.tokenUri()))
        .clientId(FakeGmailServer.TEST_CLIENT_ID)
        .clientSecret(FakeGmailServer.TEST_CLIENT_SECRET)
        .scopes(Arrays.asList(scopes))
        .account(address)
        .refreshToken(gmail.grant(address, scopes))
        .build()
        .write(file);
    return file;
  }

  static final String[] IMPORT_SCOPES = {
    FakeGmailServer.SCOPE_INSERT, FakeGmailServer.SCOPE_LABELS, FakeGmailServer.SCOPE_READONLY
  };

  private Path grant() throws IOException {
    return grantFile(gmail, tmp.resolve("token"), ME, IMPORT_SCOPES);
  }

  private FetchCommandTest.Run fetch(Path token, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "fetch",
                "pop3://alice@localhost:" + pop3.port(),
                "--tls",
                "none",
                "--allow-plaintext-auth",
                "--password-env",
                "PW",
                "--to",
                "gmail:" + ME,
                "--gmail-token-file",
                token.toString(),
                "--gmail-api",
                gmail.baseUri().toString(),
                "--state",
                tmp.resolve("state").toString()));
    args.addAll(List.of(more));
    Map<String, String> env = new HashMap<>();
    env.put("PW", PASSWORD);
    env.put("HOME", tmp.resolve("home").toString());
    return FetchCommandTest.mailfetch(env, args.toArray(new String[0]));
  }

  private static Map<String, String> json(String text) throws IOException {
    Map<String, String> out = new HashMap<>();
    try (JsonParser p = new JsonFactory().createParser(text.strip())) {
      String path = "";
      List<String> stack = new ArrayList<>();
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.FIELD_NAME) {
          path = String.join(".", stack) + (stack.isEmpty() ? "" : ".") + p.currentName();
        } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          stack.add(path.isEmpty() ? "$" : path.substring(path.lastIndexOf('.') + 1));
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          stack.remove(stack.size() - 1);
        } else {
          out.putIfAbsent(path.replaceFirst("^\\$\\.?", ""), p.getText());
        }
      }
    }
    return out;
  }

  private String userLabelId(String name) {
    return gmail
        .label(ME, name)
        .map(GmailLabel::id)
        .orElseThrow(() -> new AssertionError("no label " + name + " in " + gmail.labels(ME)));
  }

  @Test
  void withDelete_everyMessageLandsInGmailOnce_byteForByte_labelled_inTheInbox_thenLeavesPop3()
      throws IOException {
    Path token = grant();
    FetchCommandTest.Run r =
        fetch(
            token,
            "--delete",
            "--label",
            "Lists/Work",
            "--label-rule",
            "Subject~.=Fetched",
            "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals("", r.err());
    Map<String, String> j = json(r.out());
    assertEquals("ok", j.get("status"), r.out());
    assertEquals(String.valueOf(corpus.messages().size()), j.get("fetched"), r.out());
    assertEquals(String.valueOf(corpus.messages().size()), j.get("deleted"), r.out());
    List<StoredMessage> held = gmail.messages(ME);
    assertEquals(corpus.messages().size(), held.size(), "each message once");
    String work = userLabelId("Lists/Work");
    String fetched = userLabelId("Fetched");
    Map<String, StoredMessage> byId =
        held.stream()
            .filter(m -> m.messageId() != null)
            .collect(Collectors.toMap(StoredMessage::messageId, m -> m));
    for (MailCorpus.Message m : corpus.messages()) {
      if (m.messageId() == null) {
        continue;
      }
      StoredMessage s = byId.get(m.messageId());
      assertTrue(s != null, "in Gmail: " + m.messageId());
      assertArrayEquals(m.content(), s.bytes(), "byte for byte: " + m.messageId());
      assertTrue(
          s.labelIds().containsAll(List.of("INBOX", "UNREAD", work, fetched)),
          s.labelIds().toString());
      assertFalse(s.neverMarkSpam(), "through Gmail's spam filter by default");
      assertEquals("dateHeader", s.internalDateSource());
    }
    assertEquals(0, pop3.mailbox("alice").size(), "deleted from POP3 once Gmail had them");
    assertEquals(
        1,
        gmail.labels(ME).stream().filter(l -> l.name().equals("Lists")).count(),
        "the parent label once");

    FetchCommandTest.Run again = fetch(token, "--delete", "--label", "Lists/Work");
    assertEquals(0, again.exit(), again.err());
    assertEquals(
        corpus.messages().size(), gmail.messages(ME).size(), "a second run imports nothing");
    assertEquals(
        1,
        gmail.labels(ME).stream().filter(l -> l.name().equals("Lists/Work")).count(),
        "never duplicated");
  }

  @Test
  void archiveNeverSpamAndTheReceivedDate_reachGmailsImport() throws IOException {
    FetchCommandTest.Run r =
        fetch(grant(), "--archive", "--never-spam", "--gmail-date", "received", "--label", "Old");
    assertEquals(0, r.exit(), r.out() + r.err());
    String old = userLabelId("Old");
    for (StoredMessage s : gmail.messages(ME)) {
      assertFalse(s.labelIds().contains("INBOX"), "archived: " + s.labelIds());
      assertTrue(s.labelIds().containsAll(List.of("UNREAD", old)), s.labelIds().toString());
      assertTrue(s.neverMarkSpam());
      assertEquals("receivedTime", s.internalDateSource());
    }
    assertEquals(
        corpus.messages().size(), pop3.mailbox("alice").size(), "kept on POP3 without --delete");
    assertTrue(r.out().contains("into Gmail (" + ME + ")"), r.out());
  }

  @Test
  void aMessageGmailRefuses_failsAlone_withGmailsReason_exit73_andStaysOnPop3() throws IOException {
    MailCorpus.Message refused =
        corpus.messages().stream()
            .filter(m -> m.messageId() != null)
            .skip(2)
            .findFirst()
            .orElseThrow();
    gmail.inject(
        FaultRule.of(GmailFault.MESSAGE_REJECTED_400)
            .forMessageContaining(refused.messageId())
            .reason("Invalid To header")
            .always());
    FetchCommandTest.Run r = fetch(grant(), "--delete");
    assertEquals(73, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("SINK_REJECTED") && r.err().contains("Invalid To header"), r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("dev.mailfetch"), r.err());
    assertEquals(corpus.messages().size() - 1, gmail.messages(ME).size(), "the others delivered");
    assertEquals(
        List.of(refused.uid()),
        List.copyOf(pop3.mailbox("alice").uids()),
        "only the refused one stays");

    FetchCommandTest.Run j = fetch(grant(), "--delete", "--json");
    assertEquals(73, j.exit(), j.out());
    assertEquals("", j.err());
    Map<String, String> o = json(j.out());
    assertEquals("error", o.get("status"), j.out());
    assertEquals("SINK_REJECTED", o.get("error.code"), j.out());
    assertEquals("73", o.get("error.exit_code"), j.out());
    assertTrue(o.get("error.message").contains("Invalid To header"), j.out());
    assertTrue(j.out().contains("\"failed_messages\":[{"), j.out());
  }

  @Test
  void gmailsDailyLimit_isQuotaExceeded_exit74_andNothingIsDeleted() throws IOException {
    gmail.inject(FaultRule.of(GmailFault.DAILY_LIMIT_EXCEEDED_403).always());
    FetchCommandTest.Run r = fetch(grant(), "--delete");
    assertEquals(74, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("QUOTA_EXCEEDED"), r.err());
    assertEquals(
        1,
        r.err().lines().filter(l -> l.contains("QUOTA_EXCEEDED: ")).count(),
        "the destination's failure said once, however many imports were on their way: " + r.err());
    assertTrue(r.err().lines().filter(l -> l.startsWith("mailfetch: ")).count() <= 2, r.err());
    assertEquals(
        corpus.messages().size(),
        pop3.mailbox("alice").size(),
        "nothing deleted that Gmail did not take");
    assertTrue(
        pop3.sessions().stream().allMatch(s -> s.commands("DELE").isEmpty()), "no DELE at all");
    assertEquals(0, gmail.messages(ME).size());
    FetchCommandTest.Run j = fetch(grant(), "--delete", "--json");
    assertEquals(74, j.exit(), j.out());
    assertEquals("", j.err());
    Map<String, String> o = json(j.out());
    assertEquals("QUOTA_EXCEEDED", o.get("error.code"), j.out());
    assertEquals("74", o.get("error.exit_code"), j.out());
    assertTrue(o.get("error.remedy").contains("Run again later"), j.out());
  }

  @Test
  void aRevokedAuthorization_isAuthFailed_withTheOauthCommandToType_textAndJson()
      throws IOException {
    Path token = grant();
    gmail.inject(FaultRule.of(GmailFault.INVALID_GRANT).always());
    FetchCommandTest.Run r = fetch(token, "--delete");
    assertEquals(20, r.exit(), r.out() + r.err());
    String again = "mailfetch oauth google " + ME + " --token-file " + token;
    assertTrue(r.err().contains("AUTH_FAILED") && r.err().contains(again), r.err());
    assertEquals(corpus.messages().size(), pop3.mailbox("alice").size(), "nothing deleted");
    FetchCommandTest.Run j = fetch(token, "--json");
    assertEquals(20, j.exit(), j.out());
    Map<String, String> o = json(j.out());
    assertEquals("AUTH_FAILED", o.get("error.code"), j.out());
    assertTrue(o.get("error.remedy").contains(again), j.out());
    assertFalse(j.out().contains("Exception"), j.out());
  }

  @Test
  void anAuthorizationForAnotherMailbox_importsNothing() throws IOException {
    gmail.addAccount("other@gmail.com");
    Path token = grantFile(gmail, tmp.resolve("other.token"), "other@gmail.com", IMPORT_SCOPES);
    // a file that names no account: only Gmail can tell whose mailbox the token opens
    OAuthTokenFile f = OAuthTokenFile.read(token);
    OAuthTokenFile.builder()
        .endpoints(f.endpoints())
        .clientId(f.clientId())
        .clientSecret(f.clientSecret().orElse(null))
        .scopes(f.scopes())
        .refreshToken(f.refreshToken())
        .build()
        .write(token);
    FetchCommandTest.Run r = fetch(token, "--delete");
    assertEquals(78, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("CONFIGURATION") && r.err().contains("other@gmail.com"), r.err());
    assertTrue(r.err().contains("mailfetch oauth google " + ME), r.err());
    assertEquals(0, gmail.messages("other@gmail.com").size());
    assertEquals(corpus.messages().size(), pop3.mailbox("alice").size());
  }

  @Test
  void anAccountAnotherRunHolds_isLocked_saidAsSuch_beforeItsGmailJournalIsTouched()
      throws IOException {
    Path account =
        JournalUidStore.directoryFor(
            tmp.resolve("state"), AccountName.of("alice", "localhost", pop3.port()));
    // another run of the account holds its state and its Gmail journal
    try (JournalUidStore held = JournalUidStore.open(account);
        GmailImportSink journal =
            GmailImportSink.builder()
                .mailbox(ME)
                .tokens(() -> "unused")
                .apiBase(gmail.baseUri())
                .journalDirectory(GmailOptions.journal(account, ME))
                .build()) {
      assertEquals(ME, journal.mailbox());
      FetchCommandTest.Run r = fetch(grant(), "--delete");
      assertEquals(22, r.exit(), r.out() + r.err());
      // (held in this JVM, the words say so; another process gets "Another mailfetch holds …")
      assertTrue(r.err().contains("LOCKED: the account whose state is in " + account), r.err());
      assertFalse(
          r.err().contains("Gmail sink") || r.err().contains("Builder"),
          "not the journal's: " + r.err());
      assertTrue(held.firstRun().isEmpty(), "the holder's state untouched");
    }
    assertEquals(0, gmail.messages(ME).size());
    assertEquals(corpus.messages().size(), pop3.mailbox("alice").size());
  }

  @Test
  void theSameAccountIntoAnotherGmailLater_withTheSameState_hasAJournalOfItsOwn()
      throws IOException {
    assertEquals(0, fetch(grant()).exit());
    gmail.addAccount("other@gmail.com");
    Path other = grantFile(gmail, tmp.resolve("other.token"), "other@gmail.com", IMPORT_SCOPES);
    pop3.mailbox("alice").add("Message-ID: <later@example.org>\r\nSubject: later\r\n\r\nlater\r\n");
    List<String> args =
        new ArrayList<>(
            List.of(
                "fetch",
                "pop3://alice@localhost:" + pop3.port(),
                "--tls",
                "none",
                "--allow-plaintext-auth",
                "--password-env",
                "PW",
                "--to",
                "gmail:other@gmail.com",
                "--gmail-token-file",
                other.toString(),
                "--gmail-api",
                gmail.baseUri().toString(),
                "--state",
                tmp.resolve("state").toString()));
    FetchCommandTest.Run r =
        FetchCommandTest.mailfetch(Map.of("PW", PASSWORD), args.toArray(new String[0]));
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals(
        List.of("<later@example.org>"),
        gmail.messages("other@gmail.com").stream().map(StoredMessage::messageId).toList(),
        "only what is new, into the other Gmail");
    assertEquals(corpus.messages().size(), gmail.messages(ME).size());
  }

  @Test
  void aConfigFileAccount_intoGmail_takesTheSameOptionsAsLines() throws IOException {
    Path token = grant();
    Path config =
        Files.writeString(
            tmp.resolve("accounts.properties"),
            String.join(
                "\n",
                "a.url = pop3://alice@localhost:" + pop3.port(),
                "a.tls = none",
                "a.allow-plaintext-auth = true",
                "a.password-env = PW",
                "a.to = gmail:" + ME,
                "a.gmail-token-file = " + token,
                "a.gmail-api = " + gmail.baseUri(),
                "a.state = " + tmp.resolve("state"),
                "a.label.1 = FromConfig",
                "a.never-spam = true",
                ""));
    Map<String, String> env = new HashMap<>();
    env.put("PW", PASSWORD);
    FetchCommandTest.Run r =
        FetchCommandTest.mailfetch(env, "poll", "--config", config.toString(), "--once");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals(corpus.messages().size(), gmail.messages(ME).size());
    String label = userLabelId("FromConfig");
    assertTrue(
        gmail.messages(ME).stream()
            .allMatch(s -> s.labelIds().contains(label) && s.neverMarkSpam()));
  }
}
