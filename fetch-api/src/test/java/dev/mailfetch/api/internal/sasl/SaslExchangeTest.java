package dev.mailfetch.api.internal.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rounds after the client's last message, against a scripted server speaking POP3's shapes:
 * "+OK", "-ERR", "+ challenge".
 */
class SaslExchangeTest {
  private static final String GOOGLE_401 =
      "+ "
          + Base64.getEncoder()
              .encodeToString(
                  "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}"
                      .getBytes(UTF_8));

  /** A server that answers from a script and records what the client sent ("*" for a cancel). */
  private static final class Scripted implements SaslExchange.Server<String> {
    final Deque<String> replies;
    final List<String> sent = new ArrayList<>();
    final FetchException endless = new FetchException(FetchError.PROTOCOL, "endless");

    Scripted(String... replies) {
      this.replies = new ArrayDeque<>(List.of(replies));
    }

    @Override
    public boolean succeeded(String reply) {
      return reply.startsWith("+OK");
    }

    @Override
    public boolean challenges(String reply) {
      return reply.startsWith("+ ");
    }

    @Override
    public byte[] challenge(String reply) {
      try {
        return Base64.getDecoder().decode(reply.substring(2));
      } catch (IllegalArgumentException e) {
        return new byte[0];
      }
    }

    @Override
    public String answer(Optional<byte[]> response) {
      sent.add(response.map(r -> Base64.getEncoder().encodeToString(r)).orElse("*"));
      return replies.remove();
    }

    @Override
    public FetchException endless() {
      return endless;
    }

    @Override
    public FetchException credentialExpired(String reply) {
      return new FetchException(FetchError.AUTH_TOKEN_EXPIRED, "expired", reply, null);
    }

    @Override
    public FetchException refused(String reply) {
      return new FetchException(FetchError.AUTH_FAILED, "refused", reply, null);
    }
  }

  @Test
  void aSuccessAtOnce_endsTheExchangeWithNothingSent() throws FetchException {
    Scripted server = new Scripted();
    SaslExchange.finish(SaslMechanism.plain("tim", () -> "pw"), "+OK", 10, server);
    assertEquals(List.of(), server.sent);
  }

  @Test
  void aRefusalAtOnce_isTheAdaptersRefusal() {
    Scripted server = new Scripted();
    FetchException e =
        assertThrows(
            FetchException.class,
            () ->
                SaslExchange.finish(SaslMechanism.plain("tim", () -> "pw"), "-ERR no", 10, server));
    assertEquals(FetchError.AUTH_FAILED, e.error());
    assertEquals("-ERR no", e.serverReply().orElseThrow());
  }

  @Test
  void Q42_anExpiredTokenInAnErrorChallenge_isAcknowledgedThenToldAsExpired() {
    Scripted server = new Scripted("-ERR authentication failed");
    FetchException e =
        assertThrows(
            FetchException.class,
            () ->
                SaslExchange.finish(
                    SaslMechanism.oauthBearer("u", "h", 995, "t"), GOOGLE_401, 10, server));
    assertEquals(List.of("AQ=="), server.sent);
    assertEquals(FetchError.AUTH_TOKEN_EXPIRED, e.error());
    assertEquals("-ERR authentication failed", e.serverReply().orElseThrow());
  }

  @Test
  void Q42_xoauth2AcknowledgesWithAnEmptyLine() {
    Scripted server = new Scripted("-ERR no");
    assertThrows(
        FetchException.class,
        () -> SaslExchange.finish(SaslMechanism.xoauth2("u", "t"), GOOGLE_401, 10, server));
    assertEquals(List.of(""), server.sent);
  }

  @Test
  void anErrorChallengeToPlain_isCancelledAndTheRefusalStands() {
    Scripted server = new Scripted("-ERR cancelled");
    FetchException e =
        assertThrows(
            FetchException.class,
            () ->
                SaslExchange.finish(
                    SaslMechanism.plain("tim", () -> "pw"), GOOGLE_401, 10, server));
    assertEquals(List.of("*"), server.sent);
    assertEquals(FetchError.AUTH_FAILED, e.error(), "PLAIN reads no token error");
  }

  @Test
  void aSuccessAfterAnAcknowledgedChallenge_endsTheExchange() throws FetchException {
    Scripted server = new Scripted("+OK");
    SaslExchange.finish(SaslMechanism.xoauth2("u", "t"), "+ e30=", 10, server);
    assertEquals(List.of(""), server.sent);
  }

  @Test
  void aChallengeThatCannotBeDecoded_isStillAnswered() {
    Scripted server = new Scripted("-ERR no");
    FetchException e =
        assertThrows(
            FetchException.class,
            () ->
                SaslExchange.finish(
                    SaslMechanism.oauthBearer("u", "h", 995, "t"), "+ not base64!", 10, server));
    assertEquals(List.of("AQ=="), server.sent);
    assertEquals(FetchError.AUTH_FAILED, e.error());
  }

  @Test
  void endlessChallenges_stopAfterTheBound() {
    String[] forever = new String[100];
    Arrays.fill(forever, "+ e30=");
    Scripted server = new Scripted(forever);
    FetchException e =
        assertThrows(
            FetchException.class,
            () -> SaslExchange.finish(SaslMechanism.xoauth2("u", "t"), "+ e30=", 3, server));
    assertSame(server.endless, e);
    assertEquals(3, server.sent.size(), "three challenges answered, the fourth not");
  }

  @Test
  void challengesUpToTheBound_areAnswered() throws FetchException {
    Scripted server = new Scripted("+ e30=", "+ e30=", "+OK");
    SaslExchange.finish(SaslMechanism.xoauth2("u", "t"), "+ e30=", 3, server);
    assertEquals(3, server.sent.size());
  }

  @Test
  void aReplyThatIsNeitherAfterAChallenge_isTheAdaptersRefusal() {
    Scripted server = new Scripted("* BYE");
    FetchException e =
        assertThrows(
            FetchException.class,
            () -> SaslExchange.finish(SaslMechanism.xoauth2("u", "t"), "+ e30=", 10, server));
    assertEquals("* BYE", e.serverReply().orElseThrow());
  }
}
