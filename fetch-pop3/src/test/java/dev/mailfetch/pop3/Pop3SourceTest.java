package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.SkipReason;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.Fault;
import dev.mailfetch.testkit.HostileCase;
import dev.mailfetch.testkit.HostileChecks;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.RecordedCommand;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The POP3 client against the testkit's fake server, through the real engine. */
@Timeout(60)
class Pop3SourceTest {
  static final TestCertificates CERTS = TestCertificates.generate();
  static final String PASSWORD = "correct horse battery staple";

  static FakePop3Server.Builder server(FakeMailbox box) {
    return FakePop3Server.builder().account("alice", PASSWORD, box);
  }

  static Pop3Source.Builder client(FakePop3Server server, Security security) {
    return client(server, security, Pop3Limits.builder());
  }

  static Pop3Source.Builder client(
      FakePop3Server server, Security security, Pop3Limits.Builder limits) {
    Pop3Source.Builder b =
        Pop3Source.builder()
            .host("localhost")
            .port(server.port())
            .security(security)
            .user("alice")
            .password(() -> PASSWORD)
            .sslContext(CERTS.clientContext())
            .limits(
                limits
                    .readTimeout(Duration.ofSeconds(5))
                    .commandTimeout(Duration.ofSeconds(10))
                    .build());
    if (security == Security.NONE) {
      b.allowPlaintextAuthentication(true);
    }
    return b;
  }

  static FetchResult fetch(
      Pop3Source source, InMemorySink sink, InMemoryUidStore store, Retention retention) {
    return Fetcher.builder()
        .source(source)
        .sink(sink)
        .uidStore(store)
        .retention(retention)
        .batchSize(20)
        .build()
        .run();
  }

  static Map<String, byte[]> byUid(InMemorySink sink) {
    Map<String, byte[]> out = new HashMap<>();
    for (InMemorySink.StoredMessage m : sink.messages()) {
      out.put(m.envelope().uid(), m.content());
    }
    return out;
  }

  /**
   * Quirk Q16 when the junk after the greeting arrives late: the CAPA's first reply is the junk's
   * "+OK", and the real "+OK Capability list follows" comes as the listing's first line. It must
   * not be taken for a capability.
   */
  @Test
  void Q16_lateGreetingJunk_isNotTakenForACapability() throws Exception {
    try (FakePop3Server server =
        server(FakeMailbox.create().add("Subject: a\r\n\r\nbody\r\n"))
            .respond(
                "CAPA",
                "+OK welcome to the message of the day\r\n+OK Capability list follows\r\nUIDL\r\nTOP\r\n"
                    + "USER\r\n.\r\n",
                FakePop3Server.After.CONTINUE)
            .start()) {
      try (var session = client(server, Security.NONE).build().open()) {
        assertTrue(
            session.capabilities().announced().contains("UIDL"), session.capabilities().toString());
        assertTrue(
            session.capabilities().announced().stream().noneMatch(c -> c.startsWith("+OK")),
            session.capabilities().toString());
        assertTrue(session.quirksNoticed().contains(QuirkId.Q16));
      }
    }
  }

  /**
   * Quirk Q31 (MercuryP): RETR marks a message deleted and QUIT removes it. A message the sink
   * could not store must still be on the server after the run: the session sends RSET before its
   * DELEs.
   */
  @Test
  void Q31_retrMarksDeleted_aMessageTheSinkCouldNotStore_staysOnTheServer() throws Exception {
    MailCorpus corpus = MailCorpus.generate(31, 3);
    String refused = corpus.messages().get(1).uid();
    try (FakePop3Server s =
        server(corpus.toMailbox()).quirk(Quirk.Q31_RETR_MARKS_DELETED).start()) {
      InMemorySink inner = InMemorySink.create();
      MessageSink sink =
          new MessageSink() {
            @Override
            public Delivery begin(Envelope envelope) throws IOException {
              Delivery d = inner.begin(envelope);
              if (!refused.equals(envelope.uid())) {
                return d;
              }
              d.abort();
              throw new IOException(
                  "the destination refused this message (test)"); // its own failure: the run goes
              // on
            }

            @Override
            public boolean contains(DeliveryKey key) throws IOException {
              return inner.contains(key);
            }

            @Override
            public void sync() throws IOException {
              inner.sync();
            }

            @Override
            public void close() {}
          };
      FetchResult r =
          Fetcher.builder()
              .source(client(s, Security.NONE).build())
              .sink(sink)
              .uidStore(InMemoryUidStore.create())
              .retention(Retention.DELETE_AFTER_DELIVERY)
              .build()
              .run();
      assertEquals(2, r.count(MessageOutcome.Kind.DELIVERED), r::summary);
      assertEquals(1, r.count(MessageOutcome.Kind.FAILED));
      s.awaitSessionsEnded(Duration.ofSeconds(5));
      assertEquals(
          List.of(refused),
          new ArrayList<>(s.mailbox("alice").uids()),
          "the unstored message stays, the stored ones are deleted");
      List<String> lines = s.session(1).commandLines();
      assertTrue(
          lines.indexOf("RSET") >= 0 && lines.indexOf("RSET") < lines.indexOf("DELE 1"),
          lines::toString);
    }
  }

