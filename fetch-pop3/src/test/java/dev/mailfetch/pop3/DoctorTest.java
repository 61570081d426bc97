package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Diagnosis.Status;
import dev.mailfetch.testkit.FakeDnsServer;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.FakePop3Server.After;
import dev.mailfetch.testkit.Fault;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.RecordedSession;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@link Symptom} produced by the testkit profile that causes it: quirks, faults, certificate
 * profiles, scripted replies, a fake DNS. Each case asserts the symptom is found, that a blocking
 * one gives the fetch's exit code, that the report shows its title and never the password, and that
 * the server saw no DELE (and no RETR unless deep).
 */
@Timeout(300)
class DoctorTest {
  private static final String PASSWORD = "s3cret pass";
  private static TestCertificates certs;
  @TempDir static Path dir;
  private static Path caPem;

  @BeforeAll
  static void certificates() throws IOException {
    certs = TestCertificates.generate();
    caPem = dir.resolve("ca.pem");
    Files.writeString(caPem, certs.caPem());
  }

  /** One examination: the server, the settings and the doctor's options. */
  private static final class Setup {
    Security security = Security.IMPLICIT_TLS;
    TestCertificates.Profile profile = TestCertificates.Profile.VALID;
    FakeMailbox mailbox = MailCorpus.generate(42, 5).toMailbox();
    Consumer<FakePop3Server.Builder> server = b -> {};
    Consumer<Pop3Source.Builder> source = b -> {};
    Consumer<Pop3Doctor.Builder> doctor = b -> {};
    String password = PASSWORD;
    boolean deep;

    /** The doctor's timeout and other ports: given once, the test's own or these. */
    Duration timeout = Duration.ofSeconds(3);

    int[] otherPorts = {};

    Setup security(Security s) {
      security = s;
      return this;
    }

    Setup server(Consumer<FakePop3Server.Builder> c) {
      server = server.andThen(c);
      return this;
    }

    Setup quirk(Quirk... q) {
      return server(b -> b.quirk(q));
    }

    Setup source(Consumer<Pop3Source.Builder> c) {
      source = source.andThen(c);
      return this;
    }

    Setup doctor(Consumer<Pop3Doctor.Builder> c) {
      doctor = doctor.andThen(c);
      return this;
    }

    Setup timeout(Duration t) {
      timeout = t;
      return this;
    }

    Setup otherPorts(int... ports) {
      otherPorts = ports;
      return this;
    }
  }

  private static Setup setup() {
    return new Setup();
  }

  private static Setup plain() {
    return new Setup().security(Security.NONE);
  }

  /**
   * Runs the doctor against a testkit server built from the setup and checks what every case must
   * hold.
   */
  private static Diagnosis examine(Setup s) {
    FakePop3Server.Builder b = FakePop3Server.builder().account("alice", PASSWORD, s.mailbox);
    if (s.security == Security.IMPLICIT_TLS) {
      b.tls(TlsMode.IMPLICIT, certs, s.profile);
    } else if (s.security == Security.STARTTLS) {
      b.tls(TlsMode.STLS, certs, s.profile);
    }
    s.server.accept(b);
    try (FakePop3Server server = b.start()) {
      Diagnosis d = run(s, server.port());
      server.awaitSessionsEnded(Duration.ofSeconds(10));
      for (RecordedSession session : server.sessions()) {
        assertTrue(session.commands("DELE").isEmpty(), "the doctor never deletes");
        if (!s.deep) {
          assertTrue(session.commands("RETR").isEmpty(), "no RETR without deep");
        }
        assertFalse(
            session.sentInPlaintext(PASSWORD) && s.security != Security.NONE,
            "no password in plain text");
      }
      return d;
    }
  }

  private static Diagnosis run(Setup s, int port) {
    Pop3Source.Builder sb =
        Pop3Source.builder()
            .host("localhost")
            .port(port)
            .security(s.security)
            .user("alice")
            .password(() -> s.password)
            .trustPem(caPem);
    if (s.security == Security.NONE) {
      sb.allowPlaintextAuthentication(true);
    }
    s.source.accept(sb);
    Pop3Doctor.Builder db =
        Pop3Doctor.builder()
            .source(sb.build())
            .otherPorts(s.otherPorts)
            .timeout(s.timeout)
            .deep(s.deep);
    s.doctor.accept(db);
    Diagnosis d = db.build().examine();
    String report = d.report();
    assertFalse(report.contains(PASSWORD), report);
    assertFalse(report.contains("Exception"), "no stack trace or exception names: " + report);
    assertEquals(Stage.values().length, d.steps().size());
    return d;
  }

