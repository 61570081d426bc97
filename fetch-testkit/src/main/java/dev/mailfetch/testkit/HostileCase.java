package dev.mailfetch.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The adversarial cases of {@code docs/hostile.md}: a broken or malicious server, or a man in the
 * middle, each a named profile of a {@link FakePop3Server}. {@link #applyTo} configures a builder;
 * the server records what {@link HostileChecks} needs to judge the client.
 *
 * <p>The Javadoc of each constant says what the server does and, after "Client:", what a correct
 * client must do. The test named after each constant proves the bytes the server sends.
 */
public enum HostileCase {
  // ---------------------------------------------------------------- N: STLS and negotiation

  /**
   * Port 110, STLS wanted: CAPA omits STLS and STLS is refused. Client: abort before any
   * credential.
   */
  N01_STLS_NOT_OFFERED,
  /**
   * CAPA advertises STLS, STLS answers {@code -ERR}. Client: abort once, no retry loop, no
   * plain-text login.
   */
  N02_STLS_REFUSED,
  /**
   * CAPA answers {@code -ERR} and so does STLS. Client: a CAPA failure must not skip the TLS
   * requirement.
   */
  N03_CAPA_AND_STLS_REFUSED,
  /**
   * STLS answers {@code +OK [SYS/PERM]} but no TLS follows; plain text goes on. Client: handshake
   * failure or timeout, never plain text.
   */
  N04_STLS_OK_WITHOUT_TLS,
  /**
   * STLS's {@code +OK} comes with forged replies in the same segment (response injection, EAST
   * B_1). Client: reject bytes buffered after the STLS reply.
   */
  N05_STLS_RESPONSE_INJECTION,
  /**
   * STLS's {@code +OK} is followed by binary garbage, then a real handshake. Client: fail cleanly.
   */
  N06_STLS_GARBAGE_BEFORE_HANDSHAKE,
  /**
   * The CAPA before TLS lists other SASL mechanisms (PLAIN only) than the CAPA after it. Client:
   * forget pre-TLS capabilities.
   */
  N07_CAPA_CHANGES_AFTER_TLS,
  /**
   * The greeting has an APOP timestamp, CAPA offers SASL PLAIN, RPA and STLS. Client: upgrade
   * first; no APOP or AUTH before TLS.
   */
  N08_APOP_AND_SASL_BEFORE_STLS,
  /**
   * STLS is acknowledged and then nothing comes (no ServerHello). Client: handshake deadline, abort
   * (fetchmail CVE-2011-1947).
   */
  N09_STLS_THEN_SILENCE,
  /**
   * The greeting is followed at once by an unsolicited LIST listing. Client: data nobody asked for
   * is a protocol error.
   */
  N10_UNSOLICITED_DATA,
  /**
   * A plain-text POP3 server where the client expects implicit TLS (a stripped port 995). Client:
   * handshake fails; never fall back.
   */
  N11_PLAINTEXT_ON_TLS_PORT,
  /**
   * With pipelined commands, every reply is followed by an extra reply nobody asked for. Client:
   * strict correlation; a mismatch closes.
   */
  N12_PIPELINING_EXTRA_REPLIES,

  // ---------------------------------------------------------------- T: certificates and TLS

  /** A self-signed certificate (EAST T_1). Client: reject by default. */
  T01_SELF_SIGNED,
  /** A chain to an unknown root (EAST T_2). Client: reject. */
  T02_UNKNOWN_CA,
  /**
   * A valid chain for another host name (EAST T_3). Client: reject (endpoint identification on).
   */
  T03_WRONG_HOST,
  /** An expired certificate (EAST T_4). Client: reject. */
  T04_EXPIRED,
  /**
   * A certificate for {@code localhost\0.evil.example}. Client: reject (fetchmail CVE-2009-2666).
   */
  T05_NUL_IN_NAME,
  /**
   * A server that offers only TLS 1.0 and 1.1. Client: refuse (a TLS 1.2 floor set by the library).
   */
  T06_OLD_TLS_ONLY,
  /** A server that requires SNI for localhost. Client: send SNI for the configured host name. */
  T07_REQUIRES_SNI,
  /**
   * A valid certificate whose subject holds ANSI escapes and control bytes. Client: escape it in
   * any log or error.
   */
  T08_HOSTILE_SUBJECT,
  /**
   * A valid certificate with another key than the one the user pinned. Client: reject a pinned
   * host's other certificate.
   */
  T09_OTHER_KEY,

  // ---------------------------------------------------------------- A: authentication and
  // credentials

  /**
   * Plain text, no STLS; CAPA offers USER and SASL PLAIN. Client: send no credential unless
   * plain-text login was allowed by name.
   */
  A01_PLAINTEXT_LOGIN_OFFERED,
  /**
   * CAPA offers only USER and SASL PLAIN to a client set up for OAuth. Client: no fallback to PASS
   * with the token; an error.
   */
  A02_NO_OAUTH_MECHANISM,
  /**
   * The greeting holds {@code <>}, {@code <abc>} and a non-ASCII bracket: no valid APOP timestamp.
   * Client: APOP off, or strict msg-id syntax.
   */
  A03_BAD_APOP_TIMESTAMP,
  /**
   * The greeting is {@code +OK <} followed by 200,000 {@code @}. Client: linear-time parsing, no
   * timestamp found.
   */
  A04_PATHOLOGICAL_GREETING,
  /**
   * AUTH answers every response with another challenge, up to 10,000 rounds. Client: bound the
   * rounds; a typed error.
   */
  A05_ENDLESS_SASL,
  /**
   * {@code AUTH XOAUTH2} is answered {@code +OK} instead of {@code + }. Client: send no credential
   * line; stop.
   */
  A06_AUTH_ANSWERED_OK,
  /**
   * An ordinary server, for a caller whose user name holds CR/LF ({@code u\r\nDELE 1}). Client:
   * reject before sending.
   */
  A07_CALLER_INJECTION,
  /**
   * An ordinary server, with the client tracing at full verbosity. Client: no password, token or
   * SASL payload in any log.
   */
  A08_TRACE_LOGGING,
  /**
   * An ordinary server with two accounts, for a client that pools connections. Client: never reuse
   * a connection across credentials.
   */
  A09_CONNECTION_REUSE,
  /**
   * Login is answered {@code -ERR [SYS/PERM]}. Client: a typed, non-retrying error; no retry storm.
   */
  A10_PERMANENT_LOGIN_ERROR,

  // ---------------------------------------------------------------- R: framing and resources

  /** The greeting never ends its line. Client: fail at the line cap; bounded memory. */
  R01_ENDLESS_STATUS_LINE,
  /** UIDL and LIST never send their terminator. Client: stop at entry and byte caps. */
  R02_ENDLESS_LISTING,
  /**
   * RETR sends a body that never ends. Client: stream; enforce the message size cap; abort that
   * message.
   */
  R03_ENDLESS_BODY,
  /**
   * Everything trickles out one byte per second. Client: an overall deadline per operation fires.
   */
  R04_TRICKLE,
  /**
   * UIDL stops in the middle of a line and the connection closes. Client: typed error; nothing
   * committed; next session works.
   */
  R05_DISCONNECT_MID_LISTING,
  /** STAT answers {@code +OK -1 0} and LIST lists {@code 1 -5}. Client: protocol error. */
  R06_NEGATIVE_NUMBERS,
  /**
   * STAT answers {@code +OK 2147483647 0}; LIST lists a size of 18446744073709551616. Client: never
   * allocate from server counts.
   */
  R07_HUGE_NUMBERS,
  /** LIST sizes are half the real sizes. Client: sizes are hints; never read exactly N bytes. */
  R08_SIZE_MISMATCH,
  /**
   * UIDL lists {@code 0}, {@code 4294967296}, {@code abc}, {@code 1\r2} and the number 1 three
   * times. Client: validate 1..STAT; never echo raw tokens.
   */
  R09_BAD_MESSAGE_NUMBERS,
  /**
   * Dot-stuffing edges cut at every '.' into separate segments. Client: exact unstuffing whatever
   * the cuts.
   */
  R10_DOT_STUFFING_EDGES,
  /**
   * Bare LF line ends, {@code \n.\n} terminators, and a CR inside the greeting. Client: one
   * documented policy; no bare-CR line split.
   */
  R11_LINE_END_CHAOS,
  /**
   * NUL, 8-bit bytes and invalid UTF-8 in the greeting, CAPA, -ERR texts and UIDs. Client: escape
   * or replace; no exception.
   */
  R12_BINARY_IN_STATUS,
  /**
   * The greeting is {@code +OKAY}, USER is answered {@code OK}, PASS {@code +Do you even care?}.
   * Client: only exact +OK/-ERR.
   */
  R13_BOGUS_STATUS,
  /** The greeting is {@code -ERR [SYS/TEMP]}. Client: a typed error; no tight reconnect loop. */
  R14_ERR_GREETING,
  /**
   * CAPA sends a SASL line of 500 unknown mechanisms and 100,000 capability lines (and USER last).
   * Client: bounded; unknown mechanisms ignored.
   */
  R15_OVERSIZED_CAPA,

  // ---------------------------------------------------------------- U: UIDL

  /**
   * UIDs of 200 bytes and of 100 KiB. Client: accept up to the cap; beyond it, no stable id
   * (fetchmail CVE-2005-2335).
   */
  U01_LONG_UIDL,
  /**
   * Empty UIDs ({@code 1 }) and one that is only spaces. Client: invalid id; no crash (Mutt
   * CVE-2018-14356).
   */
  U02_EMPTY_UIDL,
  /**
   * UIDs with {@code ../}, {@code /}, {@code \}, {@code :}, {@code %n} and control bytes. Client:
   * never use a UID raw in a path or format string.
   */
  U03_PATH_UIDL,
  /**
   * UIDs with spaces, tabs and 8-bit bytes. Client: one documented policy; no collisions from
   * truncation.
   */
  U04_SPACE_UIDL,
  /**
   * The same UID for two different messages. Client: no dedupe-skip of the second; no DELE of a
   * message not stored.
   */
  U05_DUPLICATE_UIDL,
  /**
   * UIDL lists a number beyond STAT, and UIDs change between sessions. Client: no loss; unmatched
   * entries ignored with an error.
   */
  U06_UIDL_STAT_MISMATCH,

  // ---------------------------------------------------------------- L: output and logs

  /**
   * The greeting, -ERR texts and IMPLEMENTATION carry {@code %n%s}, ANSI escapes, a CR and {@code
   * ${jndi:…}}. Client: treat as data; escape.
   */
  L01_LOG_INJECTION;

  /** The catalogue ID, such as {@code N-05}. */
  public String id() {
    return name().charAt(0) + "-" + name().substring(1, 3);
  }

  /** Whether this case needs TLS (and so certificates). */
  public boolean needsTls() {
    switch (this) {
      case N04_STLS_OK_WITHOUT_TLS:
      case N05_STLS_RESPONSE_INJECTION:
      case N06_STLS_GARBAGE_BEFORE_HANDSHAKE:
      case N07_CAPA_CHANGES_AFTER_TLS:
      case N08_APOP_AND_SASL_BEFORE_STLS:
      case N01_STLS_NOT_OFFERED:
      case N02_STLS_REFUSED:
      case N03_CAPA_AND_STLS_REFUSED:
      case N09_STLS_THEN_SILENCE:
        return true;
      default:
        return name().startsWith("T");
    }
  }

  /**
   * Configures {@code server} for this case. Cases that need TLS ({@link #needsTls()}) use {@code
   * certificates}; others ignore it (it may be null).
   */
  public FakePop3Server.Builder applyTo(
      FakePop3Server.Builder server, TestCertificates certificates) {
    if (needsTls() && certificates == null) {
      throw new IllegalArgumentException(this + " needs certificates");
    }
    FakePop3Server.Builder b = server;
    switch (this) {
      case N01_STLS_NOT_OFFERED:
        return b.tls(TlsMode.STLS, certificates)
            .capabilities(FakePop3Server.CapaPhase.BEFORE_TLS, "TOP", "UIDL", "USER", "SASL PLAIN")
            .respond("STLS", "-ERR STLS not supported\r\n", FakePop3Server.After.CONTINUE);
      case N02_STLS_REFUSED:
        return b.tls(TlsMode.STLS, certificates).quirk(Quirk.Q23_STLS_ERR);
      case N03_CAPA_AND_STLS_REFUSED:
        return b.tls(TlsMode.STLS, certificates).quirk(Quirk.Q19_CAPA_ERR, Quirk.Q23_STLS_ERR);
      case N04_STLS_OK_WITHOUT_TLS:
        return b.tls(TlsMode.STLS, certificates)
            .respond("STLS", "+OK [SYS/PERM] \r\n", FakePop3Server.After.CONTINUE);
      case N05_STLS_RESPONSE_INJECTION:
        return b.tls(TlsMode.STLS, certificates)
            .respond(
                "STLS",
                "+OK Begin TLS negotiation\r\n+OK Capability list follows\r\nUSER\r\n.\r\n+OK\r\n+OK Logged in\r\n+OK 0 0\r\n",
                FakePop3Server.After.START_TLS);
      case N06_STLS_GARBAGE_BEFORE_HANDSHAKE:
        return b.tls(TlsMode.STLS, certificates)
            .respond(
                "STLS",
                "+OK Begin TLS negotiation\r\n\u0000\u00ff\u0016\u0003\u0001garbage\u0080\u0081\r\n",
                FakePop3Server.After.START_TLS);
      case N07_CAPA_CHANGES_AFTER_TLS:
        return b.tls(TlsMode.STLS, certificates)
            .capabilities(FakePop3Server.CapaPhase.BEFORE_TLS, "TOP", "UIDL", "SASL PLAIN", "STLS")
            .capabilities(
                FakePop3Server.CapaPhase.AFTER_TLS,
                "TOP",
                "UIDL",
                "USER",
                "SASL XOAUTH2 OAUTHBEARER");
      case N08_APOP_AND_SASL_BEFORE_STLS:
        return b.tls(TlsMode.STLS, certificates).apop(true).saslMechanisms("PLAIN", "RPA");
      case N09_STLS_THEN_SILENCE:
        return b.tls(TlsMode.STLS, certificates)
            .respond("STLS", "+OK Begin TLS negotiation\r\n", FakePop3Server.After.STALL);
      case N10_UNSOLICITED_DATA:
        return b.rawGreeting("+OK POP3 ready\r\n+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n");
      case N11_PLAINTEXT_ON_TLS_PORT:
        return b.tls(TlsMode.NONE, null);
      case N12_PIPELINING_EXTRA_REPLIES:
        return b.extraReplyWhenPipelined();
      case T01_SELF_SIGNED:
        return b.tls(TlsMode.IMPLICIT, certificates, TestCertificates.Profile.SELF_SIGNED);
      case T02_UNKNOWN_CA:
        return b.tls(TlsMode.IMPLICIT, certificates, TestCertificates.Profile.UNKNOWN_CA);
      case T03_WRONG_HOST:
        return b.tls(TlsMode.IMPLICIT, certificates, TestCertificates.Profile.WRONG_HOST);
      case T04_EXPIRED:
        return b.tls(TlsMode.IMPLICIT, certificates, TestCertificates.Profile.EXPIRED);
      case T05_NUL_IN_NAME:
        return b.tls(TlsMode.IMPLICIT, certificates, TestCertificates.Profile.NUL_IN_NAME);
      case T06_OLD_TLS_ONLY:
        return b.tls(TlsMode.IMPLICIT, certificates).tlsProtocols("TLSv1", "TLSv1.1");
      case T07_REQUIRES_SNI:
        return b.tls(TlsMode.IMPLICIT, certificates).quirk(Quirk.Q23_REQUIRES_SNI);
      case T08_HOSTILE_SUBJECT:
        return b.tls(TlsMode.IMPLICIT, certificates, TestCertificates.Profile.HOSTILE_SUBJECT);
      case T09_OTHER_KEY:
        return b.tls(TlsMode.IMPLICIT, certificates, TestCertificates.Profile.VALID_OTHER_KEY);
      case A01_PLAINTEXT_LOGIN_OFFERED:
      case A07_CALLER_INJECTION:
      case A08_TRACE_LOGGING:
      case A09_CONNECTION_REUSE:
        return b;
      case A02_NO_OAUTH_MECHANISM:
        return b.saslMechanisms("PLAIN");
      case A03_BAD_APOP_TIMESTAMP:
        return b.rawGreeting("+OK POP3 ready <> <abc> <\u00e9t\u00e9@h\u00f4te>\r\n");
      case A04_PATHOLOGICAL_GREETING:
        return b.rawGreeting("+OK <" + "@".repeat(200_000) + "\r\n");
      case A05_ENDLESS_SASL:
        return b.endlessSaslChallenges();
      case A06_AUTH_ANSWERED_OK:
        return b.respond("AUTH", "+OK\r\n", FakePop3Server.After.CONTINUE);
      case A10_PERMANENT_LOGIN_ERROR:
        return b.respond(
                "PASS",
                "-ERR [SYS/PERM] Your account has been disabled\r\n",
                FakePop3Server.After.CONTINUE)
            .respond(
                "AUTH",
                "-ERR [SYS/PERM] Your account has been disabled\r\n",
                FakePop3Server.After.CONTINUE);
      case R01_ENDLESS_STATUS_LINE:
        return b.fault(Fault.endlessGreeting());
      case R02_ENDLESS_LISTING:
        return b.fault(Fault.endlessListing());
      case R03_ENDLESS_BODY:
        return b.fault(Fault.endlessBody());
      case R04_TRICKLE:
        return b.fault(Fault.trickle(1, Duration.ofSeconds(1)));
      case R05_DISCONNECT_MID_LISTING:
        return b.respond("UIDL", "+OK\r\n1 first-uid\r\n2 second-u", FakePop3Server.After.CLOSE);
      case R06_NEGATIVE_NUMBERS:
        return b.respond("STAT", "+OK -1 0\r\n", FakePop3Server.After.CONTINUE)
            .respond("LIST", "+OK\r\n1 -5\r\n.\r\n", FakePop3Server.After.CONTINUE);
      case R07_HUGE_NUMBERS:
        return b.respond("STAT", "+OK 2147483647 0\r\n", FakePop3Server.After.CONTINUE)
            .respond(
                "LIST", "+OK\r\n1 18446744073709551616\r\n.\r\n", FakePop3Server.After.CONTINUE);
      case R08_SIZE_MISMATCH:
        return b.quirk(Quirk.Q32_LIST_SIZE_COMPRESSED);
      case R09_BAD_MESSAGE_NUMBERS:
        return b.respond(
            "UIDL",
            "+OK\r\n0 zero\r\n4294967296 big\r\nabc letters\r\n1\r2 cr\r\n1 one\r\n1 again\r\n.\r\n",
            FakePop3Server.After.CONTINUE);
      case R10_DOT_STUFFING_EDGES:
        return b.segmentation(Segmentation.AT_DOT)
            .extraMessage(
                "r10-dots",
                ascii("Subject: dots\r\n\r\n.\r\n..\r\n...\r\n.x\r\n..x\r\n. \r\nend.\r\n."));
      case R11_LINE_END_CHAOS:
        return b.quirk(Quirk.Q01_BARE_LF).greeting("POP3 ready\rX-Injected: yes");
      case R12_BINARY_IN_STATUS:
        return b.quirk(Quirk.Q08_NUL_8BIT, Quirk.Q27_UIDL_ODD_BYTES)
            .greeting("POP3 \u0000ready \u00e9\u00ff \u00c3\u0028");
      case R13_BOGUS_STATUS:
        return b.rawGreeting("+OKAY POP3 ready\r\n")
            .respond("USER", "OK\r\n", FakePop3Server.After.CONTINUE)
            .respond("PASS", "+Do you even care?\r\n", FakePop3Server.After.CONTINUE);
      case R14_ERR_GREETING:
        return b.rawGreeting("-ERR [SYS/TEMP] Service temporarily unavailable, try later\r\n");
      case R15_OVERSIZED_CAPA:
        {
          StringBuilder capa = new StringBuilder("+OK\r\nSASL");
          for (int i = 0; i < 500; i++) {
            capa.append(" X-MECH-").append(i);
          }
          capa.append("\r\n");
          for (int i = 0; i < 100_000; i++) {
            capa.append("X-CAPABILITY-").append(i).append("\r\n");
          }
          return b.respond(
              "CAPA", capa.append("USER\r\n.\r\n").toString(), FakePop3Server.After.CONTINUE);
        }
      case U01_LONG_UIDL:
        return b.extraMessage("u".repeat(200), ascii("Subject: 200\r\n\r\nx\r\n"))
            .extraMessage("v".repeat(100 * 1024), ascii("Subject: 100 KiB\r\n\r\nx\r\n"));
      case U02_EMPTY_UIDL:
        return b.extraMessage("", ascii("Subject: empty uid\r\n\r\nx\r\n"))
            .extraMessage("   ", ascii("Subject: blank uid\r\n\r\nx\r\n"));
      case U03_PATH_UIDL:
        return b.extraMessage("../../etc/passwd", ascii("Subject: a\r\n\r\nx\r\n"))
            .extraMessage("a/b\\c:d%n%s", ascii("Subject: b\r\n\r\nx\r\n"))
            .extraMessage("ctl\u0001\u001b[2J", ascii("Subject: c\r\n\r\nx\r\n"));
      case U04_SPACE_UIDL:
        return b.extraMessage("abc def", ascii("Subject: a\r\n\r\nx\r\n"))
            .extraMessage("tab\there", ascii("Subject: b\r\n\r\nx\r\n"))
            .extraMessage("\u00e9t\u00e9", ascii("Subject: c\r\n\r\nx\r\n"));
      case U05_DUPLICATE_UIDL:
        return b.quirk(Quirk.Q25_UIDL_DUPLICATES);
      case U06_UIDL_STAT_MISMATCH:
        return b.quirk(Quirk.Q29_NUMBERING_BEYOND_STAT, Quirk.Q26_UIDL_UNSTABLE);
      case L01_LOG_INJECTION:
        {
          String evil =
              "%n%s \u001b[31mred\u001b[0m \r ${jndi:ldap://127.0.0.1/x} " + "z".repeat(3000);
          return b.greeting(evil)
              .capabilities(FakePop3Server.CapaPhase.BEFORE_TLS, "USER", "IMPLEMENTATION " + evil)
              .respond("PASS", "-ERR " + evil + "\r\n", FakePop3Server.After.CONTINUE);
        }
      default:
        throw new AssertionError(this);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
