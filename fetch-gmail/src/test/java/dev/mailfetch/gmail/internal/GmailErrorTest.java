package dev.mailfetch.gmail.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.gmail.internal.GmailError.Kind;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An error answer of Gmail's means what its status and reason say, and nothing in between. */
class GmailErrorTest {
  private static GmailError answer(int status, String reason, String message) {
    String json =
        "{\"error\":{\"code\":"
            + status
            + ",\"message\":\""
            + message
            + "\",\"errors\":[{\"reason\":\""
            + reason
            + "\"}]}}";
    return GmailError.of(
        status, Json.child(Json.object(json.getBytes(StandardCharsets.UTF_8)), "error"));
  }

  @Test
  void eachStatusAndReason_isTheKindTheSinkActsOn() {
    assertEquals(Kind.TOKEN_REFUSED, answer(401, "authError", "Invalid Credentials").kind());
    assertEquals(Kind.DAILY_LIMIT, answer(403, "dailyLimitExceeded", "x").kind());
    assertEquals(Kind.DAILY_LIMIT, answer(403, "quotaExceeded", "x").kind());
    assertEquals(Kind.SLOW_DOWN, answer(429, "rateLimitExceeded", "x").kind());
    assertEquals(Kind.SLOW_DOWN, answer(403, "rateLimitExceeded", "x").kind());
    assertEquals(Kind.SLOW_DOWN, answer(403, "userRateLimitExceeded", "x").kind());
    assertEquals(Kind.SCOPE_MISSING, answer(403, "insufficientPermissions", "x").kind());
    assertEquals(
        Kind.SCOPE_MISSING,
        answer(403, "forbidden", "Request had insufficient authentication scopes.").kind());
    assertEquals(Kind.FORBIDDEN, answer(403, "domainPolicy", "x").kind());
    assertEquals(Kind.SERVER_FAILED, answer(500, "backendError", "x").kind());
    assertEquals(Kind.SERVER_FAILED, answer(503, "", "x").kind());
    assertEquals(Kind.REFUSAL, answer(400, "invalidArgument", "x").kind());
    assertEquals(Kind.REFUSAL, answer(404, "notFound", "x").kind());
  }

  @Test
  void theReason_isTakenFromGooglesDetailsWhereGmailsErrorsHaveNone() {
    Map<String, Object> err =
        Json.object(
            ("{\"message\":\"m\",\"details\":[{\"reason\":\"ACCESS_TOKEN_SCOPE_INSUFFICIENT\"}]}")
                .getBytes(StandardCharsets.UTF_8));
    GmailError e = GmailError.of(403, err);
    assertEquals("ACCESS_TOKEN_SCOPE_INSUFFICIENT", e.reason());
    assertEquals(Kind.SCOPE_MISSING, e.kind());
    assertEquals("", GmailError.of(500, Map.of()).reason());
  }

  @Test
  void words_sayStatusReasonAndAShortenedMessage() {
    assertEquals("404 notFound, \"Not Found\"", answer(404, "notFound", "Not Found").words());
    assertEquals("500", GmailError.words(500, "", ""));
    String said = GmailError.words(400, "", "x".repeat(400));
    assertTrue(said.startsWith("400, \"xxx") && said.length() < 320, said);
  }

  private static HttpHeaders retryAfter(String v) {
    return HttpHeaders.of(Map.of("Retry-After", List.of(v)), (a, b) -> true);
  }

  @Test
  void retryAfter_inSecondsOrAsAnHttpDate_isCappedAtAnHour_andAbsentBelowZero() {
    assertEquals(Duration.ofSeconds(7).toNanos(), RetryAfter.nanos(retryAfter("7"), 0));
    assertEquals(Duration.ofHours(1).toNanos(), RetryAfter.nanos(retryAfter("99999"), 0));
    assertEquals(-1, RetryAfter.nanos(retryAfter("-3"), 0));
    assertEquals(-1, RetryAfter.nanos(retryAfter("soon"), 0));
    assertEquals(-1, RetryAfter.nanos(HttpHeaders.of(Map.of(), (a, b) -> true), 0));
    long now = 1_445_412_480_000L - 30_000; // 30 s before Wed, 21 Oct 2015 07:28:00 GMT
    assertEquals(
        Duration.ofSeconds(30).toNanos(),
        RetryAfter.nanos(retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), now));
    assertEquals(0, RetryAfter.nanos(retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), now + 60_000));
  }
}
