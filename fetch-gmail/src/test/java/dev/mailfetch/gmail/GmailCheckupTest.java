package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.gmail.GmailCheckup.Code;
import dev.mailfetch.gmail.GmailCheckup.Finding;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The doctor's Gmail checks: token, account, permissions, labels, each finding in words with its
 * remedy.
 */
@Timeout(60)
class GmailCheckupTest {
  static final String ME = "me@gmail.com";
  private FakeGmailServer gmail;

  @BeforeEach
  void start() {
    gmail = FakeGmailServer.start().addAccount(ME);
  }

  @AfterEach
  void stop() {
    gmail.close();
  }

  private GmailImportSink.Builder settings(String... scopes) {
    return GmailImportSink.builder()
        .mailbox(ME)
        .tokens(new FakeTokens(gmail, ME, scopes))
        .apiBase(gmail.baseUri())
        .retryBudget(Duration.ofSeconds(2));
  }

  private static List<Code> codes(GmailCheckup.Report r) {
    return r.findings().stream().map(Finding::code).toList();
  }

  @Test
  void aHealthySetup_findsEveryCheckOk_andSaysALabelWillBeCreated_withoutImportingAnything() {
    GmailCheckup.Report r =
        settings(FakeGmailServer.SCOPE_MODIFY).checkup().withLabels(Set.of("Work")).run();
    assertEquals(
        List.of(
            Code.TOKEN_OK,
            Code.ACCOUNT_MATCHES,
            Code.SCOPES_OK,
            Code.LABELS_LISTED,
            Code.LABEL_WILL_BE_CREATED),
        codes(r),
        r.text());
    assertTrue(r.healthy());
    assertEquals(0, r.exitCode());
    assertEquals(0, gmail.messages(ME).size(), "nothing imported");
    assertTrue(gmail.label(ME, "Work").isEmpty(), "nothing created unless asked");
  }

  @Test
  void theNarrowScopesTheOAuthPresetAsksFor_suffice() {
    GmailCheckup.Report r =
        settings(
                FakeGmailServer.SCOPE_INSERT,
                FakeGmailServer.SCOPE_LABELS,
                FakeGmailServer.SCOPE_READONLY)
            .checkup()
            .run();
    assertTrue(r.healthy(), r.text());
    assertTrue(codes(r).contains(Code.SCOPES_OK), r.text());
  }

  @Test
  void creatingMissingLabels_createsThem_nestedParentFirst() {
    GmailCheckup.Report r =
        settings().checkup().withLabels(Set.of("Lists/Work")).creatingMissingLabels(true).run();
    assertTrue(codes(r).contains(Code.LABEL_CREATED), r.text());
    assertTrue(gmail.label(ME, "Lists").isPresent() && gmail.label(ME, "Lists/Work").isPresent());
  }

  @Test
  void aLabelGmailRefuses_isFoundInWords() {
    GmailCheckup.Report r =
        settings().checkup().withLabels(Set.of("Bad/")).creatingMissingLabels(true).run();
    Finding f = r.firstFailure().orElseThrow(() -> new AssertionError(r.text()));
    assertEquals(Code.LABEL_REFUSED, f.code());
    assertTrue(f.words().contains("Bad/"), f.words());
    assertEquals(FetchError.CONFIGURATION.exitCode(), r.exitCode());
  }

  @Test
  void aTokenThatMayNotReadTheProfile_failsTheAccountCheck_notThePermissionsRow() {
    GmailCheckup.Report r = settings(FakeGmailServer.SCOPE_INSERT).checkup().run();
    Finding f = r.firstFailure().orElseThrow(() -> new AssertionError(r.text()));
    assertEquals(Code.SCOPE_MISSING, f.code(), r.text());
    assertEquals(GmailCheckup.Check.ACCOUNT, f.check(), r.text());
  }

  @Test
  void aTokenWithoutTheScopesNeeded_isScopeMissing_namingWhatIsMissing() {
    GmailCheckup.Report r = settings(FakeGmailServer.SCOPE_METADATA).checkup().run();
    Finding f = r.firstFailure().orElseThrow(() -> new AssertionError(r.text()));
    assertEquals(Code.SCOPE_MISSING, f.code(), r.text());
    assertTrue(f.words().contains("importing") && f.words().contains("Message-ID"), f.words());
    assertTrue(f.remedy().orElseThrow().library().contains("gmail.modify"));
    assertEquals(Code.NOT_CHECKED, r.findings().get(r.findings().size() - 1).code());
  }

  @Test
  void aGrantGone_isTokenRefused_withTheRemedyInWords_andTheRestNotChecked() {
    GmailCheckup.Report r =
        GmailImportSink.builder()
            .mailbox(ME)
            .apiBase(gmail.baseUri())
            .tokens(
                () -> {
                  throw new FetchException(
                      FetchError.AUTH_FAILED, "Google refused the refresh token (invalid_grant)");
                })
            .checkup()
            .run();
    assertEquals(
        List.of(Code.TOKEN_REFUSED, Code.NOT_CHECKED, Code.NOT_CHECKED, Code.NOT_CHECKED),
        codes(r));
    assertTrue(r.findings().get(0).remedy().orElseThrow().library().contains("Testing"));
    assertEquals(FetchError.AUTH_FAILED.exitCode(), r.exitCode());
  }

  @Test
  void aTokenForAnotherAccount_isFound() {
    gmail.addAccount("other@gmail.com");
    GmailCheckup.Report r =
        GmailImportSink.builder()
            .mailbox(ME)
            .apiBase(gmail.baseUri())
            .tokens(new FakeTokens(gmail, "other@gmail.com"))
            .checkup()
            .run();
    Finding f = r.firstFailure().orElseThrow();
    assertEquals(Code.ACCOUNT_OTHER, f.code());
    assertTrue(f.words().contains("other@gmail.com") && f.words().contains(ME), f.words());
    assertEquals(FetchError.CONFIGURATION.exitCode(), r.exitCode());
  }

  @Test
  void gmailUnreachable_isFound_andNoTokenAppearsInTheReport() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    GmailCheckup.Report r =
        GmailImportSink.builder()
            .mailbox(ME)
            .tokens(() -> "ya29.SECRET-TOKEN")
            .apiBase(URI.create("http://127.0.0.1:" + closedPort + "/"))
            .retryBudget(Duration.ofSeconds(1))
            .checkup()
            .run();
    assertEquals(Code.GMAIL_UNREACHABLE, r.firstFailure().orElseThrow().code(), r.text());
    assertFalse(r.text().contains("SECRET"), r.text());
    assertFalse(r.toString().contains("SECRET"));
  }
}
