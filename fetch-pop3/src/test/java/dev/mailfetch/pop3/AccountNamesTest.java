package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The name a POP3 account's state is kept under, one rule for the library and the command: the user
 * as given, the host as DNS compares it (no case, no trailing dot, an international name in ASCII,
 * an IPv6 address in its one short form) and the port where it is not POP3's 110 or 995.
 */
class AccountNamesTest {
  private static Pop3Source.Builder source(String host) {
    return Pop3Source.builder().host(host).user("alice").password(() -> "pw");
  }

  @Test
  void theDefaultAccount_isUserAtHost_onPop3sTwoPorts() {
    assertEquals("alice@mail.example.org", source("Mail.Example.ORG.").build().account());
    assertEquals("alice@mail.example.org", source("mail.example.org").port(995).build().account());
    assertEquals(
        "alice@mail.example.org",
        source("mail.example.org").security(Security.STARTTLS).build().account());
    assertEquals(
        "alice@mail.example.org",
        source("mail.example.org").security(Security.STARTTLS).port(110).build().account());
  }

  /** Two tunnels on one host are two mailboxes: the port keeps their states apart. */
  @Test
  void theDefaultAccount_namesAnyOtherPort() {
    assertEquals("alice@localhost:1110", source("localhost").port(1110).build().account());
    assertEquals("alice@localhost:1995", source("LOCALHOST").port(1995).build().account());
    assertEquals(
        "alice@localhost",
        source("localhost").port(110).build().account(),
        "110 with implicit TLS is still one of POP3's two ports");
  }

  @Test
  void theDefaultAccount_writesAddressesAndInternationalNames_inOneForm() {
    assertEquals("alice@[::1]:1110", source("0:0:0:0:0:0:0:1").port(1110).build().account());
    assertEquals("alice@::1", source("::1").build().account());
    assertEquals("alice@2001:db8::1", source("2001:DB8:0:0:0:0:0:1").build().account());
    assertEquals("alice@xn--bcher-kva.example", source("Bücher.example").build().account());
    assertEquals("alice@192.0.2.1:2110", source("192.0.2.1").port(2110).build().account());
  }

  @Test
  void anAccountGiven_isKeptAsGiven() {
    assertEquals(
        "my-own-name", source("localhost").port(1110).account("my-own-name").build().account());
  }

  @Test
  void theRule_isPublic_forWhoeverKeepsStateUnderTheSameNames() {
    assertEquals("Alice@mail.example.org", AccountNames.of("Alice", "MAIL.example.org.", 0));
    assertEquals("alice@mail.example.org:2995", AccountNames.of("alice", "mail.example.org", 2995));
    assertEquals("mail.example.org", AccountNames.host(" Mail.Example.Org. "));
    assertEquals("::1", AccountNames.host("[0:0:0:0:0:0:0:1]"));
    assertEquals(
        true,
        AccountNames.isDefaultPort(995)
            && AccountNames.isDefaultPort(110)
            && AccountNames.isDefaultPort(0)
            && !AccountNames.isDefaultPort(1110));
  }
}