  /** A case: the symptom it proves and how to produce it. */
  record Case(String name, Symptom symptom, Supplier<Diagnosis> run) {}

  private static Case c(String name, Symptom symptom, Setup setup) {
    return new Case(name, symptom, () -> examine(setup));
  }

  private static Case c(String name, Symptom symptom, Supplier<Diagnosis> run) {
    return new Case(name, symptom, run);
  }

  private static FakeMailbox withLoneDot() {
    return FakeMailbox.create()
        .add("Subject: dots\r\n\r\nabove\r\n.\r\nbelow\r\n")
        .add("Subject: two\r\n\r\nsecond\r\n");
  }

  /** Two messages, the first with raw UTF-8 in its header (RFC 6532). */
  static FakeMailbox withUtf8Header() {
    return FakeMailbox.create()
        .add("grusse", Utf8ModeTest.GRUSSE)
        .add("Subject: two\r\n\r\nsecond\r\n");
  }

  static List<Case> cases() {
    List<Case> all = new ArrayList<>();
    // DNS
    all.add(
        c(
            "dns_noSuchHost",
            Symptom.NO_SUCH_HOST,
            () -> withDns((dns, port) -> {}, "pop.nosuch.test", null)));
    all.add(
        c(
            "dns_nameWithoutAddress",
            Symptom.NO_ADDRESS,
            () ->
                withDns((dns, port) -> dns.exists("pop.example.test"), "pop.example.test", null)));
    all.add(
        c(
            "dns_invalidAddress",
            Symptom.ADDRESS_INVALID,
            () -> withDns((dns, port) -> {}, "[1:2:zz]", null)));
    all.add(
        c(
            "dns_silent",
            Symptom.DNS_NO_ANSWER,
            () -> withDns((dns, port) -> dns.silent(true), "pop.example.test", null)));
    all.add(
        c(
            "srv_published",
            Symptom.SRV_PUBLISHED,
            () ->
                withDns(
                    (dns, port) -> dns.srv("_pop3s._tcp.example.test", 0, 1, port, "localhost"),
                    "localhost",
                    "example.test")));
    all.add(
        c(
            "srv_differs",
            Symptom.SRV_DIFFERS,
            () ->
                withDns(
                    (dns, port) ->
                        dns.srv("_pop3s._tcp.example.test", 0, 1, 995, "pop.example.test"),
                    "localhost",
                    "example.test")));
    all.add(
        c(
            "srv_notOffered",
            Symptom.SRV_NOT_OFFERED,
            () ->
                withDns(
                    (dns, port) -> dns.srv("_pop3._tcp.example.test", 0, 0, 0, "."),
                    "localhost",
                    "example.test")));
    all.add(
        c(
            "discovery_nothingFound",
            Symptom.SRV_NONE,
            () -> withDns((dns, port) -> {}, "example.test", null, true)));
    all.add(
        c(
            "discovery_bySrv_thenHealthy",
            Symptom.SRV_PUBLISHED,
            () -> {
              Diagnosis d =
                  withDns(
                      (dns, port) -> dns.srv("_pop3s._tcp.example.test", 0, 1, port, "localhost"),
                      "example.test",
                      null,
                      true);
              assertTrue(d.healthy(), d.report());
              assertTrue(d.server().startsWith("localhost:"), d.server());
              return d;
            }));
    // TCP
    all.add(
        c(
            "tcp_refused_andTheTlsPortSuggested",
            Symptom.CONNECTION_REFUSED,
            DoctorTest::refusedWithOtherPort));
    all.add(c("tcp_otherPortWorks", Symptom.OTHER_PORT_WORKS, DoctorTest::refusedWithOtherPort));
    all.add(c("tcp_timedOut", Symptom.CONNECTION_TIMED_OUT, DoctorTest::timedOut));
    all.add(
        c(
            "tcp_resetBeforeGreeting",
            Symptom.CONNECTION_RESET,
            plain().server(b -> b.fault(Fault.resetAtByte(0)))));
    all.add(
        c(
            "tcp_imapOnThePort",
            Symptom.NOT_POP3,
            plain().server(b -> b.rawGreeting("* OK [CAPABILITY IMAP4rev1] ready\r\n"))));
    all.add(c("tcp_silentPort", Symptom.SILENT_PORT, DoctorTest::silentPort));
    // TLS
    all.add(c("tls_healthy", Symptom.TLS_ESTABLISHED, setup()));
    all.add(
        c("tls_implicitToAPlainPort", Symptom.TLS_TO_PLAIN_PORT, DoctorTest::implicitToPlainPort));
    all.add(c("tls_plainToATlsPort", Symptom.PLAIN_TO_TLS_PORT, DoctorTest::plainToTlsPort));
    all.add(c("tls_stlsNotOffered", Symptom.STLS_NOT_OFFERED, DoctorTest::stlsNotOffered));
    all.add(
        c(
            "Q23_STLS_ERR_isStlsFailed",
            Symptom.STLS_FAILED,
            setup().security(Security.STARTTLS).quirk(Quirk.Q23_STLS_ERR)));
    all.add(
        c(
            "Q23_STLS_BROKEN_isStlsFailed",
            Symptom.STLS_FAILED,
            setup().security(Security.STARTTLS).quirk(Quirk.Q23_STLS_BROKEN)));
    all.add(
        c("tls_expired", Symptom.CERTIFICATE_EXPIRED, profile(TestCertificates.Profile.EXPIRED)));
    all.add(
        c(
            "tls_notYetValid",
            Symptom.CERTIFICATE_NOT_YET_VALID,
            profile(TestCertificates.Profile.NOT_YET_VALID)));
    all.add(
        c(
            "tls_wrongHost",
            Symptom.CERTIFICATE_WRONG_HOST,
            profile(TestCertificates.Profile.WRONG_HOST)));
    all.add(
        c(
            "tls_selfSigned",
            Symptom.CERTIFICATE_SELF_SIGNED,
            profile(TestCertificates.Profile.SELF_SIGNED)));
    all.add(
        c(
            "tls_unknownCa",
            Symptom.CERTIFICATE_UNTRUSTED,
            profile(TestCertificates.Profile.UNKNOWN_CA)));
    all.add(
        c(
            "tls_expiresSoon",
            Symptom.CERTIFICATE_EXPIRES_SOON,
            setup()
                .doctor(
                    b ->
                        b.clock(
                            Clock.fixed(
                                Instant.now().plus(Duration.ofDays(25)), ZoneOffset.UTC)))));
    all.add(c("tls_oldVersionsOnly", Symptom.TLS_VERSION_TOO_OLD, () -> tlsAlert(70)));
    all.add(c("tls_handshakeRefused", Symptom.TLS_HANDSHAKE_FAILED, () -> tlsAlert(40)));
    all.add(
        c(
            "tls_stlsThenClose",
            Symptom.STLS_FAILED,
            setup()
                .security(Security.STARTTLS)
                .server(
                    b ->
                        b.fault(Fault.resetAtCommand("CAPA", 2))
                            .respond("STLS", "+OK go ahead\r\n", After.CLOSE))));
    all.add(c("tls_none", Symptom.NOT_ENCRYPTED, plain()));
    // greeting and capabilities
    all.add(
        c(
            "greeting_err",
            Symptom.GREETING_REFUSED,
            plain().server(b -> b.rawGreeting("-ERR too busy, try later\r\n"))));
    all.add(
        c(
            "greeting_never",
            Symptom.NO_GREETING,
            plain().server(b -> b.fault(Fault.greetingDelay(Duration.ofSeconds(8)).inSession(2)))));
    all.add(c("Q16_greetingJunk", Symptom.GREETING_JUNK, plain().quirk(Quirk.Q16_GREETING_JUNK)));
    all.add(c("Q19_capaErr", Symptom.CAPA_REFUSED, plain().quirk(Quirk.Q19_CAPA_ERR)));
    all.add(c("Q19_capaClose", Symptom.CAPA_REFUSED, plain().quirk(Quirk.Q19_CAPA_CLOSE)));
    all.add(c("capabilities_read", Symptom.CAPABILITIES_READ, setup()));
    all.add(
        c(
            "capabilities_noRespCodes",
            Symptom.NO_RESP_CODES,
            setup().server(b -> b.responseCodes(false))));
    // login
    all.add(c("login_ok", Symptom.LOGGED_IN, setup()));
    all.add(c("login_notTried", Symptom.LOGIN_NOT_TRIED, setup().doctor(b -> b.login(false))));
    all.add(c("login_wrongPassword", Symptom.WRONG_CREDENTIALS, wrongPassword(setup())));
    all.add(
        c(
            "login_appPassword",
            Symptom.NEEDS_APP_PASSWORD,
            setup()
                .server(
                    b ->
                        b.saslMechanisms()
                            .respond(
                                "PASS",
                                "-ERR [AUTH] Application-specific password required: https://support.example/apppasswords\r\n",
                                After.CONTINUE))));
    all.add(
        c(
            "login_oauthOnly",
            Symptom.NEEDS_OAUTH,
            setup().server(b -> b.saslMechanisms("XOAUTH2", "OAUTHBEARER").userPass(false))));
    all.add(
        c(
            "Q42_tokenExpired",
            Symptom.TOKEN_EXPIRED,
            setup()
                .server(b -> b.expiredOauthToken("alice", "tok-1").saslMechanisms("XOAUTH2"))
                .quirk(Quirk.Q42_OAUTH_ERROR_CONTINUATION)
                .source(b -> b.oauthTokens(() -> "tok-1"))));
    all.add(
        c(
            "Q49_proprietaryOnly",
            Symptom.NO_COMMON_LOGIN_METHOD,
            setup().quirk(Quirk.Q49_PROPRIETARY_AUTH)));
    all.add(
        c(
            "Q39_closeOnAuthFail",
            Symptom.CLOSED_AFTER_FAILED_LOGIN,
            // as the servers seen doing it: no response code, so the next method is tried (with
            // [AUTH] the login stops at the first refusal and the hang-up is never met)
            wrongPassword(
                setup().quirk(Quirk.Q39_CLOSE_ON_AUTH_FAIL).server(b -> b.responseCodes(false)))));
    all.add(c("Q37_inUse", Symptom.MAILBOX_IN_USE, setup().quirk(Quirk.Q37_LOCKED_IN_USE)));
    all.add(
        c(
            "Q56_inUseForAnyFailure",
            Symptom.MAILBOX_IN_USE,
            setup().quirk(Quirk.Q56_IN_USE_FOR_ANY_FAILURE)));
    all.add(
        c(
            "Q54_loginRefusedWithoutCode",
            Symptom.LOGIN_REFUSED,
            setup().quirk(Quirk.Q54_PASS_REFUSED_WITHOUT_CODE)));
    all.add(
        c("Q38_loginDelayCode", Symptom.LOGIN_DELAY, setup().quirk(Quirk.Q38_LOGIN_DELAY_CODE)));
    all.add(
        c(
            "login_sysTemp",
            Symptom.SERVER_TEMPORARY,
            setup()
                .server(
                    b ->
                        b.saslMechanisms()
                            .respond(
                                "PASS",
                                "-ERR [SYS/TEMP] database unavailable\r\n",
                                After.CONTINUE))));
    all.add(
        c(
            "login_sysPerm",
            Symptom.SERVER_PERMANENT,
            setup()
                .server(
                    b ->
                        b.saslMechanisms()
                            .respond(
                                "PASS", "-ERR [SYS/PERM] account disabled\r\n", After.CONTINUE))));
    // mailbox
    all.add(c("mailbox_counted", Symptom.MAILBOX_COUNTED, setup()));
    all.add(c("Q47_statErr", Symptom.STAT_REFUSED, setup().quirk(Quirk.Q47_STAT_ERR)));
    all.add(c("mailbox_tooMany", Symptom.TOO_MANY_MESSAGES, many(20)));
    all.add(c("mailbox_many", Symptom.MANY_MESSAGES, many(50)));
    all.add(c("Q24_noUidl", Symptom.NO_UIDL, setup().quirk(Quirk.Q24_NO_UIDL)));
    all.add(c("mailbox_expireZero", Symptom.EXPIRE_ZERO, setup().server(b -> b.expire("0"))));
    all.add(c("mailbox_expireDays", Symptom.EXPIRE_DAYS, setup().server(b -> b.expire("30"))));
    all.add(
        c(
            "mailbox_loginDelayAnnounced",
            Symptom.LOGIN_DELAY_ANNOUNCED,
            setup().server(b -> b.loginDelay(900))));
    all.add(
        c("Q46_listUidlRace", Symptom.COUNTS_DISAGREE, setup().quirk(Quirk.Q46_LIST_UIDL_RACE)));
    all.add(
        c(
            "mailbox_statSizeOff",
            Symptom.SIZES_DISAGREE,
            setup().server(b -> b.respond("STAT", "+OK 5 7\r\n", After.CONTINUE))));
    // compliance
    all.add(
        c(
            "Q29_zeroBased",
            Symptom.NUMBERING_NOT_FROM_ONE,
            setup().quirk(Quirk.Q29_NUMBERING_ZERO_BASED)));
    all.add(
        c(
            "Q29_shuffled",
            Symptom.NUMBERING_OUT_OF_ORDER,
            setup().quirk(Quirk.Q29_NUMBERING_SHUFFLED)));
    all.add(c("Q29_gaps", Symptom.NUMBERING_OUT_OF_ORDER, setup().quirk(Quirk.Q29_NUMBERING_GAPS)));
    all.add(
        c(
            "Q29_shuffled_tolerated",
            Symptom.NUMBERING_TOLERATED,
            setup()
                .quirk(Quirk.Q29_NUMBERING_SHUFFLED)
                .source(b -> b.tolerate(Tolerance.UNORDERED_LISTING))));
    all.add(c("Q27_uidLong", Symptom.UID_SYNTAX, setup().quirk(Quirk.Q27_UIDL_LONG)));
    all.add(
        c("Q27_uidSpaceInside", Symptom.UID_SYNTAX, setup().quirk(Quirk.Q27_UIDL_SPACE_INSIDE)));
    all.add(
        c("Q25_uidDuplicates", Symptom.UID_DUPLICATES, setup().quirk(Quirk.Q25_UIDL_DUPLICATES)));
    all.add(
        c(
            "Q51_uidsFromNumbers",
            Symptom.UIDS_FROM_NUMBERS,
            setup().quirk(Quirk.Q51_UIDL_FROM_MESSAGE_NUMBER)));
    all.add(
        c("Q53_servedEmpty", Symptom.MESSAGES_SERVED_EMPTY, setup().quirk(Quirk.Q53_SERVED_EMPTY)));
    all.add(
        c(
            "Q53_servedEmpty_deep",
            Symptom.MESSAGES_SERVED_EMPTY,
            deep(setup().quirk(Quirk.Q53_SERVED_EMPTY))));
    all.add(
        c(
            "Q28_singleFormNoNumber",
            Symptom.SINGLE_FORM_WRONG,
            setup().quirk(Quirk.Q28_SINGLE_FORM_NO_NUMBER)));
    all.add(
        c(
            "Q28_singleFormMultiline",
            Symptom.SINGLE_FORM_WRONG,
            setup().quirk(Quirk.Q28_SINGLE_FORM_MULTILINE)));
    Setup dot = setup().quirk(Quirk.Q04_UNSTUFFED_LONE_DOT);
    dot.mailbox = withLoneDot();
    all.add(c("Q04_unstuffedLoneDot", Symptom.UNSTUFFED_DOT, dot));
    all.add(c("Q03_gluedTerminator", Symptom.GLUED_TERMINATOR, glued()));
    all.add(c("Q01_bareLf", Symptom.BARE_LF, plain().quirk(Quirk.Q01_BARE_LF)));
    Setup lf = setup();
    lf.mailbox = FakeMailbox.create().add("Subject: lf\n\nunix line ends\nhere\r\n");
    all.add(c("messagesWithBareLf", Symptom.BARE_LF_IN_MESSAGES, lf));
    all.add(
        c(
            "Q32_listSizeLfCount",
            Symptom.TOP_LIST_DISAGREE,
            setup().quirk(Quirk.Q32_LIST_SIZE_LF_COUNT)));
    all.add(
        c(
            "Q32_listSizeLfCount_deep",
            Symptom.LIST_SIZE_WRONG,
            deep(setup().quirk(Quirk.Q32_LIST_SIZE_LF_COUNT))));
    all.add(
        c(
            "Q55_topAddsEmptyLine",
            Symptom.TOP_LIST_DISAGREE,
            setup().quirk(Quirk.Q55_TOP_ADDS_EMPTY_LINE)));
    all.add(
        c(
            "Q55_topAddsEmptyLine_deep",
            Symptom.TOP_BROKEN,
            deep(setup().quirk(Quirk.Q55_TOP_ADDS_EMPTY_LINE))));
    Setup replaced = setup().quirk(Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8, Quirk.Q19_CAPA_ERR);
    replaced.mailbox = withUtf8Header();
    all.add(c("Q52_unicodeReplaced_withoutCapa", Symptom.UNICODE_MESSAGES_REPLACED, replaced));
    Setup others = setup().quirk(Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8);
    others.mailbox = withUtf8Header();
    all.add(
        c("Q52_unicodeReplacedForOthers", Symptom.UNICODE_MESSAGES_REPLACED_FOR_OTHERS, others));
    all.add(c("Q33_topErr", Symptom.TOP_REFUSED, setup().quirk(Quirk.Q33_TOP_ERR)));
    all.add(c("Q33_topErr_deep", Symptom.TOP_BROKEN, deep(setup().quirk(Quirk.Q33_TOP_ERR))));
    all.add(c("Q33_topDoubleOk", Symptom.TOP_BROKEN, setup().quirk(Quirk.Q33_TOP_DOUBLE_OK)));
    all.add(
        c(
            "Q21_pipeliningDropsQueued",
            Symptom.PIPELINING_BROKEN,
            setup().quirk(Quirk.Q21_PIPELINING_DROPS_QUEUED)));
    all.add(c("Q35_quitErr", Symptom.QUIT_NOT_ACKNOWLEDGED, setup().quirk(Quirk.Q35_QUIT_ERR)));
    all.add(
        c(
            "Q35_quitNoReply",
            Symptom.QUIT_NOT_ACKNOWLEDGED,
            setup().quirk(Quirk.Q35_QUIT_NO_REPLY)));
    all.add(
        c(
            "Q35_quitSlow",
            Symptom.QUIT_SLOW,
            setup().quirk(Quirk.Q35_QUIT_SLOW).timeout(Duration.ofSeconds(6))));
    all.add(
        c(
            "Q26_uidsUnstable_deep",
            Symptom.UIDS_UNSTABLE,
            deep(setup().quirk(Quirk.Q26_UIDL_UNSTABLE))));
    all.add(
        c(
            "Q31_autoDeleteOnRetr_deep",
            Symptom.RETR_REMOVES_MAIL,
            deep(setup().quirk(Quirk.Q31_AUTO_DELETE_ON_RETR))));
    all.add(c("Q34_retrErrListed", Symptom.TOP_REFUSED, setup().quirk(Quirk.Q34_RETR_ERR_LISTED)));
    all.add(
        c(
            "Q34_retrErrListed_deep",
            Symptom.LISTED_MESSAGE_REFUSED,
            deep(setup().quirk(Quirk.Q34_RETR_ERR_LISTED))));
    all.add(
        c(
            "session_dropped",
            Symptom.SESSION_DROPPED,
            setup().server(b -> b.fault(Fault.closeAtCommand("LIST", 1)))));
    all.add(
        c(
            "session_stalled",
            Symptom.SESSION_STALLED,
            setup().server(b -> b.fault(Fault.stallAtCommand("LIST", 1, Duration.ofSeconds(6))))));
    all.add(
        c(
            "framing_broken",
            Symptom.FRAMING_BROKEN,
            setup().server(b -> b.respond("STAT", "hello there\r\n", After.CONTINUE))));
    all.add(
        c(
            "Q11_emptyLine",
            Symptom.EMPTY_LINE_REPLY,
            setup().server(b -> b.respond("STAT", "\r\n+OK 5 100\r\n", After.CONTINUE))));
    all.add(
        c("Q06_longStatusLine", Symptom.LIMIT_EXCEEDED, plain().quirk(Quirk.Q06_HUGE_STATUS_LINE)));
    all.add(
        c(
            "Q14_plusErr",
            Symptom.PROTOCOL_ERROR,
            setup().server(b -> b.respond("STAT", "+OK five messages\r\n", After.CONTINUE))));
    return all;
  }

