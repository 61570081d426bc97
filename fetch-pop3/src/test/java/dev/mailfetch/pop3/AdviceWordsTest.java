package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.FakePop3Server.After;
import dev.mailfetch.testkit.Fault;
import dev.mailfetch.testkit.Quirk;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every message a person reads from the POP3 client and the doctor names what they can type: the
 * detail says what happened in words, and the advice comes in two forms, the {@code mailfetch}
 * options for the command and the builder calls for the library. Nothing a command user reads names
 * a Java identifier.
 */
@Timeout(60)
class AdviceWordsTest {
  /**
   * A Java identifier a person cannot type at the command line: camelCase ({@code trustPem}, {@code
   * maxListingLinesOnTheWire}), {@code Type.CONSTANT} ({@code Tolerance.BARE_LF}), or a constant
   * that is no error code ({@code IMPLICIT_TLS}).
   */
  private static final Pattern IDENTIFIER =
      Pattern.compile(
          "\\b[a-z][a-z0-9]*[A-Z]\\w*|\\b[A-Z][A-Za-z0-9]+\\.[A-Za-z_]+\\w*|\\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\\b");

  private static final Set<String> ERROR_CODES =
      EnumSet.allOf(FetchError.class).stream().map(Enum::name).collect(Collectors.toSet());

  private static List<String> identifiers(String text) {
    List<String> found = new ArrayList<>();
    Matcher m = IDENTIFIER.matcher(text);
    while (m.find()) {
      if (!ERROR_CODES.contains(m.group())
          && !m.group().matches("[kMGTPE]B")) { // a size's unit (Sizes), not Java
        found.add(m.group());
      }
    }
    return found;
  }

  /** Opens a session and lists: where a server's reply to STAT and after is met. */
  private static void list(Pop3Source source) throws FetchException {
    try (FetchSession session = source.open()) {
      session.list(
          new ListingHandler() {
            @Override
            public void count(int messages, long octets) {}

            @Override
            public void message(MessageRef ref) {}
          });
    }
  }

  /** What every failure the client reports must hold: words in the detail, both forms of advice. */
  private static void readable(FetchException e) {
    assertEquals(
        List.of(),
        identifiers(e.detail().replaceAll("\\(server said: .*\\)$", "")),
        "no identifier in the detail: " + e.detail());
    Remedy r = e.remedy();
    assertEquals(
        List.of(),
        identifiers(r.commandLine()),
        "no identifier in the command's advice: " + r.commandLine());
    assertFalse(r.library().contains("--"), "no option in the library's advice: " + r.library());
  }

  @Test
  void everySymptom_saysWhatItMeansInWords_andWhatToDoInBothForms() {
    for (Symptom s : Symptom.values()) {
      assertEquals(List.of(), identifiers(s.cause()), s + "'s meaning: " + s.cause());
      assertEquals(
          List.of(), identifiers(s.remedy().commandLine()), s + "'s advice for the command");
      assertFalse(
          s.remedy().commandLine().matches(".*--trust\\b.*"),
          s + " names --trust, which does not exist");
      assertFalse(
          s.remedy().library().contains("--"), s + "'s advice for the library names an option");
    }
  }

