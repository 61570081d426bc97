package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome.Kind;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.HostileCase;
import dev.mailfetch.testkit.HostileChecks;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.RecordedSession;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Every hostile case against the client, each a test named after its constant: the outcome
 * docs/hostile.md requires, and the server-side checks of {@link HostileChecks}: no secret in plain
 * text, bounded time, no DELE of a message not fully received, no message number taken from a
 * broken listing.
 */
@Timeout(120)
class HostileClientTest {
  private static final TestCertificates CERTS = Pop3SourceTest.CERTS;
  private static final String PASSWORD = "hunter2 but longer";
  private static final String TOKEN = "ya29." + "T".repeat(2048);

  /**
   * An ID of docs/hostile.md ("case N-05", "cases R-06, R-07"): the tests' catalogue, not the
   * reader's.
   */
  private static final Pattern CATALOGUE_ID = Pattern.compile("\\b[NTARUL]-\\d\\d\\b");

  /** What a case expects: null for success, else the error. */
  private static final Map<HostileCase, FetchError> EXPECT = new EnumMap<>(HostileCase.class);

  /** The security the client uses for a case (plain text by default, with the opt-in). */
  private static final Map<HostileCase, Security> SECURITY = new EnumMap<>(HostileCase.class);

  static {
    expect(
        HostileCase.N01_STLS_NOT_OFFERED, FetchError.TLS_REQUIRED_NOT_OFFERED, Security.STARTTLS);
    expect(HostileCase.N02_STLS_REFUSED, FetchError.TLS_FAILED, Security.STARTTLS);
    expect(
        HostileCase.N03_CAPA_AND_STLS_REFUSED,
        FetchError.TLS_FAILED,
        Security.STARTTLS); // refused with a code: it knows STLS
    expect(HostileCase.N04_STLS_OK_WITHOUT_TLS, FetchError.TLS_FAILED, Security.STARTTLS);
    expect(HostileCase.N05_STLS_RESPONSE_INJECTION, FetchError.TLS_FAILED, Security.STARTTLS);
    expect(HostileCase.N06_STLS_GARBAGE_BEFORE_HANDSHAKE, FetchError.TLS_FAILED, Security.STARTTLS);
    expect(HostileCase.N07_CAPA_CHANGES_AFTER_TLS, null, Security.STARTTLS);
    expect(HostileCase.N08_APOP_AND_SASL_BEFORE_STLS, null, Security.STARTTLS);
    expect(HostileCase.N09_STLS_THEN_SILENCE, FetchError.CONNECTION_TIMED_OUT, Security.STARTTLS);
    expect(HostileCase.N10_UNSOLICITED_DATA, null, Security.NONE);
    expect(HostileCase.N11_PLAINTEXT_ON_TLS_PORT, FetchError.TLS_FAILED, Security.IMPLICIT_TLS);
    expect(HostileCase.N12_PIPELINING_EXTRA_REPLIES, FetchError.PROTOCOL, Security.NONE);
    expect(HostileCase.T01_SELF_SIGNED, FetchError.CERTIFICATE_INVALID, Security.IMPLICIT_TLS);
    expect(HostileCase.T02_UNKNOWN_CA, FetchError.CERTIFICATE_INVALID, Security.IMPLICIT_TLS);
    expect(HostileCase.T03_WRONG_HOST, FetchError.CERTIFICATE_INVALID, Security.IMPLICIT_TLS);
    expect(HostileCase.T04_EXPIRED, FetchError.CERTIFICATE_INVALID, Security.IMPLICIT_TLS);
    expect(HostileCase.T05_NUL_IN_NAME, FetchError.CERTIFICATE_INVALID, Security.IMPLICIT_TLS);
    expect(HostileCase.T06_OLD_TLS_ONLY, FetchError.TLS_FAILED, Security.IMPLICIT_TLS);
    expect(HostileCase.T07_REQUIRES_SNI, null, Security.IMPLICIT_TLS);
    expect(HostileCase.T08_HOSTILE_SUBJECT, null, Security.IMPLICIT_TLS);
    expect(HostileCase.T09_OTHER_KEY, FetchError.CERTIFICATE_INVALID, Security.IMPLICIT_TLS);
    expect(
        HostileCase.A01_PLAINTEXT_LOGIN_OFFERED,
        FetchError.TLS_REQUIRED_NOT_OFFERED,
        Security.STARTTLS);
    expect(HostileCase.A02_NO_OAUTH_MECHANISM, FetchError.AUTH_FAILED, Security.NONE);
    expect(HostileCase.A03_BAD_APOP_TIMESTAMP, null, Security.NONE);
    expect(HostileCase.A04_PATHOLOGICAL_GREETING, FetchError.LIMIT_EXCEEDED, Security.NONE);
    expect(HostileCase.A05_ENDLESS_SASL, FetchError.PROTOCOL, Security.NONE);
    expect(HostileCase.A06_AUTH_ANSWERED_OK, FetchError.PROTOCOL, Security.NONE);
    expect(HostileCase.A07_CALLER_INJECTION, null, Security.NONE);
    expect(HostileCase.A08_TRACE_LOGGING, null, Security.NONE);
    expect(HostileCase.A09_CONNECTION_REUSE, null, Security.NONE);
    expect(HostileCase.A10_PERMANENT_LOGIN_ERROR, FetchError.SERVER_PERMANENT, Security.NONE);
    expect(HostileCase.R01_ENDLESS_STATUS_LINE, FetchError.LIMIT_EXCEEDED, Security.NONE);
    expect(HostileCase.R02_ENDLESS_LISTING, FetchError.LIMIT_EXCEEDED, Security.NONE);
    expect(HostileCase.R03_ENDLESS_BODY, FetchError.LIMIT_EXCEEDED, Security.NONE);
    expect(HostileCase.R04_TRICKLE, FetchError.CONNECTION_TIMED_OUT, Security.NONE);
    expect(HostileCase.R05_DISCONNECT_MID_LISTING, FetchError.CONNECTION_RESET, Security.NONE);
    expect(HostileCase.R06_NEGATIVE_NUMBERS, FetchError.PROTOCOL, Security.NONE);
    expect(
        HostileCase.R07_HUGE_NUMBERS,
        FetchError.PROTOCOL,
        Security.NONE); // said as hostile, no limit to raise
    expect(HostileCase.R08_SIZE_MISMATCH, null, Security.NONE);
    expect(HostileCase.R09_BAD_MESSAGE_NUMBERS, FetchError.WRONG_ORDER, Security.NONE);
    expect(HostileCase.R10_DOT_STUFFING_EDGES, null, Security.NONE);
    expect(HostileCase.R11_LINE_END_CHAOS, FetchError.READ_ERROR, Security.NONE);
    expect(HostileCase.R12_BINARY_IN_STATUS, null, Security.NONE);
    expect(HostileCase.R13_BOGUS_STATUS, FetchError.PROTOCOL, Security.NONE);
    expect(HostileCase.R14_ERR_GREETING, FetchError.SERVER_TEMPORARY, Security.NONE);
    expect(HostileCase.R15_OVERSIZED_CAPA, null, Security.NONE);
    expect(HostileCase.U01_LONG_UIDL, null, Security.NONE);
    expect(HostileCase.U02_EMPTY_UIDL, null, Security.NONE);
    expect(HostileCase.U03_PATH_UIDL, null, Security.NONE);
    expect(HostileCase.U04_SPACE_UIDL, null, Security.NONE);
    expect(HostileCase.U05_DUPLICATE_UIDL, null, Security.NONE);
    expect(HostileCase.U06_UIDL_STAT_MISMATCH, FetchError.WRONG_ORDER, Security.NONE);
    expect(HostileCase.L01_LOG_INJECTION, FetchError.AUTH_FAILED, Security.NONE);
  }