  @Nested
  class Fetching {
    @ParameterizedTest
    @EnumSource(Security.class)
    void aCorpusArrivesByteExact_underEverySecurityMode(Security security) {
      MailCorpus corpus = MailCorpus.generate(3, 120);
      FakePop3Server.Builder b = server(corpus.toMailbox());
      if (security != Security.NONE) {
        b.tls(security == Security.IMPLICIT_TLS ? TlsMode.IMPLICIT : TlsMode.STLS, CERTS);
      }
      try (FakePop3Server s = b.start()) {
        InMemorySink sink = InMemorySink.create();
        FetchResult r =
            fetch(
                client(s, security).build(),
                sink,
                InMemoryUidStore.create(),
                Retention.DELETE_AFTER_DELIVERY);
        assertTrue(r.ok(), r::summary);
        assertEquals(120, r.count(MessageOutcome.Kind.DELIVERED));
        Map<String, byte[]> got = byUid(sink);
        for (MailCorpus.Message m : corpus.messages()) {
          assertArrayEquals(m.content(), got.get(m.uid()), m.uid());
        }
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(0, s.mailbox("alice").size(), "all deleted after delivery");
        boolean plaintextAllowed = security == Security.NONE;
        assertEquals(
            List.of(),
            HostileChecks.violations(
                s, List.of(PASSWORD), plaintextAllowed, Duration.ofSeconds(10)));
      }
    }

    @Test
    void retrsArePipelined_whenTheServerSaysItCan_andNotOtherwise() {
      for (boolean advertise : new boolean[] {true, false}) {
        try (FakePop3Server s =
            server(MailCorpus.generate(4, 10).toMailbox())
                .replyDelay(Duration.ofMillis(15))
                .pipelining(advertise)
                .start()) {
          FetchResult r =
              fetch(
                  client(s, Security.NONE).build(),
                  InMemorySink.create(),
                  InMemoryUidStore.create(),
                  Retention.KEEP);
          assertTrue(r.ok(), r::summary);
          s.awaitSessionsEnded(Duration.ofSeconds(5));
          List<RecordedCommand> retrs = s.session(1).commands("RETR");
          long pipelined = retrs.stream().filter(RecordedCommand::pipelined).count();
          if (advertise) {
            assertTrue(pipelined >= 8, "RETRs pipelined: " + pipelined);
          } else {
            assertEquals(0, pipelined, "never two commands outstanding without PIPELINING");
          }
        }
      }
    }

    @Test
    void Q21_aStallWhilePipeliningDeletions_fallsBackToOneCommandAtATime_withinTheRun() {
      try (FakePop3Server s =
          server(MailCorpus.generate(6, 4).toMailbox())
              .fault(Fault.stallAtCommand("DELE", 1, Duration.ofSeconds(8)).inSession(1))
              .start()) {
        Pop3Source source = client(s, Security.NONE).build();
        InMemoryUidStore store = InMemoryUidStore.create();
        FetchResult first =
            fetch(source, InMemorySink.create(), store, Retention.DELETE_AFTER_DELIVERY);
        assertTrue(first.ok(), first::summary);
        assertTrue(
            first.quirks().contains(QuirkId.Q21), "the stall is taken for Q21: " + first.quirks());
        s.awaitSessionsEnded(Duration.ofSeconds(15));
        assertEquals(
            0,
            s.mailbox("alice").size(),
            "the deletions are done in the same run: " + first.summary());
        assertTrue(
            s.session(2).commands().stream().noneMatch(RecordedCommand::pipelined),
            "one command at a time: " + s.session(2).commandLines());
      }
    }

    @Test
    void aSecondRunFetchesNothing_andKeepModeSendsNoDele() {
      try (FakePop3Server s = server(MailCorpus.generate(5, 8).toMailbox()).start()) {
        InMemorySink sink = InMemorySink.create();
        InMemoryUidStore store = InMemoryUidStore.create();
        Pop3Source source = client(s, Security.NONE).build();
        assertTrue(fetch(source, sink, store, Retention.KEEP).ok());
        FetchResult again = fetch(source, sink, store, Retention.KEEP);
        assertEquals(8, again.count(MessageOutcome.Kind.ALREADY_SEEN));
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertTrue(s.session(2).commands("RETR").isEmpty());
        assertTrue(s.sessions().stream().allMatch(x -> x.commands("DELE").isEmpty()));
      }
    }
  }

  @Nested
  class Security_ {
    @Test
    void N01_starttlsRequired_butNotOffered_noCredentialSent() {
      try (FakePop3Server s =
          HostileCase.N01_STLS_NOT_OFFERED.applyTo(server(FakeMailbox.create()), CERTS).start()) {
        FetchException e =
            assertThrows(FetchException.class, () -> client(s, Security.STARTTLS).build().open());
        assertEquals(FetchError.TLS_REQUIRED_NOT_OFFERED, e.error());
        assertEquals(
            List.of(),
            HostileChecks.violations(s, List.of(PASSWORD, "alice"), false, Duration.ofSeconds(10)));
      }
    }

