package dev.mailfetch.testkit.gmail;

import static dev.mailfetch.testkit.gmail.Http.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-user and daily usage limits in quota units, and the breach counts a test asserts on. */
class FakeGmailQuotaTest {
  private static final String ME = "me@gmail.com";

  private final FakeGmailServer gmail = FakeGmailServer.start().addAccount(ME);
  private final Http http = new Http(gmail);
  private final String token = gmail.accessToken(ME, FakeGmailServer.SCOPE_MAIL);

  @AfterEach
  void close() {
    gmail.close();
  }

  private HttpResponse<String> importOne(String id) throws Exception {
    return http.importMultipart(token, "", "{}", Http.message(id, 1024));
  }

  @Test
  void overThePerUserQuotaIs403UserRateLimitExceeded_andCountedAsABreach() throws Exception {
    gmail.perUserQuota(50, Duration.ofSeconds(1));

    assertStatus(200, importOne("1@x"));
    assertStatus(200, importOne("2@x"));
    HttpResponse<String> over = importOne("3@x");

    assertStatus(403, over);
    assertTrue(over.body().contains("\"reason\":\"userRateLimitExceeded\""), over.body());
    assertEquals(1, gmail.quotaBreaches());
    assertEquals(2, gmail.messages(ME).size());
    assertEquals(50, gmail.quotaUnitsUsed(ME), "a refused request uses no units");
    Thread.sleep(1100);
    assertStatus(200, importOne("3@x"));
    assertEquals(1, gmail.quotaBreaches());
  }

  @Test
  void requestsPacedWithinTheQuotaMakeNoBreach() throws Exception {
    gmail.perUserQuota(100, Duration.ofMillis(400)); // 4 imports per 400 ms

    for (int i = 0; i < 8; i++) {
      assertStatus(200, importOne(i + "@x"));
      Thread.sleep(110);
    }

    assertEquals(0, gmail.quotaBreaches());
  }

  @Test
  void eachMethodCostsTheUnitsOfTheReference() throws Exception {
    assertStatus(200, http.get("gmail/v1/users/me/profile", token));
    assertEquals(1, gmail.quotaUnitsUsed(ME));
    assertStatus(200, http.get("gmail/v1/users/me/labels", token));
    assertEquals(2, gmail.quotaUnitsUsed(ME));
    assertStatus(200, http.postJson("gmail/v1/users/me/labels", token, "{\"name\":\"L\"}"));
    assertEquals(7, gmail.quotaUnitsUsed(ME));
    assertStatus(200, http.get("gmail/v1/users/me/messages?q=rfc822msgid:x", token));
    assertEquals(12, gmail.quotaUnitsUsed(ME));
    assertStatus(200, importOne("1@x"));
    assertEquals(37, gmail.quotaUnitsUsed(ME));
  }

  @Test
  void oneRequestTooManyAtATimeIs429TooManyConcurrentRequests() throws Exception {
    gmail.perUserConcurrency(1);
    gmail.inject(FaultRule.of(GmailFault.SLOW_UPLOAD).delay(Duration.ofMillis(1500)));
    CompletableFuture<HttpResponse<String>> slow =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return importOne("slow@x");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (gmail.requests().isEmpty()
        && gmail.quotaUnitsUsed(ME) == 0
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    HttpResponse<String> second = importOne("second@x");

    assertStatus(429, second);
    assertTrue(second.body().contains("Too many concurrent requests for user"), second.body());
    assertStatus(200, slow.get());
    assertEquals(1, gmail.concurrencyBreaches());
    assertStatus(200, importOne("third@x"));
  }

  @Test
  void aRequestIsRecordedAndOutOfFlightBeforeItsAnswerArrives() throws Exception {
    gmail.perUserConcurrency(1);

    for (int i = 0; i < 40; i++) {
      assertStatus(200, http.get("gmail/v1/users/me/profile", token));
      assertEquals(i + 1, gmail.requests(GmailEndpoint.PROFILE).size());
    }

    assertEquals(0, gmail.concurrencyBreaches());
  }

  @Test
  void overTheDailyLimitIs403DailyLimitExceeded() throws Exception {
    gmail.dailyLimit(30);

    assertStatus(200, importOne("1@x"));
    HttpResponse<String> over = importOne("2@x");

    assertStatus(403, over);
    assertTrue(over.body().contains("\"reason\":\"dailyLimitExceeded\""), over.body());
    assertEquals(1, gmail.dailyLimitBreaches());
    assertEquals(0, gmail.quotaBreaches());
  }
}
