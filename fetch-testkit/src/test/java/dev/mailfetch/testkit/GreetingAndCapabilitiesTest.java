package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q06_LONG_STATUS_LINE;
import static dev.mailfetch.testkit.Quirk.Q16_GREETING_JUNK;
import static dev.mailfetch.testkit.Quirk.Q18_APOP_FALSE_TIMESTAMP;
import static dev.mailfetch.testkit.Quirk.Q20_CAPA_MISLEADING;
import static dev.mailfetch.testkit.Quirk.Q24_NO_UIDL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@link Greeting} and {@link CapabilityList} derive from a server's settings and quirks. */
class GreetingAndCapabilitiesTest {
  private static final Dialect RFC = Dialect.of(Set.of(), true);

  private static FakePop3Server.Settings settings(FakePop3Server.Builder b) {
    return new FakePop3Server.Settings(b);
  }

  @Test
  void greeting_carriesTheApopTimestamp_onlyWhereApopIsOffered() {
    FakePop3Server.Settings apop = settings(FakePop3Server.builder().apop(true));
    String stamp = Greeting.apopTimestamp(apop);
    assertTrue(stamp.matches("<[0-9]+\\.[0-9]+@fake\\.invalid>"), stamp);
    assertEquals(List.of("+OK ready " + stamp), Greeting.lines("ready", Set.of(), RFC, stamp));
    assertNull(Greeting.apopTimestamp(settings(FakePop3Server.builder())));
    assertNull(
        Greeting.apopTimestamp(
            settings(FakePop3Server.builder().apop(true).quirk(Q18_APOP_FALSE_TIMESTAMP))));
  }

  @Test
  void greeting_Q06_Q16_Q18() {
    assertEquals(
        List.of("+OK E.Novation POP3 server ready <a.b.c>"),
        Greeting.lines("ready", Set.of(Q18_APOP_FALSE_TIMESTAMP), RFC, null));
    assertEquals(
        "+OK ready ".length() + 10 * 1024,
        Greeting.lines("ready", Set.of(Q06_LONG_STATUS_LINE), RFC, null).get(0).length());
    assertEquals(
        List.of(
            "+OK ready",
            "This server welcomes you; read the notice below",
            "",
            "+OK second greeting line"),
        Greeting.lines("ready", Set.of(Q16_GREETING_JUNK), RFC, null));
  }

  @Test
  void capabilities_derivedFromTheBuilder_beforeAndAfterLogin() {
    FakePop3Server.Settings s = settings(FakePop3Server.builder().expire("30").loginDelay(900));
    assertEquals(
        List.of(
            "TOP",
            "UIDL",
            "RESP-CODES",
            "AUTH-RESP-CODE",
            "PIPELINING",
            "EXPIRE 30",
            "LOGIN-DELAY 900",
            "USER",
            "SASL PLAIN LOGIN XOAUTH2 OAUTHBEARER",
            "STLS",
            "IMPLEMENTATION mailfetch-testkit"),
        CapabilityList.lines(s, RFC, false, false, true));
    assertEquals(
        List.of(
            "TOP",
            "UIDL",
            "RESP-CODES",
            "AUTH-RESP-CODE",
            "PIPELINING",
            "EXPIRE 30",
            "LOGIN-DELAY 900",
            "IMPLEMENTATION mailfetch-testkit"),
        CapabilityList.lines(s, RFC, true, false, false));
  }

  @Test
  void capabilities_Q20_misleadsBeforeLogin_Q24_hasNoUidl() {
    FakePop3Server.Settings q20 = settings(FakePop3Server.builder().quirk(Q20_CAPA_MISLEADING));
    assertEquals(
        List.of("TOP", "USER", "RESP_CODES", "LAST", "AUTH=PLAIN"),
        CapabilityList.lines(q20, RFC, false, false, false));
    FakePop3Server.Settings q24 = settings(FakePop3Server.builder().quirk(Q24_NO_UIDL));
    assertTrue(!CapabilityList.lines(q24, RFC, true, false, false).contains("UIDL"));
  }

  @Test
  void capabilities_givenForAPhase_replaceTheDerivedOnes_inThatPhaseOnly() {
    FakePop3Server.Settings s =
        settings(
            FakePop3Server.builder()
                .capabilities(FakePop3Server.CapaPhase.AFTER_LOGIN, "TOP", "X-ONLY"));
    assertEquals(List.of("TOP", "X-ONLY"), CapabilityList.lines(s, RFC, true, false, false));
    assertTrue(CapabilityList.lines(s, RFC, false, false, false).contains("UIDL"));
  }
}