  private static void expect(HostileCase c, FetchError e, Security s) {
    EXPECT.put(c, e);
    SECURITY.put(c, s);
  }

  @TestFactory
  Stream<DynamicTest> everyHostileCase() {
    return Arrays.stream(HostileCase.values())
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c)));
  }

  @Test
  void everyCaseHasAnExpectedOutcome() {
    List<HostileCase> missing = new ArrayList<>();
    for (HostileCase c : HostileCase.values()) {
      if (!SECURITY.containsKey(c)) {
        missing.add(c);
      }
    }
    assertEquals(List.of(), missing);
  }

  /** A client context that trusts only the VALID certificate itself: a pin (case T-09). */
  private static SSLContext pinnedToValid() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("pin", CERTS.certificate(TestCertificates.Profile.VALID));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private void run(HostileCase c) throws Exception {
    Security security = SECURITY.get(c);
    FakeMailbox box = MailCorpus.generate(31, 3).toMailbox();
    FakePop3Server.Builder b =
        FakePop3Server.builder().account("alice", PASSWORD, box).oauthToken("alice", TOKEN);
    if (c == HostileCase.A01_PLAINTEXT_LOGIN_OFFERED) {
      b.tls(TlsMode.NONE, null);
    }
    c.applyTo(b, CERTS);
    if (c == HostileCase.N12_PIPELINING_EXTRA_REPLIES) {
      b.replyDelay(Duration.ofMillis(20));
    }
    Duration deadline = Duration.ofSeconds(3);
    try (FakePop3Server server = b.start()) {
      Pop3Source.Builder client =
          Pop3Source.builder()
              .host("localhost")
              .port(server.port())
              .security(security)
              .user("alice")
              .sslContext(c == HostileCase.T09_OTHER_KEY ? pinnedToValid() : CERTS.clientContext())
              .limits(
                  Pop3Limits.builder()
                      .readTimeout(Duration.ofSeconds(2))
                      .commandTimeout(deadline)
                      // A handshake is CPU work a loaded machine can stretch past 2 s; only the
                      // case whose
                      // server falls silent after STLS is about the handshake's deadline.
                      .handshakeTimeout(
                          Duration.ofSeconds(c == HostileCase.N09_STLS_THEN_SILENCE ? 2 : 10))
                      // Where a case proves a cap, the cap is small enough to be reached within a
                      // small part
                      // of the deadline on any machine: with the default 1,000,000 entries the
                      // endless
                      // listing raced the 3 s deadline, and a loaded machine timed out first.
                      .maxListingLinesOnTheWire(
                          c == HostileCase.R02_ENDLESS_LISTING
                              ? 1000
                              : Pop3Limits.defaults().maxListingLinesOnTheWire())
                      .maxBodyBytesOnTheWire(c == HostileCase.R03_ENDLESS_BODY ? 1 << 20 : 1L << 30)
                      .build());
      if (security == Security.NONE) {
        client.allowPlaintextAuthentication(true);
      }
      if (c == HostileCase.A02_NO_OAUTH_MECHANISM || c == HostileCase.A06_AUTH_ANSWERED_OK) {
        client.oauthTokens(() -> TOKEN);
      } else {
        client.password(() -> PASSWORD);
      }
      if (c == HostileCase.A07_CALLER_INJECTION) {
        assertThrows(
            IllegalArgumentException.class, () -> Pop3Source.builder().user("alice\r\nDELE 1"));
      }
      Pop3Source source = client.build();
      InMemorySink sink = InMemorySink.create();
      InMemoryUidStore store = InMemoryUidStore.create();
      FetchResult r =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(store)
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .batchSize(3)
              .build()
              .run();
      FetchError want = EXPECT.get(c);
      if (want == null) {
        assertTrue(r.ok(), () -> c + ": " + r.summary());
        assertEquals(
            r.listed(),
            sink.size() + r.count(Kind.ALREADY_SEEN),
            c + ": every message stored once");
      } else {
        assertEquals(
            want,
            r.firstError().map(FetchException::error).orElse(null),
            () -> c + ": " + r.summary());
        String message = r.firstError().orElseThrow().getMessage();
        assertFalse(
            message.contains(PASSWORD) || message.contains(TOKEN), c + ": no secret in the error");
        assertTrue(
            message.chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f),
            c + ": no raw control bytes in the error");
        String advice = r.firstError().orElseThrow().remedy().commandLine();
        assertFalse(
            CATALOGUE_ID.matcher(message + " " + advice).find(),
            c
                + ": no ID of the test catalogue in what a person reads: "
                + message
                + " / "
                + advice);
        if (c == HostileCase.R02_ENDLESS_LISTING) {
          String limit = r.firstError().orElseThrow().remedy().library();
          assertTrue(
              message.contains("(1,000)") && limit.contains("maxListingLinesOnTheWire"),
              c + ": the entry cap stopped it: " + message + " / " + limit);
        }
      }
      if (c == HostileCase.N12_PIPELINING_EXTRA_REPLIES) {
        // The desync cost one run; the next one goes one command at a time and completes.
        server.awaitSessionsEnded(Duration.ofSeconds(10));
        FetchResult again =
            Fetcher.builder()
                .source(source)
                .sink(sink)
                .uidStore(store)
                .retention(Retention.DELETE_AFTER_DELIVERY)
                .batchSize(3)
                .build()
                .run();
        assertTrue(again.ok(), again::summary);
        assertEquals(3, sink.size());
        for (InMemorySink.StoredMessage m : sink.messages()) {
          assertFalse(
              new String(m.content(), StandardCharsets.ISO_8859_1).startsWith("+OK"),
              "no reply stored as mail");
        }
      }
      if (c == HostileCase.A02_NO_OAUTH_MECHANISM) {
        server.awaitSessionsEnded(Duration.ofSeconds(5));
        for (RecordedSession s : server.sessions()) {
          assertTrue(
              s.commands("PASS").isEmpty() && s.commands("USER").isEmpty(),
              "no fallback to PASS with the token");
        }
      }
      if (c == HostileCase.A06_AUTH_ANSWERED_OK) {
        server.awaitSessionsEnded(Duration.ofSeconds(5));
        assertFalse(
            server.session(1).sentInPlaintext(TOKEN), "the token was not sent after a bare +OK");
      }
      if (c == HostileCase.A03_BAD_APOP_TIMESTAMP) {
        server.awaitSessionsEnded(Duration.ofSeconds(5));
        assertTrue(server.session(1).commands("APOP").isEmpty(), "APOP is never chosen by itself");
      }
      boolean plaintextAllowed = security == Security.NONE;
      assertEquals(
          List.of(),
          HostileChecks.violations(
              server, List.of(PASSWORD, TOKEN), plaintextAllowed, deadline.multipliedBy(3)),
          c + ": the server's checks");
    }
  }
}
