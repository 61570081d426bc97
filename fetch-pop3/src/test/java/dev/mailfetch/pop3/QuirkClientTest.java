package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.HostileChecks;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.TlsMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Every quirk of the catalogue against the client, each a test named after its constant, asserting
 * the outcome the catalogue gives: tolerated (every message delivered byte-exact, or delivered
 * where the server itself changes the content), or exactly one typed error. In every case the
 * server's checks hold: no DELE for a message not fully received, no message number no listing
 * allows, no secret in plain text (plain-text login is allowed here by name).
 */
@Timeout(120)
class QuirkClientTest {
  private static final String PASSWORD = "pw with spaces é";

  /** What the catalogue says a client must end up with. */
  private enum Expect {
    EXACT,
    LF_EXACT,
    ALTERED,
    ERROR
  }

  private static final class Case {
    final Expect expect;
    FetchError error;
    Retention retention = Retention.DELETE_AFTER_DELIVERY;
    Security security = Security.NONE;
    final EnumSet<Tolerance> tolerances = EnumSet.noneOf(Tolerance.class);
    boolean wrongPassword;
    boolean oauth;
    boolean expiredToken;
    boolean loginMechanismOnly;
    boolean unconfirmed;

    /** The server does much work for this quirk: see {@link #patient()}. */
    boolean patient;

    Case(Expect expect) {
      this.expect = expect;
    }

    static Case exact() {
      return new Case(Expect.EXACT);
    }

    static Case error(FetchError e) {
      Case c = new Case(Expect.ERROR);
      c.error = e;
      return c;
    }

    Case tolerate(Tolerance t) {
      tolerances.add(t);
      return this;
    }

    Case keep() {
      retention = Retention.KEEP;
      return this;
    }

    /**
     * The fake server does much work for this quirk (a flush per byte of the mailbox, a quarter of
     * a million messages counted), and nothing of it is about time: the client's timeouts only
     * bound a hang here, so they leave a slow or loaded machine room. With the short timeouts the
     * quirks that are about waiting need, the work raced them and a loaded machine timed out.
     */
    Case patient() {
      patient = true;
      return this;
    }
  }

  private static final Map<Quirk, Case> CASES = new EnumMap<>(Quirk.class);