    @Test
    void N05_responseInjectionAfterStls_isRefused_noCredentialSent() {
      try (FakePop3Server s =
          HostileCase.N05_STLS_RESPONSE_INJECTION
              .applyTo(server(FakeMailbox.create()), CERTS)
              .start()) {
        FetchException e =
            assertThrows(FetchException.class, () -> client(s, Security.STARTTLS).build().open());
        assertEquals(FetchError.TLS_FAILED, e.error());
        assertTrue(e.getMessage().contains("injecting"), e.getMessage());
        assertTrue(
            e.remedy().commandLine().contains("pop3s://"),
            "implicit TLS leaves nothing to inject into");
        assertEquals(
            List.of(),
            HostileChecks.violations(s, List.of(PASSWORD), false, Duration.ofSeconds(10)));
      }
    }

    @ParameterizedTest
    @EnumSource(
        value = TestCertificates.Profile.class,
        names = {
          "SELF_SIGNED",
          "UNKNOWN_CA",
          "WRONG_HOST",
          "EXPIRED",
          "NOT_YET_VALID",
          "NUL_IN_NAME"
        })
    void badCertificates_areCertificateInvalid(TestCertificates.Profile profile) {
      try (FakePop3Server s =
          server(FakeMailbox.create()).tls(TlsMode.IMPLICIT, CERTS, profile).start()) {
        FetchException e =
            assertThrows(
                FetchException.class, () -> client(s, Security.IMPLICIT_TLS).build().open());
        assertEquals(FetchError.CERTIFICATE_INVALID, e.error(), e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD));
      }
    }

    @Test
    void T06_oldTlsOnly_isTlsFailed() {
      try (FakePop3Server s =
          HostileCase.T06_OLD_TLS_ONLY.applyTo(server(FakeMailbox.create()), CERTS).start()) {
        FetchException e =
            assertThrows(
                FetchException.class, () -> client(s, Security.IMPLICIT_TLS).build().open());
        assertEquals(FetchError.TLS_FAILED, e.error(), e.getMessage());
      }
    }

    @Test
    void N11_plainTextOnTheTlsPort_isTlsFailed_sayingWhichSettingToChange() {
      try (FakePop3Server s = server(FakeMailbox.create()).start()) {
        FetchException e =
            assertThrows(
                FetchException.class, () -> client(s, Security.IMPLICIT_TLS).build().open());
        assertEquals(FetchError.TLS_FAILED, e.error());
        assertTrue(
            e.detail().contains("STARTTLS") && !e.detail().contains("Security."), e.detail());
        assertTrue(e.remedy().commandLine().contains("--tls starttls"), e.remedy().commandLine());
        assertTrue(e.remedy().library().contains("Security.STARTTLS"), e.remedy().library());
      }
    }

    @Test
    void sniIsSent_andTheSessionIsTls12OrLater() {
      try (FakePop3Server s = server(FakeMailbox.create()).tls(TlsMode.IMPLICIT, CERTS).start()) {
        assertTrue(
            fetch(
                    client(s, Security.IMPLICIT_TLS).build(),
                    InMemorySink.create(),
                    InMemoryUidStore.create(),
                    Retention.KEEP)
                .ok());
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals("localhost", s.session(1).sniHostName().orElseThrow());
        assertTrue(s.session(1).tlsProtocol().orElseThrow().matches("TLSv1\\.[23]"));
      }
    }

