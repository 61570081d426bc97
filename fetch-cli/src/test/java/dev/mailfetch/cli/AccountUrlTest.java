package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    assertEquals(
        new AccountUrl("pop3s", "a", "::1", 995, null), AccountUrl.parse("pop3s://a@[::1]:995"));
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

  /**
   * A refusal is printed on stderr, into logs and cron mails: it never shows the secret it refuses,
   * whatever the URL's other faults (a typo in the scheme, a '/' or '@' in the password, a path).
   */
  @Test
  void aPasswordInTheUrl_isNeverShown_inAnyRefusal() {
    String secret = "hun/ter?2#x";
    for (String url :
        new String[] {
          "pop3s://alice:" + secret + "@host",
          "pop3s://alice:" + secret + "@host:995",
          "pop3ss://alice:" + secret + "@host",
          "pop3s:/alice:" + secret + "@host",
          "alice:" + secret + "@host",
          "pop3s://alice@example.org:" + secret + "@host",
          "imaps://alice:" + secret + "@host/INBOX",
          "imaps://alice:" + secret + "@host/INBOX;UID=3",
        }) {
      String message =
          assertThrows(IllegalArgumentException.class, () -> AccountUrl.parse(url), url)
              .getMessage();
      assertFalse(message.contains("hun"), message);
      assertFalse(message.contains("2#x"), message);
    }
    for (String to :
        new String[] {
          "imaps://bob:" + secret + "@host/INBOX",
          "smtp://bob:" + secret + "@host",
          "smtp://bob:" + secret + "@host/path",
          "lmtp:bob:" + secret + "@host",
          "smtps://bob@example.org:" + secret + "@host",
        }) {
      String message =
          assertThrows(IllegalArgumentException.class, () -> SinkUrl.parse(to), to).getMessage();
      assertFalse(message.contains("hun"), message);
      assertFalse(message.contains("2#x"), message);
    }
    assertEquals(
        "URL \"pop3s://alice:***@host\" holds a password: secrets never go on the command line"
            + " (the password is not shown here); give it with --password-env NAME or"
            + " --password-file FILE (write ':' in a user name as %3A)",
        assertThrows(
                IllegalArgumentException.class,
                () -> AccountUrl.parse("pop3s://alice:" + secret + "@host"))
            .getMessage());
    assertEquals(
        "imaps://alice@host:***@x",
        AccountUrl.withoutPassword("imaps://alice@host:993/Lists@x"),
        "a message may hide more than a password");
    assertEquals(
        "Lists@x",
        AccountUrl.parse("imaps://alice@host:993/Lists@x").folder(),
        "what is parsed is the URL itself: a port and a folder with an '@' are no password");
  }

  @Test
  void aSlipInTheScheme_isAnsweredWithTheUrlMeant() {
    for (String[] c :
        new String[][] {
          {"pop3ss://alice@host", "did you mean pop3s://alice@host?"},
          {"pops://alice@host", "did you mean pop3s://alice@host?"},
          {"iamps://alice@host/INBOX", "did you mean imaps://alice@host/INBOX?"},
          {"pop3s:/alice@host", "did you mean pop3s://alice@host?"},
          {"IMAP:alice@host", "did you mean imap://alice@host?"},
          {"alice@host", "did you mean pop3s://alice@host (or imaps://alice@host)?"},
          {"pop3ss://alice:pw@host", "did you mean pop3s://alice:***@host?"},
        }) {
      String message =
          assertThrows(IllegalArgumentException.class, () -> AccountUrl.parse(c[0]), c[0])
              .getMessage();
      assertTrue(message.endsWith("; " + c[1]), message);
    }
    for (String far : new String[] {"smtp://alice@host", "https://host", "host"}) {
      String message =
          assertThrows(IllegalArgumentException.class, () -> AccountUrl.parse(far)).getMessage();
      assertFalse(message.contains("did you mean"), message);
    }
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