  @Test
  void theDoctorsReport_givesTheAdviceInTheFormItsReaderCanType(@TempDir Path dir)
      throws IOException {
    TestCertificates certs = TestCertificates.generate();
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "pw", FakeMailbox.create())
            .tls(TlsMode.IMPLICIT, certs, TestCertificates.Profile.SELF_SIGNED)
            .start()) {
      Diagnosis d =
          Pop3Doctor.builder()
              .source(
                  Pop3Source.builder()
                      .host("localhost")
                      .port(s.port())
                      .user("alice")
                      .password(() -> "pw")
                      .trustPem(certs.writeCaPem(dir))
                      .build())
              .otherPorts()
              .timeout(Duration.ofSeconds(3))
              .build()
              .examine();
      assertTrue(d.found(Symptom.CERTIFICATE_SELF_SIGNED), d.report());
      String command = d.report(Diagnosis.Reader.COMMAND_LINE);
      assertTrue(command.contains("--ca-file FILE") && !command.contains("trustPem"), command);
      String library = d.report(Diagnosis.Reader.LIBRARY);
      assertTrue(library.contains("trustPem(Path)") && !library.contains("--ca-file"), library);
      assertEquals(library, d.report(), "the library's report is the default");
    }
  }

  @Test
  void aSelfSignedCertificate_isSaidInWords_andTheAdviceNamesCaFileAndTrustPem() {
    TestCertificates certs = TestCertificates.generate();
    try (FakePop3Server s =
        FakePop3Server.builder()
            .account("alice", "pw", FakeMailbox.create())
            .tls(TlsMode.IMPLICIT, certs, TestCertificates.Profile.SELF_SIGNED)
            .start()) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () ->
                  list(
                      Pop3Source.builder()
                          .host("localhost")
                          .port(s.port())
                          .user("alice")
                          .password(() -> "pw")
                          .sslContext(certs.clientContext())
                          .build()));
      assertEquals(FetchError.CERTIFICATE_INVALID, e.error());
      readable(e);
      assertTrue(e.remedy().commandLine().contains("--ca-file FILE"), e.remedy().commandLine());
      assertTrue(e.remedy().library().contains("trustPem(Path)"), e.remedy().library());
    }
  }

  @Test
  void aStatusLineOverTheLimit_saysTheCommandHasNoOptionForIt() {
    try (FakePop3Server s =
        Pop3SourceTest.server(FakeMailbox.create()).quirk(Quirk.Q06_HUGE_STATUS_LINE).start()) {
      FetchException e =
          assertThrows(
              FetchException.class, () -> Pop3SourceTest.client(s, Security.NONE).build().open());
      assertEquals(FetchError.LIMIT_EXCEEDED, e.error());
      readable(e);
      assertTrue(e.detail().contains("the longest reply line (65.5 kB)"), e.detail());
      assertTrue(e.remedy().commandLine().contains("no option"), e.remedy().commandLine());
      assertTrue(
          e.remedy().library().contains("Pop3Limits.Builder.maxStatusLine"), e.remedy().library());
    }
  }

  /**
   * LIMIT_EXCEEDED's meaning does not call a limit of this machine's "configured" beside advice
   * that says no option raises it; the advice names the limit and what the reader can do instead.
   */
  @Test
  void Q06_aLimitReached_isNamed_andTheCommandsAdviceSaysWhatElseCanBeDone() {
    assertFalse(
        FetchError.LIMIT_EXCEEDED.summary().contains("configured"),
        FetchError.LIMIT_EXCEEDED.summary());
    try (FakePop3Server s =
        Pop3SourceTest.server(FakeMailbox.create()).quirk(Quirk.Q06_HUGE_STATUS_LINE).start()) {
      FetchException e =
          assertThrows(
              FetchException.class, () -> Pop3SourceTest.client(s, Security.NONE).build().open());
      String advice = e.remedy().commandLine();
      assertTrue(advice.contains("no option to raise the longest reply line (65.5 kB)"), advice);
      assertTrue(
          advice.contains("tell the provider") && advice.contains("mailfetch doctor"), advice);
    }
    FakeMailbox five = FakeMailbox.create();
    for (int i = 1; i <= 5; i++) {
      five.add("Subject: " + i + "\r\n\r\nbody\r\n");
    }
    try (FakePop3Server s = Pop3SourceTest.server(five).start()) {
      FetchException e =
          Fetcher.builder()
              .source(
                  Pop3SourceTest.client(
                          s, Security.NONE, Pop3Limits.builder().maxListingLinesOnTheWire(2))
                      .build())
              .sink(InMemorySink.create())
              .uidStore(InMemoryUidStore.create())
              .build()
              .run()
              .firstError()
              .orElseThrow();
      assertEquals(FetchError.LIMIT_EXCEEDED, e.error(), e.getMessage());
      String advice = e.remedy().commandLine();
      assertTrue(
          advice.contains("the most lines one listing may have (2)")
              && advice.contains("Delete or move"),
          advice);
    }
  }

  @Test
  void aServerThatFallsSilent_isAdvisedTimeout() {
    try (FakePop3Server s =
        Pop3SourceTest.server(FakeMailbox.create().add("Subject: a\r\n\r\nb\r\n"))
            .fault(Fault.stallAtCommand("STAT", 1, Duration.ofSeconds(10)))
            .start()) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () ->
                  list(
                      Pop3Source.builder()
                          .host("localhost")
                          .port(s.port())
                          .security(Security.NONE)
                          .allowPlaintextAuthentication(true)
                          .user("alice")
                          .password(() -> Pop3SourceTest.PASSWORD)
                          .pipelining(false)
                          .limits(Pop3Limits.builder().readTimeout(Duration.ofMillis(500)).build())
                          .build()));
      assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error(), e.getMessage());
      readable(e);
      assertTrue(e.remedy().commandLine().contains("--timeout SECONDS"), e.remedy().commandLine());
      assertTrue(e.remedy().library().contains("readTimeout"), e.remedy().library());
    }
  }

  @Test
  void Q13_aLowerCaseStatus_isAdvisedTheQuirkByItsId() {
    try (FakePop3Server s =
        Pop3SourceTest.server(FakeMailbox.create()).quirk(Quirk.Q13_LOWERCASE_STATUS).start()) {
      FetchException e =
          assertThrows(
              FetchException.class, () -> list(Pop3SourceTest.client(s, Security.NONE).build()));
      assertEquals(FetchError.PROTOCOL, e.error(), e.getMessage());
      readable(e);
      assertTrue(e.remedy().commandLine().contains("--quirk Q13"), e.remedy().commandLine());
      assertTrue(e.remedy().library().contains("Tolerance.LOWERCASE_STATUS"), e.remedy().library());
    }
  }

  @Test
  void Q11_anEmptyLineForAReply_isAdvisedTheQuirkByItsId_whichThenSkipsThemAll()
      throws FetchException {
    try (FakePop3Server s =
        Pop3SourceTest.server(FakeMailbox.create())
            .respond("STAT", "\r\n+OK 0 0\r\n", After.CONTINUE)
            .start()) {
      FetchException e =
          assertThrows(
              FetchException.class,
              () -> list(Pop3SourceTest.client(s, Security.NONE).pipelining(false).build()));
      assertEquals(FetchError.EMPTY_LINE, e.error(), e.getMessage());
      readable(e);
      assertTrue(e.remedy().commandLine().contains("--quirk Q11"), e.remedy().commandLine());
    }
    try (FakePop3Server s =
        Pop3SourceTest.server(FakeMailbox.create())
            .respond("STAT", "\r\n\r\n\r\n+OK 0 0\r\n", After.CONTINUE)
            .start()) {
      // The advice holds: with the tolerance, three empty lines (Office 365's form) are skipped
      // too.
      list(
          Pop3SourceTest.client(s, Security.NONE)
              .tolerate(Tolerance.EMPTY_LINES)
              .pipelining(false)
              .build());
    }
  }

  @Test
  void Q49_noLoginMethodInCommon_isAdvisedTheMethods_notThePassword() {
    try (FakePop3Server s =
        Pop3SourceTest.server(FakeMailbox.create()).quirk(Quirk.Q49_PROPRIETARY_AUTH).start()) {
      FetchException e =
          assertThrows(
              FetchException.class, () -> Pop3SourceTest.client(s, Security.NONE).build().open());
      assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
      readable(e);
      assertFalse(
          e.detail().matches(".*\\[[A-Z0-9_]+(, [A-Z0-9_]+)*\\].*"), "no Java list: " + e.detail());
      assertTrue(
          e.detail().contains("MSN") && e.detail().contains("RPA"),
          "names what the server offers: " + e.detail());
      assertTrue(e.remedy().commandLine().contains("--auth MECH"), e.remedy().commandLine());
      assertTrue(
          e.remedy().commandLine().contains("CRAM-MD5"),
          "as --auth takes it: " + e.remedy().commandLine());
      assertTrue(
          e.remedy().library().contains("mechanisms(AuthMechanism...)"), e.remedy().library());
    }
  }

  @Test
  void theServerAnsweringInTheWrongOrder_isSaidInWords() {
    try (FakePop3Server s =
        Pop3SourceTest.server(
                FakeMailbox.create().add("Subject: a\r\n\r\nb\r\n").add("Subject: b\r\n\r\nc\r\n"))
            .quirk(Quirk.Q29_NUMBERING_SHUFFLED)
            .start()) {
      FetchException e =
          assertThrows(
              FetchException.class, () -> list(Pop3SourceTest.client(s, Security.NONE).build()));
      assertEquals(FetchError.WRONG_ORDER, e.error(), e.getMessage());
      readable(e);
      assertTrue(e.remedy().commandLine().contains("--strict"), e.remedy().commandLine());
    }
  }
}