  static {
    Case c;
    CASES.put(Quirk.Q01_BARE_LF, new Case(Expect.LF_EXACT).tolerate(Tolerance.BARE_LF));
    CASES.put(Quirk.Q01_MIXED_LINE_ENDINGS, new Case(Expect.LF_EXACT).tolerate(Tolerance.BARE_LF));
    // Pipelined (the fake server's default), ".\r" is followed at once by the next reply.
    CASES.put(Quirk.Q02_CR_TERMINATOR, Case.error(FetchError.READ_ERROR));
    // Pipelined (the fake server's default), the glued terminator runs into the next reply.
    CASES.put(Quirk.Q03_NO_CRLF_BEFORE_DOT, Case.error(FetchError.READ_ERROR));
    CASES.put(Quirk.Q04_UNSTUFFED_LONE_DOT, Case.error(FetchError.READ_ERROR));
    CASES.put(Quirk.Q04_UNSTUFFED_LONE_DOT_IN_TOP, Case.exact()); // TOP is never used for content
    CASES.put(Quirk.Q05_UNSTUFFED_LEADING_DOT, new Case(Expect.ALTERED));
    CASES.put(Quirk.Q06_LONG_STATUS_LINE, Case.exact());
    CASES.put(Quirk.Q06_HUGE_STATUS_LINE, Case.error(FetchError.LIMIT_EXCEEDED));
    CASES.put(Quirk.Q07_LONG_BODY_LINES, Case.exact());
    CASES.put(Quirk.Q08_NUL_8BIT, Case.exact());
    CASES.put(Quirk.Q09_ODD_HEADERS, Case.exact());
    CASES.put(Quirk.Q10_FRAGMENTATION, Case.exact().patient());
    CASES.put(Quirk.Q11_EMPTY_LINE, Case.exact().tolerate(Tolerance.EMPTY_LINES));
    CASES.put(
        Quirk.Q11_EMPTY_LINES,
        Case.exact().tolerate(Tolerance.EMPTY_LINES)); // --quirk Q11 skips them all
    CASES.put(Quirk.Q11_STRAY_TERMINATOR, Case.error(FetchError.EMPTY_LINE));
    CASES.put(Quirk.Q12_BARE_OK, Case.exact());
    CASES.put(Quirk.Q13_LOWERCASE_STATUS, Case.exact().tolerate(Tolerance.LOWERCASE_STATUS));
    c = Case.error(FetchError.PROTOCOL);
    c.wrongPassword = true;
    CASES.put(Quirk.Q14_PLUS_ERR, c);
    c = Case.exact();
    c.loginMechanismOnly = true;
    CASES.put(Quirk.Q15_OK_AS_CONTINUATION, c);
    CASES.put(Quirk.Q16_GREETING_JUNK, Case.exact());
    CASES.put(Quirk.Q17_SLOW_SERVER, Case.exact());
    CASES.put(Quirk.Q18_APOP_FALSE_TIMESTAMP, Case.exact());
    CASES.put(Quirk.Q19_CAPA_ERR, Case.exact());
    CASES.put(Quirk.Q19_CAPA_CLOSE, Case.exact());
    CASES.put(Quirk.Q19_CAPA_HANG, Case.exact());
    CASES.put(Quirk.Q20_CAPA_MISLEADING, Case.exact());
    // The run itself falls back to one command at a time: the first run must fetch everything.
    CASES.put(Quirk.Q21_PIPELINING_DROPS_QUEUED, Case.exact());
    CASES.put(Quirk.Q21_PIPELINING_STALLS, Case.exact());
    CASES.put(Quirk.Q22_SPLIT_COMMAND, Case.exact());
    c = Case.error(FetchError.TLS_FAILED);
    c.security = Security.STARTTLS;
    CASES.put(Quirk.Q23_STLS_BROKEN, c);
    c = Case.error(FetchError.TLS_FAILED);
    c.security = Security.STARTTLS;
    CASES.put(Quirk.Q23_STLS_ERR, c);
    c = Case.exact();
    c.security = Security.IMPLICIT_TLS;
    CASES.put(Quirk.Q23_REQUIRES_SNI, c);
    CASES.put(Quirk.Q24_NO_UIDL, Case.error(FetchError.POLICY).keep());
    CASES.put(Quirk.Q25_UIDL_DUPLICATES, Case.exact().keep());
    CASES.put(Quirk.Q26_UIDL_UNSTABLE, Case.exact().keep());
    CASES.put(Quirk.Q27_UIDL_PLUS_OK_PREFIX, Case.exact().keep());
    CASES.put(Quirk.Q27_UIDL_MULTIPLE_SPACES, Case.exact().keep());
    CASES.put(Quirk.Q27_UIDL_BLANK, Case.exact().keep());
    CASES.put(Quirk.Q27_UIDL_SPACE_INSIDE, Case.exact().keep());
    CASES.put(Quirk.Q27_UIDL_ODD_BYTES, Case.exact().keep());
    CASES.put(Quirk.Q27_UIDL_LONG, Case.exact().keep());
    CASES.put(Quirk.Q28_SINGLE_FORM_NO_NUMBER, Case.exact());
    CASES.put(Quirk.Q28_SINGLE_FORM_MULTILINE, Case.exact());
    CASES.put(Quirk.Q28_SINGLE_FORM_WRONG_NUMBER, Case.exact());
    CASES.put(Quirk.Q29_NUMBERING_GAPS, Case.error(FetchError.WRONG_ORDER));
    CASES.put(Quirk.Q29_NUMBERING_SHUFFLED, Case.exact().tolerate(Tolerance.UNORDERED_LISTING));
    CASES.put(Quirk.Q29_NUMBERING_ZERO_BASED, Case.error(FetchError.WRONG_ORDER));
    CASES.put(Quirk.Q29_NUMBERING_BEYOND_STAT, Case.error(FetchError.WRONG_ORDER));
    CASES.put(Quirk.Q30_DELE_NOT_HONOURED, Case.exact());
    CASES.put(Quirk.Q31_AUTO_DELETE_ON_RETR, Case.exact().keep());
    CASES.put(Quirk.Q31_RETR_MARKS_DELETED, Case.exact().keep());
    CASES.put(Quirk.Q32_LIST_SIZE_LF_COUNT, Case.exact());
    CASES.put(Quirk.Q32_LIST_SIZE_ROUNDED, Case.exact());
    CASES.put(Quirk.Q32_LIST_SIZE_COMPRESSED, Case.exact());
    CASES.put(Quirk.Q33_TOP_IGNORES_N, Case.exact());
    CASES.put(Quirk.Q33_TOP_TRUNCATES, Case.exact());
    CASES.put(Quirk.Q33_TOP_DOUBLE_OK, Case.exact());
    CASES.put(Quirk.Q33_TOP_ERR, Case.exact());
    CASES.put(Quirk.Q34_RETR_ERR_LISTED, Case.error(FetchError.PROTOCOL));
    c = Case.exact();
    c.unconfirmed = true;
    CASES.put(Quirk.Q35_QUIT_NO_REPLY, c);
    c = Case.exact();
    c.unconfirmed = true;
    CASES.put(Quirk.Q35_QUIT_ERR, c);
    CASES.put(Quirk.Q35_QUIT_SLOW, Case.exact());
    CASES.put(Quirk.Q36_DROP_MID_RETR, Case.error(FetchError.CONNECTION_RESET));
    CASES.put(Quirk.Q37_LOCKED_IN_USE, Case.error(FetchError.LOCKED));
    CASES.put(Quirk.Q37_LOCKED_TEXT, Case.error(FetchError.LOCKED));
    CASES.put(Quirk.Q38_LOGIN_DELAY_ON_STAT, Case.error(FetchError.LOGIN_DELAY));
    CASES.put(Quirk.Q38_LOGIN_DELAY_CODE, Case.error(FetchError.LOGIN_DELAY));
    c = Case.error(FetchError.AUTH_FAILED);
    c.wrongPassword = true;
    CASES.put(Quirk.Q39_CLOSE_ON_AUTH_FAIL, c);
    CASES.put(Quirk.Q40_STRICT_USER_PASS, Case.exact());
    c = Case.exact();
    c.oauth = true;
    CASES.put(Quirk.Q41_XOAUTH2_TWO_STEP, c);
    c = Case.error(FetchError.AUTH_TOKEN_EXPIRED);
    c.oauth = true;
    c.expiredToken = true;
    CASES.put(Quirk.Q42_OAUTH_ERROR_CONTINUATION, c);
    CASES.put(Quirk.Q43_SHORT_IDLE_TIMEOUT, Case.exact());
    CASES.put(Quirk.Q44_TOP_RETR_HEADERS_DIFFER, new Case(Expect.ALTERED));
    CASES.put(Quirk.Q45_GMAIL_POP_VIEW, Case.exact().keep());
    CASES.put(Quirk.Q46_LIST_UIDL_RACE, Case.exact().keep());
    CASES.put(Quirk.Q47_HUGE_MAILBOX, Case.error(FetchError.TOO_MANY_MESSAGES).patient());
    CASES.put(Quirk.Q47_STAT_ERR, Case.error(FetchError.SERVER_TEMPORARY));
    CASES.put(Quirk.Q48_XUIDL_DERIVED, Case.exact().keep());
    CASES.put(Quirk.Q49_PROPRIETARY_AUTH, Case.error(FetchError.AUTH_FAILED));
    CASES.put(Quirk.Q50_STRIPS_X_HEADERS, new Case(Expect.ALTERED));
    CASES.put(Quirk.Q50_DROPS_ATTACHMENTS, new Case(Expect.ALTERED));
    CASES.put(
        Quirk.Q51_UIDL_FROM_MESSAGE_NUMBER, Case.exact()); // one session: the ids are unique in it
    CASES.put(
        Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8,
        Case.exact()); // UTF8 is sent: originals, not notices
    CASES.put(Quirk.Q53_SERVED_EMPTY, new Case(Expect.ALTERED)); // stored as served, and reported
    CASES.put(Quirk.Q54_PASS_REFUSED_WITHOUT_CODE, Case.error(FetchError.AUTH_FAILED));
    CASES.put(Quirk.Q55_TOP_ADDS_EMPTY_LINE, Case.exact()); // TOP is never used for content
    CASES.put(Quirk.Q56_IN_USE_FOR_ANY_FAILURE, Case.error(FetchError.LOCKED));
  }

