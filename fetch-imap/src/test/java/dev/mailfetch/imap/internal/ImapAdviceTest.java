package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.tls.TlsWords;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The IMAP client's remedies follow the server's role: a sink's destination is configured with the
 * {@code --sink-…} options and {@code ImapAppendSink.builder()}, a source (next issue) with the
 * source's; the role is a parameter of the words, not a string in them.
 */
class ImapAdviceTest {
  private static final ImapLimits LIMITS = ImapLimits.defaults();

  @Test
  void aSilentServer_ofASink_namesNoTimeoutOption_butTheLibraryCall() {
    Remedy r = ImapFailures.silent("mail.example:993", LIMITS, ImapAdvice.DESTINATION).remedy();
    assertFalse(r.commandLine().contains("--"), r.commandLine());
    assertTrue(
        r.library().contains("ImapAppendSink.builder().limits(ImapLimits.builder().readTimeout("),
        r.library());
  }

  @Test
  void aSilentServer_ofASource_namesTheSourcesTimeoutOption() {
    Remedy r = ImapFailures.silent("mail.example:993", LIMITS, ImapAdvice.SOURCE).remedy();
    assertTrue(r.commandLine().contains("--timeout SECONDS"), r.commandLine());
  }

  @Test
  void theTlsWords_followTheRole() {
    TlsWords sink = ImapTlsWords.of(ImapFailures.Role.DESTINATION);
    TlsWords source = ImapTlsWords.of(ImapFailures.Role.SOURCE);
    assertTrue(sink.untrusted().commandLine().contains("--sink-trust-pem"));
    assertTrue(source.untrusted().commandLine().contains("--ca-file"));
    assertTrue(sink.doctorCli().equals("mailfetch doctor --to URL"), sink.doctorCli());
    Remedy slow = sink.handshakeTimeoutRemedy().apply(Duration.ofSeconds(30));
    assertFalse(slow.commandLine().contains("--timeout"), slow.commandLine());
    assertTrue(
        source
            .handshakeTimeoutRemedy()
            .apply(Duration.ofSeconds(30))
            .commandLine()
            .contains("--timeout"));
  }

  @Test
  void theRole_ofTheSettings_choosesTheLoginAdvice() {
    ImapSettings destination =
        new ImapSettings("h", 0, ImapSecurity.NONE, null, LIMITS, "u", null, null, false, null);
    ImapSettings source =
        new ImapSettings(
            "h",
            0,
            ImapSecurity.NONE,
            null,
            LIMITS,
            "u",
            null,
            null,
            false,
            null,
            ImapFailures.Role.SOURCE);
    assertTrue(
        destination
            .advice()
            .plaintextRefused()
            .commandLine()
            .contains("--sink-allow-plaintext-auth"));
    assertTrue(
        source.advice().plaintextRefused().commandLine().contains(" --allow-plaintext-auth"));
  }
}