  /** 30 messages against a listing cap of {@code cap}. */
  private static Setup many(int cap) {
    Setup s =
        setup().source(b -> b.limits(Pop3Limits.builder().maxListingLinesOnTheWire(cap).build()));
    s.mailbox = MailCorpus.generate(7, 30).toMailbox();
    return s;
  }

  private static Setup profile(TestCertificates.Profile p) {
    Setup s = setup();
    s.profile = p;
    return s;
  }

  private static Setup wrongPassword(Setup s) {
    s.password = "not the password";
    return s;
  }

  private static Setup deep(Setup s) {
    s.deep = true;
    return s;
  }

  private static Setup glued() {
    Setup s = setup().quirk(Quirk.Q03_NO_CRLF_BEFORE_DOT);
    s.mailbox =
        FakeMailbox.create().add("Subject: no final line end\r\n\r\nlast line without CRLF");
    return s;
  }

  @TestFactory
  Stream<DynamicTest> everySymptomFromTheProfileThatCausesIt() {
    return cases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name() + " → " + c.symptom(),
                    () -> {
                      Diagnosis d = c.run().get();
                      assertTrue(
                          d.found(c.symptom()),
                          "expected " + c.symptom() + " in:\n" + d.report() + "\n" + d.findings());
                      if (c.symptom().status() == Status.FAILED) {
                        assertEquals(
                            c.symptom().error().orElseThrow().exitCode(), d.exitCode(), d.report());
                        assertEquals(
                            c.symptom(), d.firstBlocking().orElseThrow().symptom(), d.report());
                      }
                      if (c.symptom().status() != Status.OK
                          && c.symptom().status() != Status.SKIPPED) {
                        assertTrue(d.report().contains(c.symptom().title()), d.report());
                      }
                    }));
  }

  @Test
  void everySymptomHasACase() {
    Set<Symptom> covered = EnumSet.noneOf(Symptom.class);
    cases().forEach(c -> covered.add(c.symptom()));
    Set<Symptom> missing = EnumSet.complementOf(EnumSet.copyOf(covered));
    assertEquals(Set.of(), missing);
  }

  @Test
  void aHealthyServer_isHealthy_withEveryStageOk() {
    Diagnosis d = examine(setup());
    assertTrue(d.healthy(), d.report());
    assertEquals(0, d.exitCode());
    for (Diagnosis.Step step : d.steps()) {
      assertEquals(Status.OK, step.status(), step.toString());
    }
    assertTrue(d.report().contains("Healthy"), d.report());
  }

  @Test
  void laterStagesAreSkipped_whenAnEarlierOneFails() {
    Diagnosis d = examine(wrongPassword(setup()));
    assertEquals(Status.FAILED, d.step(Stage.AUTHENTICATION).status());
    assertEquals(Status.SKIPPED, d.step(Stage.MAILBOX).status());
    assertEquals(Status.SKIPPED, d.step(Stage.COMPLIANCE).status());
  }

  // ------------------------------------------------------------------ fixtures beyond one fake
  // server

  private static Diagnosis withDns(
      BiConsumer<FakeDnsServer, Integer> records, String host, String srvDomain) {
    return withDns(records, host, srvDomain, false);
  }

  private static Diagnosis withDns(
      BiConsumer<FakeDnsServer, Integer> records, String host, String srvDomain, boolean discover) {
    try (FakeDnsServer dns = FakeDnsServer.start();
        FakePop3Server server =
            FakePop3Server.builder()
                .account("alice", PASSWORD, FakeMailbox.create())
                .tls(TlsMode.IMPLICIT, certs)
                .start()) {
      dns.address("localhost", "127.0.0.1");
      records.accept(dns, server.port());
      Setup s = setup();
      s.doctor(
          b -> {
            b.dnsServer(dns.socketAddress());
            if (srvDomain != null) {
              b.srvDomain(srvDomain);
            }
            b.discoverServer(discover);
          });
      Pop3Source src =
          Pop3Source.builder()
              .host(host)
              .port(server.port())
              .user("alice")
              .password(() -> PASSWORD)
              .trustPem(caPem)
              .build();
      Pop3Doctor.Builder db =
          Pop3Doctor.builder().source(src).otherPorts(s.otherPorts).timeout(s.timeout);
      s.doctor.accept(db);
      Diagnosis d = db.build().examine();
      assertFalse(d.report().contains(PASSWORD));
      return d;
    }
  }

  private static Diagnosis refusedWithOtherPort() {
    try (FakePop3Server tls =
        FakePop3Server.builder()
            .account("alice", PASSWORD, FakeMailbox.create())
            .tls(TlsMode.IMPLICIT, certs)
            .start()) {
      int closed = closedPort();
      return run(setup().otherPorts(tls.port()), closed);
    }
  }

  private static Diagnosis timedOut() {
    // A listener that never accepts, its queue full: the kernel drops further SYNs, so a connect
    // waits as it would behind a firewall that drops packets.
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> queued = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          Socket q = new Socket();
          try {
            q.connect(full.getLocalSocketAddress(), 300);
            queued.add(q);
          } catch (IOException e) {
            q.close();
            break;
          }
        }
        return run(
            setup()
                .source(
                    b ->
                        b.limits(
                            Pop3Limits.builder().connectTimeout(Duration.ofSeconds(1)).build())),
            full.getLocalPort());
      } finally {
        for (Socket q : queued) {
          q.close();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Diagnosis silentPort() {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> held = new ArrayList<>();
      Thread t =
          new Thread(
              () -> {
                while (!silent.isClosed()) {
                  try {
                    held.add(silent.accept());
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      try {
        return run(plain(), silent.getLocalPort());
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Diagnosis implicitToPlainPort() {
    try (FakePop3Server plainServer =
        FakePop3Server.builder().account("alice", PASSWORD, FakeMailbox.create()).start()) {
      return run(setup(), plainServer.port());
    }
  }

  /**
   * A server that answers a ClientHello with a fatal TLS alert in a TLS 1.0 record: 70
   * (protocol_version) is what a server that speaks only TLS 1.0/1.1 answers a client that offers
   * 1.2 and 1.3 (RFC 5246 §7.2.2); 40 (handshake_failure) one with no cipher in common. The JDK's
   * own server cannot play these, since TLS 1.0 and 1.1 are disabled in it.
   */
  private static Diagnosis tlsAlert(int alert) {
    try (ServerSocket old = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                while (!old.isClosed()) {
                  try (Socket s = old.accept()) {
                    s.setSoTimeout(5000);
                    byte[] hello = new byte[5];
                    if (s.getInputStream().readNBytes(hello, 0, 5) == 5 && hello[0] == 0x16) {
                      s.getOutputStream()
                          .write(new byte[] {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, (byte) alert});
                      s.getOutputStream().flush();
                    }
                  } catch (IOException e) {
                    // next connection
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      return run(setup(), old.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Diagnosis plainToTlsPort() {
    try (FakePop3Server tls =
        FakePop3Server.builder()
            .account("alice", PASSWORD, FakeMailbox.create())
            .tls(TlsMode.IMPLICIT, certs)
            .start()) {
      return run(setup().security(Security.STARTTLS), tls.port());
    }
  }

  private static Diagnosis stlsNotOffered() {
    try (FakePop3Server plainServer =
            FakePop3Server.builder().account("alice", PASSWORD, FakeMailbox.create()).start();
        FakePop3Server tls =
            FakePop3Server.builder()
                .account("alice", PASSWORD, FakeMailbox.create())
                .tls(TlsMode.IMPLICIT, certs)
                .start()) {
      Diagnosis d =
          run(setup().security(Security.STARTTLS).otherPorts(tls.port()), plainServer.port());
      assertTrue(d.report().contains("port " + tls.port() + " speaks POP3 over TLS"), d.report());
      plainServer.awaitSessionsEnded(Duration.ofSeconds(5));
      for (RecordedSession s : plainServer.sessions()) {
        for (String line : s.commandLines()) {
          assertFalse(
              line.startsWith("USER") || line.startsWith("AUTH"), "no credentials: " + line);
        }
      }
      return d;
    }
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
