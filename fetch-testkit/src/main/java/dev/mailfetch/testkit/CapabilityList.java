package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q20_CAPA_MISLEADING;
import static dev.mailfetch.testkit.Quirk.Q24_NO_UIDL;
import static dev.mailfetch.testkit.Quirk.Q38_LOGIN_DELAY_CODE;
import static dev.mailfetch.testkit.Quirk.Q49_PROPRIETARY_AUTH;
import static dev.mailfetch.testkit.Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The capabilities a server built with these settings lists for CAPA (RFC 2449) when the test gave
 * none for the phase ({@link FakePop3Server.Builder#capabilities}): what it does, as the builder
 * and the quirks (Q20, Q24, Q38, Q49, Q52) say.
 */
final class CapabilityList {
  private CapabilityList() {}

  /**
   * The lines after CAPA's {@code +OK}: those the test gave for this phase, else {@link #derived}.
   *
   * @param loggedIn whether the session is in TRANSACTION
   * @param inTls whether the session runs inside TLS
   * @param offersStls whether STLS is on offer now
   */
  static List<String> lines(
      FakePop3Server.Settings s,
      Dialect dialect,
      boolean loggedIn,
      boolean inTls,
      boolean offersStls) {
    FakePop3Server.CapaPhase phase =
        loggedIn
            ? FakePop3Server.CapaPhase.AFTER_LOGIN
            : inTls && s.tls == TlsMode.STLS
                ? FakePop3Server.CapaPhase.AFTER_TLS
                : FakePop3Server.CapaPhase.BEFORE_TLS;
    List<String> lines = s.capaOverrides.get(phase);
    return lines != null ? lines : derived(s, dialect, loggedIn, offersStls);
  }

  /**
   * The lines after CAPA's {@code +OK}.
   *
   * @param loggedIn whether the session is in TRANSACTION
   * @param offersStls whether STLS is on offer now (not after TLS)
   */
  static List<String> derived(
      FakePop3Server.Settings s, Dialect dialect, boolean loggedIn, boolean offersStls) {
    Set<Quirk> quirks = s.quirks;
    List<String> lines = new ArrayList<>();
    if (quirks.contains(Q20_CAPA_MISLEADING) && !loggedIn) {
      lines.add("TOP");
      lines.add("USER");
      lines.add("RESP_CODES");
      lines.add("LAST");
      lines.add("AUTH=PLAIN");
      return lines;
    }
    lines.add("TOP");
    if (!quirks.contains(Q24_NO_UIDL)) {
      lines.add("UIDL");
    }
    if (quirks.contains(Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8)) {
      lines.add("UTF8 USER");
    }
    if (dialect.respCodes()) {
      lines.add("RESP-CODES");
      lines.add("AUTH-RESP-CODE");
    }
    if (s.pipelining) {
      lines.add("PIPELINING");
    }
    if (s.expire != null) {
      lines.add("EXPIRE " + s.expire);
    }
    if (s.loginDelay != null) {
      lines.add("LOGIN-DELAY " + s.loginDelay);
    } else if (quirks.contains(Q38_LOGIN_DELAY_CODE)) {
      lines.add("LOGIN-DELAY 900");
    }
    if (!loggedIn) {
      if (quirks.contains(Q49_PROPRIETARY_AUTH)) {
        lines.add("SASL MSN RPA");
      } else {
        if (s.userCommand) {
          lines.add("USER");
        }
        if (!s.mechanisms.isEmpty()) {
          lines.add("SASL " + String.join(" ", s.mechanisms));
        }
      }
      if (offersStls) {
        lines.add("STLS");
      }
    }
    lines.add("IMPLEMENTATION mailfetch-testkit");
    return lines;
  }
}
