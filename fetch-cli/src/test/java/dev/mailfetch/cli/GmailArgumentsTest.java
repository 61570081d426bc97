package dev.mailfetch.cli;

import static dev.mailfetch.cli.ArgumentsTest.assertBadArgument;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.gmail.GmailImportSink;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.OAuthScopes;
import dev.mailfetch.gmail.OAuthTokenFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Bad arguments for delivery into Gmail ({@code --to gmail:ADDRESS} and its options), for POP3's
 * OAuth grant file and for {@code mailfetch oauth}: each exit 2 with one line naming the option and
 * what to type, and nothing created.
 */
@Timeout(60)
class GmailArgumentsTest {
  @TempDir Path tmp;

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PW", "pw");
    env.put("HOME", "/nonexistent-home-for-test");
    return env;
  }

  private static FetchCommandTest.Run mailfetch(String... args) {
    return FetchCommandTest.mailfetch(env(), args);
  }

  private String[] fetch(String... more) {
    String[] base = {
      "fetch",
      "pop3s://alice@localhost:1",
      "--password-env",
      "PW",
      "--state",
      tmp.resolve("state").toString()
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  /** The arguments after the subcommand's name. */
  private static String[] tail(String[] args) {
    return Arrays.copyOfRange(args, 1, args.length);
  }

  private Path grant() throws IOException {
    Path f = Files.writeString(tmp.resolve("grant"), "{}");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  @Test
  void gmailWithoutAnAddress_namesTheFormToWrite() {
    String[] args = fetch("--to", "gmail:");
    assertBadArgument(mailfetch(args), "gmail:me@gmail.com", args);
  }

  @Test
  void gmailWithSomethingThatIsNotAnAddress_saysSo() {
    for (String to :
        new String[] {
          "gmail:me",
          "gmail:me@",
          "gmail:@gmail.com",
          "gmail:me@gmail",
          "gmail:me you@gmail.com",
          "gmail:../x@gmail.com/..",
          "gmail://me@gmail.com"
        }) {
      String[] args = fetch("--to", to);
      FetchCommandTest.Run r = mailfetch(args);
      assertBadArgument(r, "--to " + to, args);
      assertTrue(r.err().contains("e-mail address"), r.err());
    }
  }

  @Test
  void theKindsOfSink_includeGmail() {
    String[] args = fetch("--to", "mh:x");
    assertBadArgument(mailfetch(args), "gmail:ADDRESS", args);
  }

  @Test
  void aMissingGrantFile_isABadArgument_namingTheCommandThatWritesIt() {
    Path missing = tmp.resolve("no-such-grant");
    String[] args = fetch("--to", "gmail:me@gmail.com", "--gmail-token-file", missing.toString());
    FetchCommandTest.Run r = mailfetch(args);
    assertBadArgument(r, "--gmail-token-file " + missing + ": no such file", args);
    assertTrue(r.err().contains("mailfetch oauth google me@gmail.com"), r.err());
    assertFalse(Files.exists(tmp.resolve("state")), "nothing created");
  }

  @Test
  void theDefaultGrantFile_isUnderHome_andNamedWhenMissing() {
    String[] args = fetch("--to", "gmail:Me@Gmail.com");
    FetchCommandTest.Run r = mailfetch(args);
    assertBadArgument(r, "/nonexistent-home-for-test/.mailfetch/gmail/me@gmail.com/token", args);
    assertTrue(r.err().contains("mailfetch oauth google me@gmail.com"), r.err());
  }

  @Test
  void gmailOptions_withAnotherSink_areRefused() throws IOException {
    String grant = grant().toString();
    String[][] cases = {
      {"--never-spam", "--to", "maildir:" + tmp.resolve("Mail")},
      {"--gmail-date", "received", "--to", "mbox:" + tmp.resolve("mbox")},
      {"--gmail-token-file", grant},
    };
    for (String[] c : cases) {
      String[] args = fetch(c);
      FetchCommandTest.Run r = mailfetch(args);
      assertBadArgument(r, c[0] + " is for --to gmail:ADDRESS", args);
    }
  }

  @Test
  void gmailsSystemLabels_inAnyCase_areBadArguments_whenTheOptionsAreRead_namingWhatToType()
      throws IOException {
    String grant = grant().toString();
    for (String name : new String[] {"Trash", "SPAM", "sent", "Draft", "chat"}) {
      String[] args =
          fetch("--to", "gmail:me@gmail.com", "--gmail-token-file", grant, "--label", name);
      assertBadArgument(
          mailfetch(args), "is Gmail's own " + name.toUpperCase(Locale.ROOT) + " label", args);
      FetchCommandTest.Run r = mailfetch(args);
      assertTrue(
          r.err().contains("\"Fetched/" + name + "\"") && r.err().contains("--archive"), r.err());
    }
    String[] rule =
        fetch(
            "--to",
            "gmail:me@gmail.com",
            "--gmail-token-file",
            grant,
            "--label-rule",
            "List-Id~junk=Spam");
    assertBadArgument(
        mailfetch(rule),
        "--label-rule List-Id~junk=Spam: \"Spam\" is Gmail's own SPAM label",
        rule);
    // into files, Trash is a label like any other: no refusal of its own
    String[] files =
        fetch("--to", "maildir:" + tmp.resolve("Mail"), "--label", "Trash", "--timeout", "1");
    assertFalse(mailfetch(files).err().contains("Gmail's own"));
  }

  @Test
  void labelNamesGmailRefuses_emptyPartsAndSlashesAtTheEnds_areBadArguments() throws IOException {
    String grant = grant().toString();
    String[][] cases = {
      {"Work/", "write \"Work\""},
      {"a//b", "write \"a/b\""},
      {"/Lists", "write \"Lists\""},
      {"a/ /b", "write \"a/b\""}
    };
    for (String[] c : cases) {
      String[] args =
          fetch("--to", "gmail:me@gmail.com", "--gmail-token-file", grant, "--label", c[0]);
      assertBadArgument(mailfetch(args), c[1], args);
    }
    String[] rule =
        fetch(
            "--to",
            "gmail:me@gmail.com",
            "--gmail-token-file",
            grant,
            "--label-rule",
            "From~x=Lists/");
    assertBadArgument(mailfetch(rule), "--label-rule From~x=Lists/: Gmail refuses", rule);
  }

  @Test
  void intoGmail_theDefaultMessageSizeLimit_isGmails150MB_andALargerOneIsABadArgument()
      throws IOException {
    FetchCommand gmail = new FetchCommand();
    new CommandLine(gmail).parseArgs(tail(fetch("--to", "gmail:me@gmail.com")));
    assertEquals(GmailImportSink.Builder.MAX_MESSAGE_BYTES, gmail.sizeLimit());
    assertEquals(150L * 1024 * 1024, gmail.sizeLimit());
    FetchCommand files = new FetchCommand();
    new CommandLine(files).parseArgs(tail(fetch("--to", "maildir:" + tmp.resolve("Mail"))));
    assertEquals(FetchCommand.DEFAULT_MAX_MESSAGE_SIZE, files.sizeLimit());
    String[] args =
        fetch(
            "--to",
            "gmail:me@gmail.com",
            "--gmail-token-file",
            grant().toString(),
            "--max-message-size",
            "200M");
    assertBadArgument(
        mailfetch(args), "--max-message-size 200M: Gmail takes no message above 150 MB", args);
    FetchCommand smaller = new FetchCommand();
    new CommandLine(smaller)
        .parseArgs(tail(fetch("--to", "gmail:me@gmail.com", "--max-message-size", "25M")));
    assertEquals(25_000_000L, smaller.sizeLimit());
  }

  @Test
  void aDamagedTokenFile_namesTheWholeCommandThatWritesItAnew_clientIncluded() throws IOException {
    Files.setPosixFilePermissions(grant(), PosixFilePermissions.fromString("rw-------"));
    String[] args = fetch("--to", "gmail:me@gmail.com", "--gmail-token-file", grant().toString());
    FetchCommandTest.Run r = mailfetch(args);
    assertBadArgument(
        r,
        "mailfetch oauth google me@gmail.com --token-file "
            + grant()
            + " --client-file CLIENT.json",
        args);
  }

  @Test
  void aPop3GrantWithoutAPop3Scope_isABadArgument_beforeConnecting() throws IOException {
    Path gmailOnly = grantFile(tmp.resolve("gmail.token"), OAuthEndpoints.google(), "me@gmail.com");
    String[] args = {
      "fetch",
      "pop3s://me%40gmail.com@localhost:1",
      "--oauth-grant-file",
      gmailOnly.toString(),
      "--to",
      "maildir:" + tmp.resolve("Mail")
    };
    FetchCommandTest.Run r = mailfetch(args);
    assertBadArgument(r, "the authorization does not allow logging in to POP3", args);
    assertTrue(
        r.err().contains("https://mail.google.com/")
            && r.err().contains("mailfetch oauth google me@gmail.com" + " --pop3 --token-file"),
        r.err());
  }

  @Test
  void oauthClients_thatCannotWork_areRefusedUpFront() throws IOException {
    Path google =
        Files.writeString(
            tmp.resolve("client_secret_1.apps.googleusercontent.com.json"),
            "{\"installed\":{\"client_id\":\"1.apps.googleusercontent.com\",\"client_secret\":\"s\"}}");
    Path web =
        Files.writeString(
            tmp.resolve("web.json"),
            "{\"web\":{\"client_id\":\"2.apps.googleusercontent.com\",\"client_secret\":\"s\"}}");
    Path token = tmp.resolve("t.token");
    String[] ms = {
      "oauth",
      "microsoft",
      "bob@outlook.com",
      "--token-file",
      token.toString(),
      "--client-file",
      google.toString()
    };
    assertBadArgument(
        mailfetch(ms),
        "a Google OAuth client; Microsoft signs in with an Entra app registration",
        ms);
    String[] w = {"oauth", "google", "me@gmail.com", "--client-file", web.toString()};
    assertBadArgument(mailfetch(w), "a \"Web application\" client", w);
    String[] noSecret = {"oauth", "google", "me@gmail.com", "--client-id-env", "PW"};
    assertBadArgument(mailfetch(noSecret), "--client-id-env without --client-secret-env", noSecret);
    assertFalse(Files.exists(token));
  }

  @Test
  void oauthHelp_showsProviderAndAddressAsRequired_andTheWaitsLimit() {
    FetchCommandTest.Run r = mailfetch("oauth", "--help");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("mailfetch oauth PROVIDER ADDRESS"), r.out());
    assertFalse(r.out().contains("[PROVIDER]") || r.out().contains("[ADDRESS]"), r.out());
    assertTrue(r.out().contains("at most 86400"), r.out());
  }

  @Test
  void gmailDate_takesHeaderOrReceived() throws IOException {
    String[] args =
        fetch(
            "--to",
            "gmail:me@gmail.com",
            "--gmail-token-file",
            grant().toString(),
            "--gmail-date",
            "sent");
    assertBadArgument(mailfetch(args), "--gmail-date sent: write header", args);
  }

  @Test
  void theHiddenApiAddress_mustBeOnThisMachine() throws IOException {
    String[] args =
        fetch(
            "--to",
            "gmail:me@gmail.com",
            "--gmail-token-file",
            grant().toString(),
            "--gmail-api",
            "https://example.org/");
    assertBadArgument(mailfetch(args), "--gmail-api", args);
  }

  @Test
  void aPop3GrantFile_thatIsMissing_namesTheOption_andIsExclusiveWithAPassword()
      throws IOException {
    Path missing = tmp.resolve("pop-grant");
    String[] args = {
      "fetch", "pop3s://alice@localhost:1", "--oauth-grant-file", missing.toString()
    };
    FetchCommandTest.Run r = mailfetch(args);
    assertBadArgument(r, "--oauth-grant-file " + missing + ": no such file", args);
    assertTrue(r.err().contains("mailfetch oauth"), r.err());
    String[] both = {
      "fetch",
      "pop3s://alice@localhost:1",
      "--password-env",
      "PW",
      "--oauth-grant-file",
      grant().toString()
    };
    assertBadArgument(mailfetch(both), "exclude each other", both);
  }

  /** A real authorization file, as mailfetch oauth writes it (mode 0600). */
  static Path grantFile(Path file, OAuthEndpoints endpoints, String account) throws IOException {
    OAuthTokenFile.builder()
        .endpoints(endpoints)
        .clientId("client-id.apps.example")
        .clientSecret("client-secret")
        .scopes(
            endpoints.provider() == OAuthEndpoints.Provider.MICROSOFT
                ? OAuthScopes.MICROSOFT_POP3
                : OAuthScopes.GMAIL_IMPORT)
        .account(account)
        .refreshToken("refresh-token-secret")
        .build()
        .write(file);
    return file;
  }

  @Test
  void aGrantFileOthersMayRead_isConfiguration78_withChmod_onTheCommandLineAndInAConfigFile()
      throws IOException {
    Path f = grantFile(tmp.resolve("open.token"), OAuthEndpoints.google(), "me@gmail.com");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    String[] args = fetch("--to", "gmail:me@gmail.com", "--gmail-token-file", f.toString());
    FetchCommandTest.Run r = mailfetch(args);
    assertEquals(78, r.exit(), r.err());
    assertTrue(
        r.err().contains("CONFIGURATION") && r.err().contains("--gmail-token-file " + f), r.err());
    assertTrue(r.err().contains("chmod 600 " + f), r.err());
    assertFalse(r.err().contains("; Make it"), "a sentence of its own: " + r.err());
    assertFalse(
        r.err().contains("refresh-token-secret") || r.err().contains("client-secret"), r.err());
    Path config =
        Files.writeString(
            tmp.resolve("accounts.properties"),
            String.join(
                "\n",
                "a.url = pop3s://alice@localhost:1",
                "a.password-env = PW",
                "a.to = gmail:me@gmail.com",
                "a.gmail-token-file = " + f,
                "a.state = " + tmp.resolve("state"),
                ""));
    for (String command : new String[] {"fetch", "poll"}) {
      FetchCommandTest.Run c =
          command.equals("poll")
              ? mailfetch("poll", "--config", config.toString(), "--once")
              : mailfetch("fetch", "--config", config.toString());
      assertEquals(78, c.exit(), command + ": " + c.err());
      assertTrue(c.err().contains("chmod 600 " + f), command + ": " + c.err());
      assertFalse(c.err().contains("Correct what the message names"), command + ": " + c.err());
    }
  }

  @Test
  void aGrantForAnotherAccount_orAnotherProvider_isRefusedBeforeAnythingIsOpened()
      throws IOException {
    Path other =
        grantFile(tmp.resolve("other.token"), OAuthEndpoints.google(), "someone@gmail.com");
    String[] args = fetch("--to", "gmail:me@gmail.com", "--gmail-token-file", other.toString());
    FetchCommandTest.Run r = mailfetch(args);
    assertBadArgument(r, "the authorization is for someone@gmail.com, not me@gmail.com", args);
    assertTrue(
        r.err().contains("mailfetch oauth google me@gmail.com --token-file " + other), r.err());
    Path ms =
        grantFile(tmp.resolve("ms.token"), OAuthEndpoints.microsoft("common"), "me@gmail.com");
    String[] msArgs = fetch("--to", "gmail:me@gmail.com", "--gmail-token-file", ms.toString());
    assertBadArgument(
        mailfetch(msArgs), "a Microsoft authorization; delivery into Gmail needs Google's", msArgs);
    assertFalse(Files.exists(tmp.resolve("state")), "nothing created");
  }

  @Test
  void oauth_anUnknownProvider_namesTheProviders() {
    String[] args = {"oauth", "yahoo", "me@yahoo.com"};
    FetchCommandTest.Run r = mailfetch(args);
    assertBadArgument(r, "google", args);
    assertTrue(r.err().contains("microsoft"), r.err());
  }

  @Test
  void oauth_withoutAClient_saysWhereTheClientIdComesFrom() {
    String[] args = {
      "oauth", "google", "me@gmail.com", "--token-file", tmp.resolve("t").toString()
    };
    FetchCommandTest.Run r = mailfetch(args);
    assertBadArgument(r, "--client-file", args);
    assertTrue(r.err().contains("--client-id-env"), r.err());
    assertFalse(Files.exists(tmp.resolve("t")));
  }

  @Test
  void oauth_withSomethingThatIsNotAnAddress_saysSo() {
    String[] args = {"oauth", "google", "me", "--client-id-env", "PW"};
    assertBadArgument(mailfetch(args), "e-mail address", args);
  }

  @Test
  void oauth_aClientIdVariableThatIsNotSet_namesIt() {
    String[] args = {"oauth", "google", "me@gmail.com", "--client-id-env", "NOT_SET_HERE"};
    assertBadArgument(
        mailfetch(args),
        "--client-id-env NOT_SET_HERE: that environment variable is not set",
        args);
  }

  @Test
  void doctor_gmailWithoutAnAddress_namesTheForm() {
    String[] args = {"doctor", "gmail:"};
    assertBadArgument(mailfetch(args), "gmail:me@gmail.com", args);
  }

  @Test
  void aConfigAccount_intoGmail_withABadAddress_isThatAccountsBadArgument() throws IOException {
    Path config =
        Files.writeString(
            tmp.resolve("a.properties"),
            "a.url = pop3s://alice@localhost:1\n"
                + "a.password-env = PW\na.to = gmail:nobody\na.state = "
                + tmp.resolve("s")
                + "\n");
    FetchCommandTest.Run r = mailfetch("fetch", "--config", config.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(
        r.err().contains("a.to = gmail:nobody") || r.err().contains("gmail:nobody"), r.err());
    assertTrue(r.err().contains("e-mail address"), r.err());
  }
}
