package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Advice names what its reader can type: {@code fetch URL} every option; an account of a config
 * file ({@code fetch --config}, {@code poll}) the options its command takes, and the file's lines
 * for the rest. Every option of fetch a remedy could name is tried in both.
 */
class AdviceTest {
  private static final Path FILE = Path.of("accounts.properties");
  private static final Advice CONFIG =
      Advice.configFile("work", FILE, Advice.FETCH_CONFIG_OPTIONS, false);
  private static final Advice POLL = Advice.configFile("work", FILE, Advice.POLL_OPTIONS, true);

  @Test
  void onTheCommandLine_theAdviceIsAsTheLibrarySaysIt() {
    String s = "If the message is expected, fetch it with --max-message-size 22K (or more).";
    assertEquals(s, Advice.COMMAND_LINE.words(s));
  }

  @Test
  void forAConfigAccount_anOptionTheCommandDoesNotTake_isTheFilesLine() {
    assertEquals(
        "If the message is expected, set work.max-message-size = 22K in accounts.properties (or more).",
        CONFIG.words(
            "If the message is expected, fetch it with --max-message-size 22K (or more)."));
    assertEquals(
        "To fetch it, set work.max-message-size = 30K in accounts.properties (or more).",
        CONFIG.words("To fetch it, run with --max-message-size 30K (or more)."));
    assertEquals(
        "Tell the provider; work.quirk = Q01 in accounts.properties accepts it.",
        CONFIG.words("Tell the provider; --quirk Q01 accepts it."));
    assertEquals(
        "Give it more time with work.timeout = SECONDS in accounts.properties; otherwise try again later.",
        CONFIG.words("Give it more time with --timeout SECONDS; otherwise try again later."));
    assertEquals(
        "Use STARTTLS (a pop3:// URL, or work.tls = starttls in accounts.properties).",
        CONFIG.words("Use STARTTLS (a pop3:// URL, or --tls starttls)."));
    assertEquals(
        "Set work.delete = true in accounts.properties: leave-on-server cannot work.",
        CONFIG.words("Fetch with --delete: leave-on-server cannot work."));
    assertEquals(
        "Run with work.only-new = false in accounts.properties and with work.delete = true.",
        CONFIG.words("Run without --only-new and with --delete."));
    assertEquals(
        "Check the work.label-rule in accounts.properties patterns.",
        CONFIG.words("Check the --label-rule patterns."));
    assertEquals(
        "Without TLS needs work.tls = none in accounts.properties and work.allow-plaintext-auth = true.",
        CONFIG.words("Without TLS needs --tls none --allow-plaintext-auth."));
    // what the command takes stays as it is
    assertEquals(
        "Fix it, then run once with --retry-quarantined; --trace shows it; --verbose too.",
        CONFIG.words(
            "Fix it, then run once with --retry-quarantined; --trace shows it; --verbose too."));
  }

  @Test
  void aPoll_saysToRestartAfterAChangeToTheFile_andTakesItsOwnOptions() {
    String s =
        POLL.words("Check less often (for poll, raise --min-interval); or --timeout SECONDS.");
    assertTrue(
        s.contains("raise --min-interval")
            && s.contains("work.timeout = SECONDS in accounts.properties")
            && s.endsWith(
                "The poll reads accounts.properties when it starts: restart it after the change."),
        s);
  }

  @Test
  void theServePage_namesItsResumeButton_notARestartOfThePoll() {
    String s = POLL.pageWords("Raise it, or run with --timeout SECONDS.", true);
    assertTrue(s.contains("work.timeout = SECONDS in accounts.properties"), s);
    assertTrue(
        s.endsWith(
            "mailfetch serve reads accounts.properties when it starts: restart it after changing"
                + " the account's lines there; after fixing only a password or token file, press"
                + " Resume."),
        s);
    assertFalse(s.contains("The poll reads"), s);
    assertEquals(
        "Check the password. " + Advice.RESUME, POLL.pageWords("Check the password.", true));
    assertEquals("Check the password.", POLL.pageWords("Check the password.", false));
    assertEquals(Advice.RESUME, POLL.pageWords(null, true));
    // poll's own words are unchanged
    assertTrue(POLL.words("Run with --timeout SECONDS.").endsWith("restart it after the change."));
  }

  @Test
  void everyOptionOfFetch_isAdvisedAsSomethingTheCommandTakes() {
    Set<String> configTakes = PollCommandTest.optionsOf("fetch");
    configTakes.retainAll(prefixed(Advice.FETCH_CONFIG_OPTIONS));
    Set<String> pollTakes = PollCommandTest.optionsOf("poll");
    for (OptionSpec o : new CommandLine(new FetchCommand()).getCommandSpec().options()) {
      if (!o.longestName().startsWith("--") || o.usageHelp() || o.versionHelp()) {
        continue;
      }
      String value = o.arity().max() == 0 ? "" : " VALUE";
      for (String sentence :
          new String[] {
            "Run with " + o.longestName() + value + ".",
            "Try " + o.longestName() + value + " (or not).",
            "Use " + o.longestName() + value + "; then " + o.longestName() + value + " again."
          }) {
        for (Object[] c :
            new Object[][] {{CONFIG, configTakes, "fetch --config"}, {POLL, pollTakes, "poll"}}) {
          String said = ((Advice) c[0]).words(sentence);
          Set<String> named = PollCommandTest.optionsNamed(said);
          named.removeAll((Set<?>) c[1]);
          assertEquals(Set.of(), named, c[2] + ": " + sentence + " -> " + said);
        }
      }
    }
  }

  private static Set<String> prefixed(Set<String> names) {
    Set<String> s = new TreeSet<>();
    for (String n : names) {
      s.add("--" + n);
    }
    return s;
  }
}