    @Test
    void plainTextWithoutTheOptIn_isRefusedWhenBuilt() {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  Pop3Source.builder()
                      .host("localhost")
                      .user("alice")
                      .password(() -> "x")
                      .security(Security.NONE)
                      .build());
      assertTrue(e.getMessage().contains("allowPlaintextAuthentication"));
      assertThrows(IllegalArgumentException.class, () -> Pop3Source.builder().user("u\r\nDELE 1"));
    }
  }

  @Nested
  class Login {
    @Test
    void aWrongPassword_isAuthFailed_withTheServersWords_andNoSecret() {
      try (FakePop3Server s =
          FakePop3Server.builder().account("alice", "other", FakeMailbox.create()).start()) {
        FetchException e =
            assertThrows(FetchException.class, () -> client(s, Security.NONE).build().open());
        assertEquals(FetchError.AUTH_FAILED, e.error());
        assertTrue(e.getMessage().contains("[AUTH] Authentication failed"), e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD));
      }
    }

    /**
     * A password refused with [AUTH] (RFC 3206: the credentials are wrong) is not sent again by the
     * next mechanism: a server that counts failed logins would count three per run. A refusal
     * without a code is ambiguous (the mechanism itself may be what the server refuses), so there
     * the next mechanism is still tried.
     */
    @Test
    void aPasswordRefusedWithTheAuthCode_isNotTriedAgainWithAnotherMechanism() {
      try (FakePop3Server s =
          FakePop3Server.builder()
              .account("alice", "other", FakeMailbox.create())
              .saslMechanisms("PLAIN", "LOGIN")
              .start()) {
        FetchException e =
            assertThrows(FetchException.class, () -> client(s, Security.NONE).build().open());
        assertEquals(FetchError.AUTH_FAILED, e.error());
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(
            List.of("AUTH PLAIN"),
            s.session(1).commands().stream()
                .map(RecordedCommand::line)
                .filter(l -> l.startsWith("AUTH") || l.startsWith("USER") || l.startsWith("PASS"))
                .map(l -> l.startsWith("AUTH PLAIN") ? "AUTH PLAIN" : l)
                .toList(),
            "one login");
      }
      try (FakePop3Server s =
          FakePop3Server.builder()
              .account("alice", "other", FakeMailbox.create())
              .saslMechanisms("PLAIN", "LOGIN")
              .responseCodes(false)
              .start()) {
        assertThrows(FetchException.class, () -> client(s, Security.NONE).build().open());
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        List<String> tried =
            s.session(1).commands().stream()
                .map(RecordedCommand::line)
                .filter(l -> l.startsWith("AUTH") || l.startsWith("USER"))
                .map(l -> l.split(" ")[0] + " " + l.split(" ")[1])
                .toList();
        assertEquals(
            List.of("AUTH PLAIN", "AUTH LOGIN", "USER alice"), tried, "no code: ambiguous");
      }
    }

    @Test
    void Q41_microsoftTwoStepXoauth2() {
      try (FakePop3Server s =
          server(FakeMailbox.create())
              .quirk(Quirk.Q41_XOAUTH2_TWO_STEP)
              .oauthToken("alice", "tok")
              .start()) {
        Pop3Source src = client(s, Security.NONE).oauthTokens(() -> "tok").build();
        FetchResult r =
            fetch(src, InMemorySink.create(), InMemoryUidStore.create(), Retention.KEEP);
        assertTrue(r.ok(), r::summary);
      }
    }

    @Test
    void aLongTokenGoesTwoStep() {
      String token = "ya29." + "t".repeat(16 * 1024);
      try (FakePop3Server s = server(FakeMailbox.create()).oauthToken("alice", token).start()) {
        Pop3Source src = client(s, Security.NONE).oauthTokens(() -> token).build();
        assertTrue(
            fetch(src, InMemorySink.create(), InMemoryUidStore.create(), Retention.KEEP).ok());
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals("AUTH XOAUTH2", s.session(1).commands("AUTH").get(0).line());
      }
    }

    @Test
    void Q42_anExpiredToken_isAuthTokenExpired_andTheProviderIsTold() {
      try (FakePop3Server s =
          server(FakeMailbox.create())
              .quirk(Quirk.Q42_OAUTH_ERROR_CONTINUATION)
              .expiredOauthToken("alice", "old")
              .start()) {
        AtomicReference<String> invalidated = new AtomicReference<>();
        TokenProvider tokens =
            new TokenProvider() {
              @Override
              public String accessToken() {
                return "old";
              }

              @Override
              public void invalidate(String token) {
                invalidated.set(token);
              }
            };
        FetchException e =
            assertThrows(
                FetchException.class,
                () -> client(s, Security.NONE).oauthTokens(tokens).build().open());
        assertEquals(FetchError.AUTH_TOKEN_EXPIRED, e.error(), e.getMessage());
        assertEquals("old", invalidated.get());
      }
    }

    @Test
    void cramMd5_logsIn_whenAllowed_andThePasswordNeverCrossesTheWire() {
      try (FakePop3Server s =
          server(MailCorpus.generate(7, 2).toMailbox())
              .saslMechanisms("CRAM-MD5", "PLAIN")
              .start()) {
        Pop3Source src =
            client(s, Security.NONE)
                .mechanisms(AuthMechanism.CRAM_MD5, AuthMechanism.PLAIN)
                .build();
        FetchResult r =
            fetch(src, InMemorySink.create(), InMemoryUidStore.create(), Retention.KEEP);
        assertTrue(r.ok(), r::summary);
        assertEquals(2, r.count(MessageOutcome.Kind.DELIVERED));
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(
            List.of("AUTH CRAM-MD5"),
            s.session(1).commands("AUTH").stream().map(RecordedCommand::line).toList(),
            "without TLS CRAM-MD5 is preferred to PLAIN");
        assertFalse(s.session(1).sentInPlaintext(PASSWORD));
      }
    }

    @Test
    void cramMd5_isNeverChosen_unlessListed() {
      try (FakePop3Server s =
          server(FakeMailbox.create()).saslMechanisms("CRAM-MD5", "PLAIN").start()) {
        assertTrue(
            fetch(
                    client(s, Security.NONE).build(),
                    InMemorySink.create(),
                    InMemoryUidStore.create(),
                    Retention.KEEP)
                .ok());
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertTrue(s.session(1).commands("AUTH").get(0).line().startsWith("AUTH PLAIN"));
      }
    }

    @Test
    void cramMd5_withAWrongPassword_isAuthFailed() {
      try (FakePop3Server s =
          FakePop3Server.builder()
              .account("alice", "other", FakeMailbox.create())
              .saslMechanisms("CRAM-MD5")
              .start()) {
        FetchException e =
            assertThrows(
                FetchException.class,
                () -> client(s, Security.NONE).mechanisms(AuthMechanism.CRAM_MD5).build().open());
        assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
      }
    }

    @Test
    void cramMd5_anEmptyChallenge_isCancelled_andNothingDerivedFromThePasswordIsSent() {
      try (FakePop3Server s =
          server(FakeMailbox.create())
              .saslMechanisms("CRAM-MD5")
              .respond("AUTH", "+ \r\n", FakePop3Server.After.CONTINUE)
              .start()) {
        FetchException e =
            assertThrows(
                FetchException.class,
                () -> client(s, Security.NONE).mechanisms(AuthMechanism.CRAM_MD5).build().open());
        assertEquals(FetchError.PROTOCOL, e.error(), e.getMessage());
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        List<String> lines = s.session(1).commands().stream().map(RecordedCommand::line).toList();
        assertTrue(lines.contains("*"), "cancelled: " + lines);
        assertEquals(
            lines.indexOf("AUTH CRAM-MD5") + 1,
            lines.indexOf("*"),
            "no answer before the cancel: " + lines);
      }
    }

    @Test
    void Q37_inUse_isLocked_andQ38_loginDelay() {
      try (FakePop3Server s = server(FakeMailbox.create()).quirk(Quirk.Q37_LOCKED_IN_USE).start()) {
        assertEquals(
            FetchError.LOCKED,
            assertThrows(FetchException.class, () -> client(s, Security.NONE).build().open())
                .error());
      }
      try (FakePop3Server s =
          server(FakeMailbox.create()).quirk(Quirk.Q38_LOGIN_DELAY_CODE).start()) {
        assertEquals(
            FetchError.LOGIN_DELAY,
            assertThrows(FetchException.class, () -> client(s, Security.NONE).build().open())
                .error());
      }
      try (FakePop3Server s = server(FakeMailbox.create()).quirk(Quirk.Q37_LOCKED_TEXT).start()) {
        assertEquals(
            FetchError.LOCKED,
            assertThrows(FetchException.class, () -> client(s, Security.NONE).build().open())
                .error());
      }
    }
  }

  @Nested
  class Framing {
    @Test
    void Q02_crTerminator_withTheTolerance_andPipelining_everyMessageByteExact_andDeleted() {
      MailCorpus corpus = MailCorpus.generate(2, 9);
      try (FakePop3Server s = server(corpus.toMailbox()).quirk(Quirk.Q02_CR_TERMINATOR).start()) {
        InMemorySink sink = InMemorySink.create();
        FetchResult r =
            fetch(
                client(s, Security.NONE).tolerate(Tolerance.CR_TERMINATOR).build(),
                sink,
                InMemoryUidStore.create(),
                Retention.DELETE_AFTER_DELIVERY);
        assertTrue(r.ok(), r::summary);
        assertTrue(r.quirks().contains(QuirkId.Q02), "flagged: " + r.quirks());
        Map<String, byte[]> got = byUid(sink);
        for (MailCorpus.Message m : corpus.messages()) {
          assertArrayEquals(m.content(), got.get(m.uid()), m.uid());
        }
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(0, s.mailbox("alice").size());
        assertEquals(
            List.of(),
            HostileChecks.violations(s, List.of(PASSWORD), true, Duration.ofSeconds(10)));
      }
    }

    @Test
    void Q02_crTerminator_withoutPipelining_aProbeAfterTheGraceEndsEachMessage_byteExact() {
      MailCorpus corpus = MailCorpus.generate(2, 2);
      try (FakePop3Server s =
          server(corpus.toMailbox()).quirk(Quirk.Q02_CR_TERMINATOR).pipelining(false).start()) {
        InMemorySink sink = InMemorySink.create();
        FetchResult r =
            fetch(
                client(s, Security.NONE).tolerate(Tolerance.CR_TERMINATOR).build(),
                sink,
                InMemoryUidStore.create(),
                Retention.DELETE_AFTER_DELIVERY);
        assertTrue(r.ok(), r::summary);
        assertTrue(r.quirks().contains(QuirkId.Q02), "flagged: " + r.quirks());
        Map<String, byte[]> got = byUid(sink);
        for (MailCorpus.Message m : corpus.messages()) {
          assertArrayEquals(m.content(), got.get(m.uid()), m.uid());
        }
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(0, s.mailbox("alice").size());
        assertTrue(s.session(1).commands().stream().noneMatch(RecordedCommand::pipelined));
        // One probe per message: a NOOP after each RETR, before the next command.
        List<String> lines = s.session(1).commandLines();
        assertEquals(
            List.of("RETR 1", "NOOP", "RETR 2", "NOOP", "NOOP"),
            lines.stream().filter(l -> l.startsWith("RETR") || l.equals("NOOP")).toList(),
            lines::toString);
      }
    }

    @Test
    void
        Q02_crTerminator_withoutTheTolerance_isReadError_whilePipelining_andTimesOutWithout_namingTheQuirk() {
      try (FakePop3Server s =
          server(MailCorpus.generate(2, 2).toMailbox()).quirk(Quirk.Q02_CR_TERMINATOR).start()) {
        Pop3Source source = client(s, Security.NONE).build();
        InMemorySink sink = InMemorySink.create();
        FetchResult r =
            fetch(source, sink, InMemoryUidStore.create(), Retention.DELETE_AFTER_DELIVERY);
        FetchException e = r.firstError().orElseThrow();
        assertEquals(FetchError.READ_ERROR, e.error(), r::summary);
        assertTrue(e.getMessage().contains("quirk Q02"), e.getMessage());
        assertTrue(e.remedy().commandLine().contains("--quirk Q02"), e.remedy().commandLine());
        assertTrue(e.remedy().library().contains("Tolerance.CR_TERMINATOR"), e.remedy().library());
        assertEquals(0, sink.size(), "nothing half-framed reaches the sink");
        s.awaitSessionsEnded(Duration.ofSeconds(10));
        FetchResult next =
            fetch(source, sink, InMemoryUidStore.create(), Retention.DELETE_AFTER_DELIVERY);
        FetchException stalled = next.firstError().orElseThrow();
        assertEquals(FetchError.CONNECTION_TIMED_OUT, stalled.error(), next::summary);
        assertTrue(stalled.getMessage().contains("quirk Q02"), stalled.getMessage());
        assertTrue(
            stalled.remedy().commandLine().contains("--quirk Q02"), stalled.remedy().commandLine());
        s.awaitSessionsEnded(Duration.ofSeconds(10));
        assertEquals(2, s.mailbox("alice").size());
      }
    }

    @Test
    void Q03_aGluedTerminator_whilePipelining_isReadError_andNoMessageHoldsAnother() {
      FakeMailbox box =
          FakeMailbox.create()
              .add("a", "Subject: a\r\n\r\nfirst".getBytes(StandardCharsets.US_ASCII))
              .add("b", "Subject: b\r\n\r\nsecond\r\n".getBytes(StandardCharsets.US_ASCII))
              .add("c", "Subject: c\r\n\r\nthird\r\n".getBytes(StandardCharsets.US_ASCII));
      try (FakePop3Server s = server(box).quirk(Quirk.Q03_NO_CRLF_BEFORE_DOT).start()) {
        InMemorySink sink = InMemorySink.create();
        Pop3Source source = client(s, Security.NONE).build();
        FetchResult r =
            fetch(source, sink, InMemoryUidStore.create(), Retention.DELETE_AFTER_DELIVERY);
        FetchException e = r.firstError().orElseThrow();
        assertEquals(FetchError.READ_ERROR, e.error(), r.summary());
        assertTrue(e.getMessage().contains("Q03"), e.getMessage());
        assertTrue(r.quirks().contains(QuirkId.Q03), "flagged: " + r.quirks());
        // Before this check, "a" arrived holding "+OK" and all of "b", and "b" holding "c".
        Map<String, byte[]> stored = new HashMap<>();
        for (FakeMailbox.Message m : box.messages()) {
          stored.put(m.uid(), m.content());
        }
        for (InMemorySink.StoredMessage m : sink.messages()) {
          assertArrayEquals(stored.get(m.envelope().uid()), m.content(), m.envelope().uid());
        }
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(3, s.mailbox("alice").size(), "nothing deleted");
        // The next session goes one command at a time, where "a" stalls instead of swallowing "b".
        FetchResult next = fetch(source, sink, InMemoryUidStore.create(), Retention.KEEP);
        assertEquals(
            FetchError.CONNECTION_TIMED_OUT,
            next.firstError().orElseThrow().error(),
            next::summary);
        s.awaitSessionsEnded(Duration.ofSeconds(10));
        assertTrue(s.session(2).commands().stream().noneMatch(RecordedCommand::pipelined));
      }
    }

    @Test
    void Q03_aGluedTerminator_timesOut_namingTheQuirk_andStaysOnTheServer() {
      FakeMailbox box =
          FakeMailbox.create()
              .add(
                  "noeol",
                  "Subject: no final line end\r\n\r\nlast words"
                      .getBytes(StandardCharsets.US_ASCII));
      try (FakePop3Server s =
          server(box).quirk(Quirk.Q03_NO_CRLF_BEFORE_DOT).pipelining(false).start()) {
        FetchResult r =
            fetch(
                client(s, Security.NONE).build(),
                InMemorySink.create(),
                InMemoryUidStore.create(),
                Retention.DELETE_AFTER_DELIVERY);
        FetchException e = r.firstError().orElseThrow();
        assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error());
        assertTrue(e.getMessage().contains("quirk Q03"), e.getMessage());
        s.awaitSessionsEnded(Duration.ofSeconds(10));
        assertEquals(1, s.mailbox("alice").size());
      }
    }

    @Test
    void Q03_aMessageThatStallsEveryRun_isQuarantinedAfterItsRuns_andTheMailAfterItFlowsAgain() {
      FakeMailbox box =
          FakeMailbox.create()
              .add("ok1", "Subject: fine\r\n\r\nfine\r\n".getBytes(StandardCharsets.US_ASCII))
              .add(
                  "noeol",
                  "Subject: no final line end\r\n\r\nlast words"
                      .getBytes(StandardCharsets.US_ASCII))
              .add("ok2", "Subject: fine too\r\n\r\nfine\r\n".getBytes(StandardCharsets.US_ASCII));
      try (FakePop3Server s =
          server(box).quirk(Quirk.Q03_NO_CRLF_BEFORE_DOT).pipelining(false).start()) {
        Pop3Source source =
            Pop3Source.builder()
                .host("localhost")
                .port(s.port())
                .security(Security.NONE)
                .allowPlaintextAuthentication(true)
                .user("alice")
                .password(() -> PASSWORD)
                .limits(
                    Pop3Limits.builder()
                        .readTimeout(Duration.ofMillis(700))
                        .commandTimeout(Duration.ofSeconds(10))
                        .build())
                .build();
        InMemorySink sink = InMemorySink.create();
        InMemoryUidStore store = InMemoryUidStore.create();
        Fetcher fetcher =
            Fetcher.builder()
                .source(source)
                .sink(sink)
                .uidStore(store)
                .retention(Retention.KEEP)
                .quarantineAfter(2)
                .build();
        FetchResult first = fetcher.run();
        FetchResult second = fetcher.run();
        assertEquals(
            FetchError.CONNECTION_TIMED_OUT,
            second.firstError().orElseThrow().error(),
            second::summary);
        assertFalse(byUid(sink).containsKey("ok2"), "two runs stopped at the stalling message");
        FetchResult third = fetcher.run();
        assertTrue(third.ok(), third::summary);
        MessageOutcome stalled = third.outcomes().get(1);
        assertEquals(MessageOutcome.Kind.SKIPPED, stalled.kind(), stalled::toString);
        assertEquals(SkipReason.QUARANTINED, stalled.skipReason());
        assertTrue(byUid(sink).containsKey("ok2"), "the mail after it arrives: " + first.summary());
        s.awaitSessionsEnded(Duration.ofSeconds(10));
        assertTrue(
            s.mailbox("alice").uids().contains("noeol"),
            "it stays on the server, for its administrator");
      }
    }

    @Test
    void Q04_anUnstuffedLoneDot_isReadError_andThatMessageIsNeverDeleted() {
      FakeMailbox box =
          FakeMailbox.create()
              .add("ok1", "Subject: fine\r\n\r\nfine\r\n".getBytes(StandardCharsets.US_ASCII))
              .add(
                  "bad",
                  "Subject: lone dot\r\n\r\nbefore\r\n.\r\nafter\r\n"
                      .getBytes(StandardCharsets.US_ASCII))
              .add("ok2", "Subject: fine too\r\n\r\nfine\r\n".getBytes(StandardCharsets.US_ASCII));
      try (FakePop3Server s = server(box).quirk(Quirk.Q04_UNSTUFFED_LONE_DOT).start()) {
        InMemorySink sink = InMemorySink.create();
        FetchResult r =
            fetch(
                client(s, Security.NONE).build(),
                sink,
                InMemoryUidStore.create(),
                Retention.DELETE_AFTER_DELIVERY);
        MessageOutcome bad = r.outcomes().get(1);
        assertEquals(MessageOutcome.Kind.FAILED, bad.kind());
        assertEquals(FetchError.READ_ERROR, bad.error().error(), bad.error().getMessage());
        assertFalse(byUid(sink).containsKey("bad"), "no truncated message in the sink");
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertTrue(s.mailbox("alice").uids().contains("bad"), "never deleted");
        assertEquals(
            List.of(), HostileChecks.violations(s, List.of(), true, Duration.ofSeconds(10)));
      }
    }

    @Test
    void Q01_bareLf_isAReadErrorNamingTheTolerance_andWorksWithIt() {
      try (FakePop3Server s =
          server(MailCorpus.generate(6, 3).toMailbox()).quirk(Quirk.Q01_BARE_LF).start()) {
        FetchException e =
            assertThrows(FetchException.class, () -> client(s, Security.NONE).build().open());
        assertEquals(FetchError.READ_ERROR, e.error());
        assertTrue(e.remedy().commandLine().contains("--quirk Q01"), e.remedy().commandLine());
        assertTrue(e.remedy().library().contains("Tolerance.BARE_LF"), e.remedy().library());
        FetchResult r =
            fetch(
                client(s, Security.NONE).tolerate(Tolerance.BARE_LF).build(),
                InMemorySink.create(),
                InMemoryUidStore.create(),
                Retention.KEEP);
        assertTrue(r.ok(), r::summary);
        assertEquals(3, r.count(MessageOutcome.Kind.DELIVERED));
      }
    }

    @Test
    void Q36_aConnectionDroppedMidRetr_isConnectionReset_andNothingPartialIsKept() {
      try (FakePop3Server s =
          server(MailCorpus.generate(7, 4).toMailbox()).quirk(Quirk.Q36_DROP_MID_RETR).start()) {
        InMemorySink sink = InMemorySink.create();
        FetchResult r =
            fetch(
                client(s, Security.NONE).build(),
                sink,
                InMemoryUidStore.create(),
                Retention.DELETE_AFTER_DELIVERY);
        assertEquals(FetchError.CONNECTION_RESET, r.error().orElseThrow().error());
        assertEquals(0, sink.size());
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(4, s.mailbox("alice").size());
      }
    }

    @Test
    void
        R06_negativeCounts_areProtocolErrors_R07_aCountNoMailboxHolds_isOneToo_beforeAnyAllocation() {
      try (FakePop3Server s =
          HostileCase.R06_NEGATIVE_NUMBERS.applyTo(server(FakeMailbox.create()), CERTS).start()) {
        FetchResult r =
            fetch(
                client(s, Security.NONE).build(),
                InMemorySink.create(),
                InMemoryUidStore.create(),
                Retention.KEEP);
        assertEquals(FetchError.PROTOCOL, r.error().orElseThrow().error());
      }
      try (FakePop3Server s =
          HostileCase.R07_HUGE_NUMBERS.applyTo(server(FakeMailbox.create()), CERTS).start()) {
        FetchResult r =
            fetch(
                client(s, Security.NONE).build(),
                InMemorySink.create(),
                InMemoryUidStore.create(),
                Retention.KEEP);
        assertEquals(FetchError.PROTOCOL, r.error().orElseThrow().error());
        Pop3Source generous =
            client(s, Security.NONE, Pop3Limits.builder().maxListingLinesOnTheWire(1000)).build();
        FetchResult r2 =
            Fetcher.builder()
                .source(generous)
                .sink(InMemorySink.create())
                .uidStore(InMemoryUidStore.create())
                .limits(FetchLimits.builder().maxListing(Integer.MAX_VALUE).build())
                .build()
                .run();
        assertEquals(
            FetchError.PROTOCOL,
            r2.error().orElseThrow().error(),
            "no limit lets a hostile count through");
      }
    }

    @Test
    void R02_anEndlessListing_stopsAtItsCap() {
      try (FakePop3Server s =
          HostileCase.R02_ENDLESS_LISTING
              .applyTo(server(MailCorpus.generate(8, 2).toMailbox()), CERTS)
              .start()) {
        Pop3Source src =
            client(s, Security.NONE, Pop3Limits.builder().maxListingLinesOnTheWire(1000)).build();
        FetchResult r =
            fetch(src, InMemorySink.create(), InMemoryUidStore.create(), Retention.KEEP);
        assertEquals(FetchError.LIMIT_EXCEEDED, r.error().orElseThrow().error());
        assertTrue(r.error().orElseThrow().remedy().library().contains("maxListingLinesOnTheWire"));
      }
    }

    @Test
    void R03_anEndlessBody_stopsAtTheMessageCap() {
      try (FakePop3Server s =
          HostileCase.R03_ENDLESS_BODY
              .applyTo(server(MailCorpus.generate(9, 1).toMailbox()), CERTS)
              .start()) {
        Pop3Source src =
            client(s, Security.NONE, Pop3Limits.builder().maxBodyBytesOnTheWire(1 << 20)).build();
        FetchResult r =
            fetch(
                src,
                InMemorySink.create(),
                InMemoryUidStore.create(),
                Retention.DELETE_AFTER_DELIVERY);
        assertEquals(FetchError.LIMIT_EXCEEDED, r.outcomes().get(0).error().error());
        s.awaitSessionsEnded(Duration.ofSeconds(5));
        assertEquals(1, s.mailbox("alice").size());
      }
    }

    @Test
    void Q24_noUidl_leaveOnServerIsPolicy_deleteModeWorks() {
      try (FakePop3Server s =
          server(MailCorpus.generate(10, 3).toMailbox()).quirk(Quirk.Q24_NO_UIDL).start()) {
        FetchResult keep =
            fetch(
                client(s, Security.NONE).build(),
                InMemorySink.create(),
                InMemoryUidStore.create(),
                Retention.KEEP);
        assertEquals(FetchError.POLICY, keep.error().orElseThrow().error());
        FetchResult delete =
            fetch(
                client(s, Security.NONE).build(),
                InMemorySink.create(),
                InMemoryUidStore.create(),
                Retention.DELETE_AFTER_DELIVERY);
        assertTrue(delete.ok(), delete::summary);
        assertEquals(3, delete.deleted());
      }
    }

    @Test
    void Q25_duplicateUids_keepBothMessages() {
      try (FakePop3Server s =
          server(MailCorpus.generate(11, 4).toMailbox()).quirk(Quirk.Q25_UIDL_DUPLICATES).start()) {
        InMemorySink sink = InMemorySink.create();
        FetchResult r =
            fetch(
                client(s, Security.NONE).build(), sink, InMemoryUidStore.create(), Retention.KEEP);
        assertTrue(r.ok(), r::summary);
        assertEquals(4, sink.size());
        assertTrue(r.quirks().contains(QuirkId.Q25));
      }
    }

    @Test
    void Q35_quitWithoutReply_deletionsNotConfirmed() {
      try (FakePop3Server s =
          server(MailCorpus.generate(12, 2).toMailbox()).quirk(Quirk.Q35_QUIT_NO_REPLY).start()) {
        FetchResult r =
            fetch(
                client(s, Security.NONE).build(),
                InMemorySink.create(),
                InMemoryUidStore.create(),
                Retention.DELETE_AFTER_DELIVERY);
        assertEquals(2, r.deletionsUnconfirmed());
        assertEquals(0, r.deleted());
      }
    }
  }

  static List<String> lines(String s) {
    return new ArrayList<>(List.of(s.split("\r\n")));
  }
}
