package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AccountUrlTest {
  @Test
  void aUrl_givesItsSchemeUserHostAndPort_withThePortZeroWhenLeftOut() {
    assertEquals(
        new AccountUrl("pop3s", "alice", "mail.example.org", 0, null),
        AccountUrl.parse("pop3s://alice@mail.example.org"));
    assertEquals(
        new AccountUrl("pop3", "bob", "10.0.0.5", 1110, null),
        AccountUrl.parse("POP3://bob@10.0.0.5:1110/"));
    assertEquals(new AccountUrl("pop3s", "a", "::1", 995, null), AccountUrl.parse("pop3s://a@[::1]:995"));
  }

  @Test
  void anImapUrl_mayNameAFolder_percentDecoded_withItsSlashes() {
    assertEquals(
        new AccountUrl("imaps", "alice", "imap.example.org", 0, "Lists/java"),
        AccountUrl.parse("imaps://alice@imap.example.org/Lists/java"));
    assertEquals(
        new AccountUrl("imap", "bob", "h", 1143, "Entwürfe"),
        AccountUrl.parse("imap://bob@h:1143/Entw%C3%BCrfe"));
    assertEquals(null, AccountUrl.parse("imaps://alice@h/").folder());
  }

  @Test
  void aUserName_isPercentDecoded_andAPlusStaysAPlus() {
    assertEquals("me@example.org:x+y", AccountUrl.parse("pop3s://me%40example.org%3Ax+y@h").user());
  }

  @Test
  void at_writesTheSameAccountAtAnotherHost_escapingTheUser() {
    AccountUrl u = AccountUrl.parse("pop3://me%40example.org@old.example.org:1110");
    assertEquals("pop3://me%40example.org@[::1]:1110", u.at("[::1]"));
  }

  @Test
  void aPasswordInTheUrl_isRefused_namingTheOptionsForSecrets() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> AccountUrl.parse("pop3s://alice:pw@host"));
    assertTrue(e.getMessage().contains("--password-env NAME or --password-file FILE"));
  }

  @Test
  void whatIsNotAnAccountUrl_isRefusedInTheWordsOfTheUrl() {
    for (String bad :
        new String[] {
          "smtp://a@h",
          "imaps://a@h/INBOX;UID=3",
          "imaps://a@h/INBOX?x",
          "pop3s://h",
          "pop3s://a@h/INBOX",
          "pop3s://a@h:0",
          "pop3s://a@h:x",
          "pop3s://a@[h]",
          "pop3s://a%zz@h",
          "pop3s://a%0D%0A@h",
          "pop3s://a@"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> AccountUrl.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("URL \""), e.getMessage());
    }
  }
}
