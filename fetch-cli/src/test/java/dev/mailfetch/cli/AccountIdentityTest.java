package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.imap.ImapSource;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * What identifies an account (docs/state.md): the user as typed, the server's host name without
 * regard to case or a trailing dot (ArgumentsTest checks the dot), and the port unless it is 110 or
 * 995; not the address it resolves to. A new account whose user and server match a known one under
 * another host name is warned of; two such accounts in one config file are refused as one mailbox.
 * A state an earlier version kept without a port is still found.
 */
@Timeout(120)
class AccountIdentityTest {
  private static final String PASSWORD = "identity pw";
  @TempDir Path tmp;

  private FetchCommandTest.Run fetch(FakePop3Server s, String user, String host, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "fetch",
                "pop3://" + user + "@" + host + ":" + s.port(),
                "--password-env",
                "PW",
                "--tls",
                "none",
                "--allow-plaintext-auth",
                "--to",
                "maildir:" + tmp.resolve("Mail"),
                "--dedup",
                "none"));
    args.addAll(List.of(more));
    return FetchCommandTest.mailfetch(Map.of("PW", PASSWORD), args.toArray(new String[0]));
  }

  private static long count(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void theHostsCase_namesNoOtherAccount_andNothingIsFetchedTwice() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(91, 3).toMailbox())
            .start()) {
      FetchCommandTest.Run first = fetch(s, "alice", "LocalHost");
      assertEquals(0, first.exit(), first.out() + first.err());
      assertTrue(first.out().contains("3 listed: 3 stored"), first.out());
      FetchCommandTest.Run second = fetch(s, "alice", "localhost");
      assertEquals(0, second.exit(), second.out() + second.err());
      assertTrue(second.out().contains("3 listed: 0 stored (0 B), 3 already there"), second.out());
      assertEquals(3, count(tmp.resolve("Mail/new")));
      assertTrue(
          Files.isDirectory(
              JournalUidStore.directoryFor(
                  tmp.resolve("Mail/mailfetch-state"), "alice@localhost:" + s.port())),
          "the state under the canonical name, with its port");
    }
  }

  @Test
  void aNameAndItsAddress_areTwoAccounts_andTheNewOneIsWarnedOfOnce() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(92, 3).toMailbox())
            .account("bob", PASSWORD, MailCorpus.generate(93, 1).toMailbox())
            .start()) {
      FetchCommandTest.Run first = fetch(s, "alice", "localhost");
      assertEquals(0, first.exit(), first.err());
      assertFalse(first.err().contains("same server"), first.err());
      FetchCommandTest.Run bob = fetch(s, "bob", "127.0.0.1");
      assertFalse(
          bob.err().contains("same server"), "another user is another mailbox: " + bob.err());

      FetchCommandTest.Run alias = fetch(s, "alice", "127.0.0.1", "--quiet");
      assertEquals(3, alias.exit(), "a warning: " + alias.err());
      assertTrue(
          alias.err().contains("127.0.0.1")
              && alias.err().contains("localhost")
              && alias.err().contains("same server")
              && alias.err().contains("pop3://alice@localhost"),
          alias.err());
      assertEquals(
          1, alias.err().lines().filter(l -> l.contains("same server")).count(), alias.err());
      List<String> lines = alias.err().lines().toList();
      assertEquals(
          2, lines.size(), "what happened, then what it means and what to do: " + alias.err());
      assertTrue(
          lines.get(0).startsWith("mailfetch: warning: ACCOUNT_KNOWN_ELSEWHERE: ")
              && lines.get(1).startsWith("  "),
          alias.err());

      FetchCommandTest.Run again = fetch(s, "alice", "127.0.0.1");
      assertFalse(
          again.err().contains("same server"),
          "told once, when the account is new: " + again.err());
      assertTrue(again.out().contains("3 already there"), again.out());
    }
  }

  @Test
  void aRunThatFailsBeforeListing_isNotWarnedOfAKnownAccount_theFirstRunThatListsIs_andOnlyIt()
      throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(97, 2).toMailbox())
            .start()) {
      assertEquals(0, fetch(s, "alice", "localhost").exit());
      // a wrong password: the run downloads nothing, so it is not told it downloads everything
      // again
      FetchCommandTest.Run refused =
          FetchCommandTest.mailfetch(
              Map.of("PW", "wrong"),
              "fetch",
              "pop3://alice@127.0.0.1:" + s.port(),
              "--password-env",
              "PW",
              "--tls",
              "none",
              "--allow-plaintext-auth",
              "--to",
              "maildir:" + tmp.resolve("Mail"),
              "--dedup",
              "none");
      assertEquals(20, refused.exit(), refused.err());
      assertFalse(refused.err().contains("ACCOUNT_KNOWN_ELSEWHERE"), refused.err());
      FetchCommandTest.Run refusedJson =
          FetchCommandTest.mailfetch(
              Map.of("PW", "wrong"),
              "fetch",
              "pop3://alice@127.0.0.1:" + s.port(),
              "--password-env",
              "PW",
              "--tls",
              "none",
              "--allow-plaintext-auth",
              "--to",
              "maildir:" + tmp.resolve("Mail"),
              "--dedup",
              "none",
              "--json");
      assertFalse(refusedJson.out().contains("ACCOUNT_KNOWN_ELSEWHERE"), refusedJson.out());

      FetchCommandTest.Run listed = fetch(s, "alice", "127.0.0.1");
      assertEquals(3, listed.exit(), listed.out() + listed.err());
      assertEquals(
          1,
          listed.err().lines().filter(l -> l.contains("ACCOUNT_KNOWN_ELSEWHERE")).count(),
          listed.err());
      assertTrue(listed.err().contains("this is said once"), listed.err());

      FetchCommandTest.Run next = fetch(s, "alice", "127.0.0.1");
      assertEquals(0, next.exit(), next.err());
      assertFalse(
          next.err().contains("ACCOUNT_KNOWN_ELSEWHERE"), "said once, as it claims: " + next.err());
    }
  }

  @Test
  void aStateKeptUnderTheHostAsTyped_byAnEarlierVersion_isStillFound() throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(94, 2).toMailbox())
            .start()) {
      Path state = tmp.resolve("Mail/mailfetch-state");
      Path legacy =
          JournalUidStore.directoryFor(state, "alice@LocalHost"); // as typed, without the port
      try (JournalUidStore store = JournalUidStore.open(legacy)) {
        store.recordFirstRun(Instant.now());
        store.sync();
      }
      long before = Files.size(legacy.resolve("uids.journal"));
      FetchCommandTest.Run r = fetch(s, "alice", "LocalHost");
      assertEquals(0, r.exit(), r.out() + r.err());
      Path now = JournalUidStore.directoryFor(state, "alice@localhost:" + s.port());
      assertFalse(Files.exists(legacy), "taken over, under the account's name");
      assertTrue(Files.size(now.resolve("uids.journal")) > before, "the earlier state was used");
      assertFalse(r.err().contains("same server"), r.err());
      FetchCommandTest.Run again = fetch(s, "alice", "localhost");
      assertTrue(again.out().contains("2 listed: 0 stored (0 B), 2 already there"), again.out());
    }
  }

  // ---------------------------------------------------------------- the review's findings

  @Test
  void theNameHoldsThePort_unlessItIsOneOfPop3sTwo() {
    assertEquals("alice@mail.example.org", AccountName.of("alice", "Mail.Example.ORG.", 995));
    assertEquals("alice@mail.example.org", AccountName.of("alice", "mail.example.org", 110));
    assertEquals("alice@mail.example.org", AccountName.of("alice", "mail.example.org", 0));
    assertEquals("alice@localhost:1110", AccountName.of("alice", "localhost", 1110));
    assertEquals("alice@[::1]:1110", AccountName.of("alice", "::1", 1110));
    assertEquals("alice@::1", AccountName.of("alice", "0:0:0:0:0:0:0:1", 995));
    for (String name :
        new String[] {"alice@localhost:1110", "alice@[::1]:1110", "alice@::1", "a@b@example.org"}) {
      AccountName.Parts p = AccountName.parse(name).orElseThrow();
      assertEquals(name, AccountName.of(p.user(), p.host(), p.port()), "parsed back: " + name);
    }
  }

  @Test
  void twoPortsOfOneHost_areTwoAccounts_soNoNewMailHidesAsAlreadyThere() throws IOException {
    // Two SSH tunnels on one machine, to two servers whose unique ids happen to be the same.
    try (FakePop3Server one =
            FakePop3Server.builder()
                .account("alice", PASSWORD, MailCorpus.generate(11, 3).toMailbox())
                .start();
        FakePop3Server two =
            FakePop3Server.builder()
                .account("alice", PASSWORD, MailCorpus.generate(22, 3).toMailbox())
                .start()) {
      FetchCommandTest.Run first = fetch(one, "alice", "localhost");
      assertEquals(0, first.exit(), first.out() + first.err());
      FetchCommandTest.Run second = fetch(two, "alice", "localhost");
      assertEquals(0, second.exit(), second.out() + second.err());
      assertTrue(
          second.out().contains("3 listed: 3 stored"),
          "the second server's mail is new: " + second.out());
      assertEquals(6, count(tmp.resolve("Mail/new")));
      // Both in one config file: two accounts, neither refused as the other's mailbox.
      List<String> lines = new ArrayList<>();
      for (Object[] a : new Object[][] {{"one", one.port()}, {"two", two.port()}}) {
        lines.addAll(
            List.of(
                a[0] + ".url = pop3://alice@localhost:" + a[1],
                a[0] + ".password-env = PW",
                a[0] + ".tls = none",
                a[0] + ".allow-plaintext-auth = true",
                a[0] + ".to = maildir:" + tmp.resolve("C" + a[0]),
                a[0] + ".dedup = none"));
      }
      Path config =
          Files.writeString(tmp.resolve("tunnels.properties"), String.join("\n", lines) + "\n");
      FetchCommandTest.Run both =
          FetchCommandTest.mailfetch(
              Map.of("PW", PASSWORD), "poll", "--config", config.toString(), "--once");
      assertEquals(0, both.exit(), both.out() + both.err());
      assertEquals(3, count(tmp.resolve("Cone/new")));
      assertEquals(3, count(tmp.resolve("Ctwo/new")));
    }
  }

  @Test
  void aStateWithoutAPort_isTakenByAnotherPort_unlessTheDefaultPortsMarkedItTheirs()
      throws IOException {
    Path root = tmp.resolve("state");
    Path portless = JournalUidStore.directoryFor(root, "alice@localhost");
    try (JournalUidStore store = JournalUidStore.open(portless)) {
      store.recordFirstRun(Instant.now());
    }
    AccountName.State mine = AccountName.state(root, "alice", "localhost", 995);
    assertEquals(portless, mine.directory());
    AccountName.markDefaultPorts(mine);
    AccountName.State tunnel = AccountName.state(root, "alice", "localhost", 1110);
    assertEquals(JournalUidStore.directoryFor(root, "alice@localhost:1110"), tunnel.directory());
    assertFalse(
        Files.exists(tunnel.directory()), "a new account: the default ports' state stays theirs");
    assertTrue(Files.isDirectory(portless));

    Path other = tmp.resolve("other");
    Path old = JournalUidStore.directoryFor(other, "alice@localhost");
    try (JournalUidStore store = JournalUidStore.open(old)) {
      store.recordFirstRun(Instant.now());
      AccountName.State held = AccountName.state(other, "alice", "localhost", 1110);
      assertEquals(
          old, held.directory(), "held by a run: left where it is (opening it says LOCKED)");
    }
    AccountName.State taken = AccountName.state(other, "alice", "localhost", 1110);
    assertEquals(JournalUidStore.directoryFor(other, "alice@localhost:1110"), taken.directory());
    assertTrue(
        Files.exists(taken.directory().resolve("uids.journal")) && !Files.exists(old),
        "taken over, once");
  }

  @Test
  void underJson_theSameServerUnderAnotherName_isAWarning() {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(95, 2).toMailbox())
            .start()) {
      assertEquals(0, fetch(s, "alice", "localhost").exit());
      FetchCommandTest.Run r = fetch(s, "alice", "127.0.0.1", "--json");
      assertEquals(3, r.exit(), r.out() + r.err());
      assertEquals("", r.err(), "the object is the whole report");
      Map<String, Object> j = Json.object(r.out());
      assertEquals("warning", j.get("status"));
      Map<String, Object> w = Json.map(Json.list(j.get("warnings")).get(0));
      assertEquals("ACCOUNT_KNOWN_ELSEWHERE", w.get("code"));
      assertEquals(3L, w.get("exit_code"));
      assertTrue(
          String.valueOf(w.get("remedy")).contains("pop3://alice@localhost:" + s.port()), r.out());
    }
  }

  /**
   * A warning's {@code exit_code} is the exit code it gives the run (3), the same for the library's
   * warnings (DELETION_UNCONFIRMED, whose code as an error would be 53) and the command's own
   * (ACCOUNT_KNOWN_ELSEWHERE).
   */
  @Test
  void everyJsonWarning_carriesTheExitCodeItGivesTheRun_three() {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(98, 2).toMailbox())
            .quirk(Quirk.Q35_QUIT_ERR)
            .start()) {
      assertEquals(
          0,
          fetch(s, "alice", "localhost", "--quiet").exit(),
          "nothing deleted, nothing to confirm");
      FetchCommandTest.Run r = fetch(s, "alice", "127.0.0.1", "--json", "--delete");
      assertEquals(3, r.exit(), r.out());
      Map<String, Object> j = Json.object(r.out());
      List<Object> warnings = Json.list(j.get("warnings"));
      assertEquals(
          List.of("ACCOUNT_KNOWN_ELSEWHERE", "DELETION_UNCONFIRMED"),
          warnings.stream().map(w -> Json.map(w).get("code")).toList(),
          r.out());
      for (Object w : warnings) {
        assertEquals((long) r.exit(), Json.map(w).get("exit_code"), r.out());
      }
    }
  }

  @Test
  void twoAccountsOfAConfig_atTwoNamesOfOneServer_areOneMailbox_theSecondRefused()
      throws IOException {
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", PASSWORD, MailCorpus.generate(96, 3).toMailbox())
            .start()) {
      List<String> lines = new ArrayList<>();
      for (String[] a : new String[][] {{"a", "127.0.0.1"}, {"f", "localhost"}}) {
        lines.addAll(
            List.of(
                a[0] + ".url = pop3://alice@" + a[1] + ":" + s.port(),
                a[0] + ".password-env = PW",
                a[0] + ".tls = none",
                a[0] + ".allow-plaintext-auth = true",
                a[0] + ".to = maildir:" + tmp.resolve("M" + a[0])));
      }
      Path config =
          Files.writeString(tmp.resolve("accounts.properties"), String.join("\n", lines) + "\n");
      for (String command : new String[] {"poll", "fetch"}) {
        FetchCommandTest.Run r =
            command.equals("poll")
                ? FetchCommandTest.mailfetch(
                    Map.of("PW", PASSWORD), "poll", "--config", config.toString(), "--once")
                : FetchCommandTest.mailfetch(
                    Map.of("PW", PASSWORD), "fetch", "--config", config.toString());
        assertEquals(2, r.exit(), command + ": " + r.out() + r.err());
        assertTrue(
            r.err().contains("account f")
                && r.err().contains("same mailbox as account a")
                && r.err().contains("same server"),
            command + ": " + r.err());
        assertFalse(
            r.err().contains("LOCKED"), command + ": never two sessions at once: " + r.err());
        assertEquals(3, count(tmp.resolve("Ma/new")), command);
        assertFalse(Files.exists(tmp.resolve("Mf")), command + ": nothing downloaded twice");
      }
    }
  }

  @Test
  void twoImapAccountsOfAConfig_atTwoNamesOfOneServer_onItsDefaultPort_areOneMailbox()
      throws IOException {
    Path config =
        Files.writeString(
            tmp.resolve("accounts.properties"),
            "a.url = imaps://alice@127.0.0.1\n"
                + "a.password-env = PW\n"
                + "a.to = maildir:"
                + tmp.resolve("Ma")
                + "\n"
                + "f.url = imaps://alice@localhost:993\n"
                + "f.password-env = PW\n"
                + "f.to = maildir:"
                + tmp.resolve("Mf")
                + "\n");
    Map<String, Map<String, String>> accounts =
        AccountsFile.load(config, new CommandLine(new FetchCommand()));
    assertFalse(AccountsFile.args(accounts.get("a"), List.of()).isEmpty(), "the first is read");
    ParameterException refused =
        assertThrows(
            ParameterException.class, () -> AccountsFile.args(accounts.get("f"), List.of()));
    assertTrue(
        refused.getMessage().contains("same mailbox as account a")
            && refused.getMessage().contains("same server"),
        "993 is IMAP's default port as an absent one is: " + refused.getMessage());
  }

  @Test
  void theCommandsImapStateName_isTheLibrarysDefaultAccount_andKeepsItsEarlierNames() {
    FetchCommand c = new FetchCommand();
    CommandLine line = new CommandLine(c);
    Map<String, String> earlier =
        Map.of(
            "imaps://alice@Mail.Example.ORG.", "imap:alice@mail.example.org",
            "imap://alice@mail.example.org:143", "imap:alice@mail.example.org",
            "imaps://alice%40example.org@localhost:1993", "imap:alice@example.org@localhost:1993");
    for (Map.Entry<String, String> e : earlier.entrySet()) {
      ServerOptions.Account a = c.server.account(e.getKey(), line.getCommandSpec());
      String library =
          ImapSource.builder()
              .host(a.host())
              .port(a.port())
              .user(a.user())
              .password(() -> PASSWORD)
              .build()
              .account();
      assertEquals(e.getValue(), a.name(), e.getKey() + ": the name the command kept before");
      assertEquals(a.name(), library, e.getKey() + ": one state for a program and the command");
    }
    ServerOptions.Account v6 = c.server.account("imaps://alice@[::1]:1993", line.getCommandSpec());
    assertEquals("imap:alice@[::1]:1993", v6.name(), "the port cannot be read as the address's");
  }
}
