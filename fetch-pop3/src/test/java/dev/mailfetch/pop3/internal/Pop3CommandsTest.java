package dev.mailfetch.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The command vocabulary: the bytes that go out, and a shown form that never holds a secret. */
class Pop3CommandsTest {
  private static final String SECRET = "correct horse battery staple";

  private static String sent(Pop3Command c) {
    return new String(c.bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void fixedCommands_areEncodedOnce_withTheirCrlf() {
    assertEquals("CAPA\r\n", sent(Pop3Commands.CAPA));
    assertEquals("STAT\r\n", sent(Pop3Commands.STAT));
    assertSame(Pop3Commands.QUIT.bytes(), Pop3Commands.QUIT.bytes());
    assertEquals("RETR 7\r\n", sent(Pop3Commands.retr(7)));
    assertEquals("TOP 3 0\r\n", sent(Pop3Commands.top(3, 0)));
    assertEquals("DELE 12\r\n", sent(Pop3Commands.dele(12)));
    assertEquals("UIDL 1\r\n", sent(Pop3Commands.uidl(1)));
    assertEquals("LIST 2\r\n", sent(Pop3Commands.list(2)));
  }

  /**
   * RFC 2449: a client that writes blocking "MUST not exceed the window size of the underlying
   * transport layer" with its pipelined commands. The protocol reference's bound is 4 KiB of
   * commands unanswered; a full window of the longest command that goes in one, numbers at their
   * largest, stays under it.
   */
  @Test
  void aFullWindowOfTheLongestPipelinedCommand_fitsIn4KiB() {
    int max = Integer.MAX_VALUE;
    int longest =
        List.of(
                Pop3Commands.retr(max),
                Pop3Commands.top(max, max),
                Pop3Commands.dele(max),
                Pop3Commands.uidl(max),
                Pop3Commands.list(max))
            .stream()
            .mapToInt(c -> c.bytes().length)
            .max()
            .orElseThrow();
    assertEquals("TOP 2147483647 2147483647\r\n".length(), longest);
    assertTrue(
        Pop3Connection.WINDOW * longest <= 4096,
        Pop3Connection.WINDOW + " commands of " + longest + " bytes");
  }

  @Test
  void aBatchIsSaidByItsVerbs_neverByItsArgumentsOrSecrets() {
    assertEquals(
        "16 RETR commands",
        Pop3Connection.verbs(IntStream.rangeClosed(1, 16).mapToObj(Pop3Commands::retr).toList()));
    assertEquals(
        "STAT and RSET", Pop3Connection.verbs(List.of(Pop3Commands.STAT, Pop3Commands.RSET)));
    assertEquals(
        "RETR and NOOP",
        Pop3Connection.verbs(
            List.of(Pop3Commands.retr(3), Pop3Commands.retr(4), Pop3Commands.NOOP)));
    assertEquals("PASS", Pop3Connection.verbs(List.of(Pop3Commands.pass(SECRET))));
  }

  @Test
  void pass_sendsThePassword_andShowsItRedacted() {
    Pop3Command pass = Pop3Commands.pass(SECRET);
    assertEquals("PASS " + SECRET + "\r\n", sent(pass));
    assertEquals("PASS <redacted>", pass.shown());
    assertEquals("PASS", pass.verb());
    assertFalse(pass.toString().contains(SECRET));
  }

  @Test
  void apopAndAuth_showNeitherDigestNorResponse() {
    Pop3Command apop = Pop3Commands.apop("alice", "c4c9334bac560ecc979e58001b3e22fb");
    assertEquals("APOP alice <redacted>", apop.shown());
    assertEquals("APOP alice c4c9334bac560ecc979e58001b3e22fb\r\n", sent(apop));
    Pop3Command plain = Pop3Commands.auth("PLAIN", "AGFsaWNlAHNlY3JldA==");
    assertEquals("AUTH PLAIN <redacted>", plain.shown());
    assertEquals("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", sent(plain));
    assertEquals("AUTH LOGIN", Pop3Commands.auth("LOGIN").shown());
    assertEquals("<redacted>", Pop3Commands.saslResponse("c2VjcmV0").shown());
    assertEquals("<sasl response>", Pop3Commands.saslAcknowledgement("AQ==").shown());
    assertEquals("*", Pop3Commands.SASL_CANCEL.shown());
  }

  @Test
  void aListOfCommands_showsEachAsShown() {
    assertEquals(
        "[USER alice, PASS <redacted>]",
        List.of(Pop3Commands.user("alice"), Pop3Commands.pass(SECRET)).toString());
  }

  @Test
  void aNote_changesWhatIsShown_notWhatIsSent() {
    Pop3Command keepalive = Pop3Commands.NOOP.noted("keepalive");
    assertEquals("NOOP (keepalive)", keepalive.shown());
    assertArrayEquals(Pop3Commands.NOOP.bytes(), keepalive.bytes());
    assertEquals("NOOP", keepalive.verb());
  }
}
