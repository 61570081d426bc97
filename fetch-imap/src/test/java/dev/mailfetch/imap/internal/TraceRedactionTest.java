package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol trace shows the conversation at debug, and never a password or token. */
class TraceRedactionTest {
  @Test
  void theTraceShowsCommandsAndReplies_butNoCredential() throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (GreenMailImap server = new GreenMailImap()) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try (ImapSession s = ImapSession.open(server.plain())) {
        s.login(List.of(LoginMethod.LOGIN));
        s.commands().noop();
      }
      ImapSettings p = server.plain();
      try (ImapSession s =
          ImapSession.open(
              new ImapSettings(
                  p.host(),
                  p.port(),
                  p.security(),
                  null,
                  p.limits(),
                  p.user(),
                  null,
                  () -> GreenMailImap.PASSWORD,
                  true,
                  null))) {
        s.login(List.of(LoginMethod.XOAUTH2));
      }
    } finally {
      System.setErr(saved);
    }
    String trace = captured.toString(StandardCharsets.UTF_8);
    assertTrue(trace.contains("C: A1 CAPABILITY") || trace.contains("LOGIN <redacted>"), trace);
    assertTrue(trace.contains("LOGIN <redacted>"), trace);
    assertTrue(trace.contains("S: A2 OK"), trace);
    assertFalse(trace.contains(GreenMailImap.PASSWORD), trace);
    String xoauth2 = "user=alice\u0001auth=Bearer " + GreenMailImap.PASSWORD + "\u0001\u0001";
    assertFalse(
        trace.contains(
            Base64.getEncoder().encodeToString(xoauth2.getBytes(StandardCharsets.UTF_8))),
        trace);
  }
}
