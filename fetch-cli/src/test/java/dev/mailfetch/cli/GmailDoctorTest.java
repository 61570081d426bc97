package dev.mailfetch.cli;

import static dev.mailfetch.cli.ArgumentsTest.assertBadArgument;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailFault;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailfetch doctor gmail:ADDRESS}: the Gmail side checked, printed as the POP3 findings are.
 */
@Timeout(60)
class GmailDoctorTest {
  private static final String ME = GmailCommandTest.ME;
  @TempDir Path tmp;
  private FakeGmailServer gmail;

  @BeforeEach
  void google() {
    gmail = FakeGmailServer.start().addAccount(ME);
  }

  @AfterEach
  void stop() {
    gmail.close();
  }

  private FetchCommandTest.Run doctor(Path token, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "doctor",
                "gmail:" + ME,
                "--gmail-token-file",
                token.toString(),
                "--gmail-api",
                gmail.baseUri().toString()));
    args.addAll(List.of(more));
    return FetchCommandTest.mailfetch(Map.of("HOME", tmp.toString()), args.toArray(new String[0]));
  }

  /** The codes of the findings of a JSON report, in order. */
  private static List<String> codes(String json) throws IOException {
    List<String> codes = new ArrayList<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.FIELD_NAME && p.currentName().equals("code")) {
          p.nextToken();
          codes.add(p.getText());
        }
      }
    }
    return codes;
  }

  @Test
  void aWorkingAuthorization_isHealthy_andSaysEachCheck_labelsCreatedOnlyWhenAsked()
      throws IOException {
    Path token =
        GmailCommandTest.grantFile(gmail, tmp.resolve("token"), ME, GmailCommandTest.IMPORT_SCOPES);
    FetchCommandTest.Run r = doctor(token, "--label", "Lists/Work");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("mailfetch doctor: Gmail " + ME), r.out());
    for (String check : List.of("access token", "account", "permissions", "labels")) {
      assertTrue(
          r.out().lines().anyMatch(l -> l.matches("[✓!] " + check + " .*")),
          check + " in:\n" + r.out());
    }
    assertTrue(r.out().contains("Mail can be delivered into Gmail"), r.out());
    assertTrue(gmail.label(ME, "Lists/Work").isEmpty(), "not created without --create-labels");
    assertFalse(r.out().contains("fake-client-secret"), r.out());

    FetchCommandTest.Run created =
        doctor(token, "--label", "Lists/Work", "--create-labels", "--json");
    assertEquals(0, created.exit(), created.out());
    assertTrue(codes(created.out()).contains("LABEL_CREATED"), created.out());
    assertTrue(gmail.label(ME, "Lists/Work").isPresent(), "created when asked");
    assertTrue(
        created.out().startsWith("{\"gmail\":\"" + ME + "\",\"healthy\":true,\"exit_code\":0"),
        created.out());
  }

  @Test
  void aMissingScope_isAuthFailed_exit20_withTheCommandThatAuthorizesAgain_textAndJson()
      throws IOException {
    Path token =
        GmailCommandTest.grantFile(gmail, tmp.resolve("token"), ME, FakeGmailServer.SCOPE_INSERT);
    FetchCommandTest.Run r = doctor(token);
    assertEquals(20, r.exit(), r.out() + r.err());
    String again = "mailfetch oauth google " + ME + " --token-file " + token;
    assertTrue(r.out().contains("[AUTH_FAILED]") && r.out().contains(again), r.out());
    assertTrue(r.out().contains("Mail cannot be delivered into Gmail"), r.out());
    FetchCommandTest.Run j = doctor(token, "--json");
    assertEquals(20, j.exit(), j.out());
    assertTrue(j.out().contains("\"first_problem\":\"SCOPE_MISSING\""), j.out());
    assertTrue(codes(j.out()).contains("SCOPE_MISSING"), j.out());
    assertTrue(j.out().contains(again), j.out());
    assertTrue(j.err().isEmpty(), j.err());
  }

  @Test
  void aRevokedAuthorization_isTokenRefused_exit20() throws IOException {
    Path token =
        GmailCommandTest.grantFile(gmail, tmp.resolve("token"), ME, GmailCommandTest.IMPORT_SCOPES);
    gmail.inject(FaultRule.of(GmailFault.INVALID_GRANT).always());
    FetchCommandTest.Run r = doctor(token, "--json");
    assertEquals(20, r.exit(), r.out() + r.err());
    assertEquals("TOKEN_REFUSED", codes(r.out()).get(0), r.out());
    assertTrue(r.out().contains("mailfetch oauth google " + ME), r.out());
  }

  @Test
  void popOptionsWithGmail_andGmailOptionsWithAPop3Url_areBadArguments() throws IOException {
    Path token =
        GmailCommandTest.grantFile(gmail, tmp.resolve("token"), ME, GmailCommandTest.IMPORT_SCOPES);
    String[] pop = {"doctor", "gmail:" + ME, "--gmail-token-file", token.toString(), "--deep"};
    assertBadArgument(FetchCommandTest.mailfetch(Map.of(), pop), "are for a POP3 URL", pop);
    String[] label = {"doctor", "pop3s://alice@localhost:1", "--label", "X"};
    assertBadArgument(
        FetchCommandTest.mailfetch(Map.of(), label), "--label is for doctor gmail:ADDRESS", label);
    String[] missing = {
      "doctor", "gmail:" + ME, "--gmail-token-file", tmp.resolve("none").toString()
    };
    assertBadArgument(
        FetchCommandTest.mailfetch(Map.of(), missing), "mailfetch oauth google " + ME, missing);
  }

  @Test
  void aLabelGmailRefuses_isFlaggedAsABadArgument_notTicked() throws IOException {
    Path token =
        GmailCommandTest.grantFile(gmail, tmp.resolve("token"), ME, GmailCommandTest.IMPORT_SCOPES);
    for (String[] c :
        new String[][] {
          {"Trash", "is Gmail's own TRASH label"},
          {"spam", "is Gmail's own SPAM label"},
          {"Work/", "write \"Work\""},
          {"a//b", "write \"a/b\""}
        }) {
      String[] args = {
        "doctor",
        "gmail:" + ME,
        "--gmail-token-file",
        token.toString(),
        "--gmail-api",
        gmail.baseUri().toString(),
        "--label",
        c[0]
      };
      FetchCommandTest.Run r = FetchCommandTest.mailfetch(Map.of("HOME", tmp.toString()), args);
      assertBadArgument(r, c[1], args);
      assertFalse(r.out().contains("\u2713"), r.out());
    }
  }
}
