package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import dev.mailfetch.testkit.imap.FakeImapServer;
import dev.mailfetch.testkit.imap.ImapFault;
import dev.mailfetch.testkit.imap.ImapSeed;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hostile cases of docs/hostile.md that apply to the IMAP source, against the testkit's fake
 * IMAP server: STARTTLS stripped and STARTTLS response injection (N-01, N-05), hostile certificates
 * (T-01–T-05), a huge literal and an endless answer. Each run fails with its
 * typed error, sends no password where it must not, and delivers nothing altered.
 */
@Timeout(30)
class ImapSourceHostileTest {
  private static final TestCertificates CERTS = TestCertificates.generate();
  private static final String PASSWORD = "hostile-source-pw";

  /** Deadlines short enough that a hang shows in a second or two. */
  private static final ImapLimits SHORT =
      ImapLimits.builder()
          .connectTimeout(Duration.ofSeconds(2))
          .handshakeTimeout(Duration.ofSeconds(2))
          .readTimeout(Duration.ofSeconds(2))
          .commandTimeout(Duration.ofSeconds(3))
          .maxUntaggedPerCommand(1000)
          .maxLiteralBytes(1 << 20)
          .build();

  static FakeImapServer.Builder server() {
    return FakeImapServer.builder()
        .account("u", PASSWORD)
        .message("u", "INBOX", ImapSeed.of("Subject: a\r\n\r\nbody\r\n"));
  }

  static ImapSource.Builder source(FakeImapServer imap) {
    return ImapSource.builder()
        .host("localhost")
        .port(imap.port())
        .user("u")
        .password(() -> PASSWORD)
        .limits(SHORT);
  }

  static FetchResult run(ImapSource source, InMemorySink sink) {
    return Fetcher.builder()
        .source(source)
        .sink(sink)
        .uidStore(InMemoryUidStore.create())
        .build()
        .run();
  }

  static FetchException failed(FetchResult r, Set<FetchError> codes) {
    assertFalse(r.ok(), r.summary());
    FetchException e = r.firstError().orElseThrow(() -> new AssertionError(r.summary()));
    assertTrue(codes.contains(e.error()), e.error() + ": " + e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD), "no password in the words");
    return e;
  }

  @Test
  void N01_starttlsStripped_stopsBeforeAnyCredential() {
    try (FakeImapServer imap = server().start()) {
      InMemorySink sink = InMemorySink.create();
      failed(
          run(source(imap).security(ImapSecurity.STARTTLS).build(), sink),
          Set.of(FetchError.TLS_REQUIRED_NOT_OFFERED, FetchError.TLS_FAILED));
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertFalse(imap.session(1).sentInPlaintext(PASSWORD), "the password stayed home");
      assertTrue(imap.session(1).loggedInUser().isEmpty());
      assertEquals(0, sink.size());
    }
  }

  @Test
  void N05_starttlsResponseInjection_isRefused() {
    try (FakeImapServer imap =
        server().tls(TlsMode.STLS, CERTS).fault(ImapFault.starttlsInjection()).start()) {
      InMemorySink sink = InMemorySink.create();
      failed(
          run(
              source(imap)
                  .security(ImapSecurity.STARTTLS)
                  .sslContext(CERTS.clientContext())
                  .build(),
              sink),
          Set.of(FetchError.TLS_FAILED, FetchError.PROTOCOL));
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertTrue(imap.session(1).loggedInUser().isEmpty(), "no login after injected bytes");
      assertEquals(0, sink.size());
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TestCertificates.Profile.class,
      names = {"SELF_SIGNED", "UNKNOWN_CA", "WRONG_HOST", "EXPIRED", "NUL_IN_NAME"})
  void T01toT05_hostileCertificate_isRefusedBeforeLogin(TestCertificates.Profile profile) {
    try (FakeImapServer imap = server().tls(TlsMode.IMPLICIT, CERTS, profile).start()) {
      InMemorySink sink = InMemorySink.create();
      failed(
          run(
              source(imap)
                  .security(ImapSecurity.IMPLICIT_TLS)
                  .sslContext(CERTS.clientContext())
                  .build(),
              sink),
          Set.of(FetchError.CERTIFICATE_INVALID, FetchError.TLS_FAILED));
      imap.awaitSessionsEnded(Duration.ofSeconds(5));
      assertTrue(imap.session(1).loggedInUser().isEmpty(), profile + ": no login");
      assertEquals(0, sink.size());
    }
  }

  @Test
  void R03_hugeLiteral_stopsAtTheLiteralCap() {
    try (FakeImapServer imap = server().fault(ImapFault.hugeLiteral("UID FETCH", 1)).start()) {
      InMemorySink sink = InMemorySink.create();
      long start = System.nanoTime();
      FetchException e =
          failed(
              run(
                  source(imap)
                      .security(ImapSecurity.NONE)
                      .allowPlaintextAuthentication(true)
                      .build(),
                  sink),
              Set.of(FetchError.LIMIT_EXCEEDED, FetchError.PROTOCOL));
      assertTrue(System.nanoTime() - start < 10_000_000_000L, "no 1 TiB read: " + e.getMessage());
      assertEquals(0, sink.size());
    }
  }

  @Test
  void R02_endlessAnswer_isCutOffByTheUntaggedLimit() {
    try (FakeImapServer imap = server().fault(ImapFault.endlessUntagged("UID FETCH", 1)).start()) {
      InMemorySink sink = InMemorySink.create();
      failed(
          run(
              source(imap).security(ImapSecurity.NONE).allowPlaintextAuthentication(true).build(),
              sink),
          Set.of(FetchError.LIMIT_EXCEEDED, FetchError.CONNECTION_TIMED_OUT));
      assertEquals(0, sink.size());
    }
  }
}