  private static FakeMailbox mailbox() {
    FakeMailbox box = MailCorpus.generate(21, 4).toMailbox();
    box.add(
        "dots",
        ascii("Subject: dots\r\nX-Note: stuffed lines follow\r\n\r\n.\r\n..\r\n.x\r\nend\r\n"));
    box.add("noeol", ascii("Subject: no final line end\r\n\r\nno final line end"));
    return box;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** What a client receives for stored content: it, plus CRLF where it does not end in one. */
  private static String expected(byte[] content, boolean lf) {
    String s = new String(content, StandardCharsets.ISO_8859_1);
    if (!s.isEmpty() && !s.endsWith("\r\n")) {
      s += "\r\n";
    }
    return lf ? s.replace("\r\n", "\n") : s;
  }

  @TestFactory
  Stream<DynamicTest> everyQuirk() {
    return Arrays.stream(Quirk.values())
        .map(q -> DynamicTest.dynamicTest(q.name(), () -> run(q, CASES.get(q))));
  }

  /**
   * Q21 depends on how the commands meet the server's reads (it drops or stalls only on what
   * arrived together), so each case runs several times, and each run must fetch everything the
   * first time: {@code -Dmailfetch.q21.repeat=20} runs each twenty times.
   */
  @TestFactory
  Stream<DynamicTest> Q21_fetchesEverythingOnTheFirstRun_however_theCommandsMeetTheServersReads() {
    int times = Integer.getInteger("mailfetch.q21.repeat", 3);
    return Stream.of(Quirk.Q21_PIPELINING_DROPS_QUEUED, Quirk.Q21_PIPELINING_STALLS)
        .flatMap(
            q ->
                IntStream.rangeClosed(1, times)
                    .mapToObj(
                        i ->
                            DynamicTest.dynamicTest(
                                q.name() + " #" + i, () -> run(q, CASES.get(q)))));
  }

  @Test
  void everyQuirkHasAnExpectedOutcome() {
    List<Quirk> missing = new ArrayList<>();
    for (Quirk q : Quirk.values()) {
      if (!CASES.containsKey(q)) {
        missing.add(q);
      }
    }
    assertEquals(List.of(), missing);
  }

  private void run(Quirk quirk, Case c) throws Exception {
    FakeMailbox box = mailbox();
    if (quirk == Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8) {
      box.add(
          "grusse",
          Utf8ModeTest.GRUSSE); // a header of raw UTF-8, which the quirk replaces without UTF8
    }
    FakePop3Server.Builder b =
        FakePop3Server.builder().account("alice", PASSWORD, box).quirk(quirk);
    if (c.security == Security.IMPLICIT_TLS) {
      b.tls(TlsMode.IMPLICIT, Pop3SourceTest.CERTS);
    } else if (c.security == Security.STARTTLS
        && quirk != Quirk.Q23_STLS_BROKEN
        && quirk != Quirk.Q23_STLS_ERR) {
      b.tls(TlsMode.STLS, Pop3SourceTest.CERTS);
    }
    if (c.oauth) {
      b.oauthToken("alice", "good-token").expiredOauthToken("alice", "old-token");
    }
    try (FakePop3Server server = b.start()) {
      List<FakeMailbox.Message> served = server.mailbox("alice").messages();
      Pop3Source.Builder client =
          Pop3Source.builder()
              .host("localhost")
              .port(server.port())
              .security(c.security)
              .user("alice")
              .sslContext(Pop3SourceTest.CERTS.clientContext())
              .limits(
                  c.patient
                      ? Pop3Limits.builder()
                          .readTimeout(Duration.ofSeconds(30))
                          .commandTimeout(Duration.ofSeconds(30))
                          .build()
                      : Pop3Limits.builder()
                          .readTimeout(Duration.ofSeconds(2))
                          .commandTimeout(Duration.ofSeconds(5))
                          .build())
              .tolerate(c.tolerances.toArray(new Tolerance[0]));
      if (c.security == Security.NONE) {
        client.allowPlaintextAuthentication(true);
      }
      if (c.oauth) {
        String token = c.expiredToken ? "old-token" : "good-token";
        client.oauthTokens(() -> token);
      } else {
        client.password(() -> c.wrongPassword ? "not the password" : PASSWORD);
      }
      if (c.loginMechanismOnly) {
        client.mechanisms(AuthMechanism.LOGIN);
      }
      Pop3Source source = client.build();
      InMemorySink sink = InMemorySink.create();
      InMemoryUidStore store = InMemoryUidStore.create();
      FetchResult r =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(store)
              .retention(c.retention)
              .batchSize(3)
              .build()
              .run();
      switch (c.expect) {
        case EXACT:
        case LF_EXACT:
          {
            assertTrue(r.ok(), () -> quirk + ": " + r.summary());
            List<String> want = new ArrayList<>();
            for (FakeMailbox.Message m : served) {
              want.add(expected(m.content(), c.expect == Expect.LF_EXACT));
            }
            List<String> got = new ArrayList<>();
            for (InMemorySink.StoredMessage m : sink.messages()) {
              got.add(new String(m.content(), StandardCharsets.ISO_8859_1));
            }
            want.sort(null);
            got.sort(null);
            assertEquals(want, got, quirk + ": every message byte-exact");
            break;
          }
        case ALTERED:
          assertTrue(r.ok(), () -> quirk + ": " + r.summary());
          assertEquals(
              served.size(),
              r.count(MessageOutcome.Kind.DELIVERED) + r.count(MessageOutcome.Kind.ALREADY_SEEN));
          break;
        default:
          assertEquals(
              c.error,
              r.firstError().map(e -> e.error()).orElse(null),
              () -> quirk + ": " + r.summary());
          break;
      }
      if (c.unconfirmed) {
        assertTrue(r.deletionsUnconfirmed() > 0, r::summary);
      }
      assertEquals(
          List.of(),
          HostileChecks.violations(
              server, List.of(PASSWORD, "good-token"), true, Duration.ofSeconds(30)),
          quirk + ": the server's checks");
    }
  }
}
