package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
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

/**
 * What identifies an account (docs/state.md): the user as typed and the server's host name
 * without regard to case or a trailing dot (ArgumentsTest checks the dot); not the port, not the address it resolves to. A new
 * account whose user and server match a known one under another host name is warned of.
 */
@Timeout(120)
class AccountIdentityTest {
  private static final String PASSWORD = "identity pw";
  @TempDir Path tmp;

  private FetchCommandTest.Run fetch(FakePop3Server s, String user, String host, String... more) {
    List<String> args = new ArrayList<>(List.of("fetch", "pop3://" + user + "@" + host + ":" + s.port(), "--password-env",
        "PW", "--tls", "none", "--allow-plaintext-auth", "--to", "maildir:" + tmp.resolve("Mail"), "--dedup", "none"));
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
    try (FakePop3Server s = FakePop3Server.builder().account("alice", PASSWORD, MailCorpus.generate(91, 3).toMailbox()).start()) {
      FetchCommandTest.Run first = fetch(s, "alice", "LocalHost");
      assertEquals(0, first.exit(), first.out() + first.err());
      assertTrue(first.out().contains("3 listed: 3 stored"), first.out());
      FetchCommandTest.Run second = fetch(s, "alice", "localhost");
      assertEquals(0, second.exit(), second.out() + second.err());
      assertTrue(second.out().contains("3 listed: 0 stored (0 B), 3 already there"), second.out());
      assertEquals(3, count(tmp.resolve("Mail/new")));
      assertTrue(Files.isDirectory(tmp.resolve("Mail/mailfetch-state/alice@localhost")), "the state under the canonical name");
    }
  }

  @Test
  void aNameAndItsAddress_areTwoAccounts_andTheNewOneIsWarnedOfOnce() throws IOException {
    try (FakePop3Server s = FakePop3Server.builder().account("alice", PASSWORD, MailCorpus.generate(92, 3).toMailbox())
        .account("bob", PASSWORD, MailCorpus.generate(93, 1).toMailbox()).start()) {
      FetchCommandTest.Run first = fetch(s, "alice", "localhost");
      assertEquals(0, first.exit(), first.err());
      assertFalse(first.err().contains("same server"), first.err());
      FetchCommandTest.Run bob = fetch(s, "bob", "127.0.0.1");
      assertFalse(bob.err().contains("same server"), "another user is another mailbox: " + bob.err());

      FetchCommandTest.Run alias = fetch(s, "alice", "127.0.0.1", "--quiet");
      assertEquals(0, alias.exit(), alias.err());
      assertTrue(alias.err().contains("127.0.0.1") && alias.err().contains("localhost")
          && alias.err().contains("same server") && alias.err().contains("pop3://alice@localhost"), alias.err());
      assertEquals(1, alias.err().lines().filter(l -> l.contains("same server")).count(), alias.err());

      FetchCommandTest.Run again = fetch(s, "alice", "127.0.0.1");
      assertFalse(again.err().contains("same server"), "told once, when the account is new: " + again.err());
      assertTrue(again.out().contains("3 already there"), again.out());
    }
  }

  @Test
  void aStateKeptUnderTheHostAsTyped_byAnEarlierVersion_isStillFound() throws IOException {
    try (FakePop3Server s = FakePop3Server.builder().account("alice", PASSWORD, MailCorpus.generate(94, 2).toMailbox()).start()) {
      Path state = tmp.resolve("Mail/mailfetch-state");
      Path legacy = JournalUidStore.directoryFor(state, "alice@LocalHost");
      try (JournalUidStore store = JournalUidStore.open(legacy)) {
        store.recordFirstRun(Instant.now());
        store.sync();
      }
      long before = Files.size(legacy.resolve("uids.journal"));
      FetchCommandTest.Run r = fetch(s, "alice", "LocalHost");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertFalse(Files.exists(JournalUidStore.directoryFor(state, "alice@localhost")), "no second state for the account");
      assertTrue(Files.size(legacy.resolve("uids.journal")) > before, "the earlier state was used");
      assertFalse(r.err().contains("same server"), r.err());
    }
  }
}
