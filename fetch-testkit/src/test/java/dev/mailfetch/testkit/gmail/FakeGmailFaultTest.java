package dev.mailfetch.testkit.gmail;

import static dev.mailfetch.testkit.gmail.Http.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every GmailFault by name: what the client sees, what the fake stored, what it recorded. */
class FakeGmailFaultTest {
  private static final String ME = "me@gmail.com";
  private static final int KIB = 1024;

  private final FakeGmailServer gmail = FakeGmailServer.start().addAccount(ME);
  private final Http http = new Http(gmail);
  private final String token = gmail.accessToken(ME, FakeGmailServer.SCOPE_MAIL);

  @AfterEach
  void close() {
    assertEquals(List.of(), gmail.internalErrors());
    gmail.close();
  }

  private HttpResponse<String> importOne(String messageId) throws Exception {
    return http.importMultipart(
        token, "", "{\"labelIds\":[\"INBOX\"]}", Http.message(messageId, 2 * KIB));
  }

  @Test
  void TOKEN_REFUSED_401_once_thenTheSameTokenWorks() throws Exception {
    InjectedFault fault = gmail.inject(GmailFault.TOKEN_REFUSED_401);

    HttpResponse<String> refused = importOne("a@x");
    HttpResponse<String> next = importOne("b@x");

    assertStatus(401, refused);
    assertTrue(
        refused.headers().firstValue("WWW-Authenticate").orElseThrow().contains("invalid_token"));
    assertTrue(refused.body().contains("\"reason\":\"authError\""), refused.body());
    assertStatus(200, next);
    assertEquals(1, fault.hits());
    assertTrue(fault.exhausted());
    assertEquals(1, gmail.messages(ME).size());
    assertEquals(GmailFault.TOKEN_REFUSED_401, gmail.requests(GmailEndpoint.IMPORT).get(0).fault());
  }

  @Test
  void INVALID_GRANT_atTheTokenEndpoint() throws Exception {
    String refresh = gmail.grant(ME, FakeGmailServer.SCOPE_INSERT);
    gmail.inject(GmailFault.INVALID_GRANT);

    HttpResponse<String> refused = http.refresh(refresh);
    HttpResponse<String> next = http.refresh(refresh);

    assertStatus(400, refused);
    assertTrue(refused.body().contains("\"error\":\"invalid_grant\""), refused.body());
    assertTrue(refused.body().contains("Token has been expired or revoked."), refused.body());
    assertStatus(200, next);
    assertEquals(2, gmail.refreshGrants());
  }

  @Test
  void TOO_MANY_REQUESTS_429_withRetryAfter() throws Exception {
    gmail.inject(
        FaultRule.of(GmailFault.TOO_MANY_REQUESTS_429).times(2).retryAfter(Duration.ofSeconds(3)));

    HttpResponse<String> first = importOne("a@x");
    HttpResponse<String> second = importOne("a@x");
    HttpResponse<String> third = importOne("a@x");

    assertStatus(429, first);
    assertEquals("3", first.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(first.body().contains("\"reason\":\"rateLimitExceeded\""), first.body());
    assertTrue(first.body().contains("\"domain\":\"usageLimits\""), first.body());
    assertStatus(429, second);
    assertStatus(200, third);
    assertEquals(1, gmail.messages(ME).size());
  }

  @Test
  void RATE_LIMIT_EXCEEDED_403() throws Exception {
    gmail.inject(GmailFault.RATE_LIMIT_EXCEEDED_403);
    HttpResponse<String> answer = importOne("a@x");
    assertStatus(403, answer);
    assertTrue(answer.body().contains("\"reason\":\"rateLimitExceeded\""), answer.body());
    assertTrue(answer.body().contains("\"message\":\"Rate Limit Exceeded\""), answer.body());
    assertTrue(gmail.messages(ME).isEmpty());
  }

  @Test
  void USER_RATE_LIMIT_EXCEEDED_403() throws Exception {
    gmail.inject(GmailFault.USER_RATE_LIMIT_EXCEEDED_403);
    HttpResponse<String> answer = importOne("a@x");
    assertStatus(403, answer);
    assertTrue(answer.body().contains("\"reason\":\"userRateLimitExceeded\""), answer.body());
    assertEquals(0, gmail.quotaBreaches(), "an injected limit is not a breach of the quota");
  }

  @Test
  void DAILY_LIMIT_EXCEEDED_403() throws Exception {
    gmail.inject(GmailFault.DAILY_LIMIT_EXCEEDED_403);
    HttpResponse<String> answer = importOne("a@x");
    assertStatus(403, answer);
    assertTrue(answer.body().contains("\"reason\":\"dailyLimitExceeded\""), answer.body());
    assertTrue(answer.body().contains("Daily Limit Exceeded"), answer.body());
  }

  @Test
  void BACKEND_ERROR_500() throws Exception {
    gmail.inject(GmailFault.BACKEND_ERROR_500);
    HttpResponse<String> answer = importOne("a@x");
    assertStatus(500, answer);
    assertTrue(answer.body().contains("\"reason\":\"backendError\""), answer.body());
    assertTrue(gmail.messages(ME).isEmpty());
  }

  @Test
  void SERVICE_UNAVAILABLE_503_onAnotherEndpointAlways_untilRemoved() throws Exception {
    InjectedFault fault =
        gmail.inject(
            FaultRule.of(GmailFault.SERVICE_UNAVAILABLE_503)
                .always()
                .at(GmailEndpoint.LABELS_LIST));

    assertStatus(503, http.get("gmail/v1/users/me/labels", token));
    assertStatus(503, http.get("gmail/v1/users/me/labels", token));
    assertStatus(200, importOne("a@x"));
    fault.remove();
    assertStatus(200, http.get("gmail/v1/users/me/labels", token));
    assertEquals(2, fault.hits());
  }

  @Test
  void MESSAGE_REJECTED_400_forOneMessage_withGmailsReasonText_theOthersGoOn() throws Exception {
    gmail.inject(
        FaultRule.of(GmailFault.MESSAGE_REJECTED_400)
            .always()
            .forMessageContaining("Message-ID: <bad@x>")
            .reason("Invalid From header"));

    HttpResponse<String> good1 = importOne("good1@x");
    HttpResponse<String> bad = importOne("bad@x");
    HttpResponse<String> badAgain = importOne("bad@x");
    HttpResponse<String> good2 = importOne("good2@x");

    assertStatus(200, good1);
    assertStatus(400, bad);
    assertTrue(bad.body().contains("\"message\":\"Invalid From header\""), bad.body());
    assertTrue(bad.body().contains("\"reason\":\"invalidArgument\""), bad.body());
    assertTrue(bad.body().contains("\"status\":\"INVALID_ARGUMENT\""), bad.body());
    assertStatus(400, badAgain);
    assertStatus(200, good2);
    assertEquals(2, gmail.messages(ME).size());
    assertTrue(gmail.messagesWithMessageId(ME, "bad@x").isEmpty());
  }

  @Test
  void SLOW_UPLOAD_answersLateButStores() throws Exception {
    gmail.inject(FaultRule.of(GmailFault.SLOW_UPLOAD).delay(Duration.ofMillis(1200)));

    long start = System.nanoTime();
    HttpResponse<String> answer = importOne("slow@x");
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertStatus(200, answer);
    assertTrue(millis >= 1100, millis + " ms");
    assertEquals(1, gmail.messages(ME).size());
  }

  @Test
  void CONNECTION_CUT_MID_UPLOAD_multipart_nothingStored_andTheNextTryWorks() throws Exception {
    gmail.inject(FaultRule.of(GmailFault.CONNECTION_CUT_MID_UPLOAD).afterBytes(100 * KIB));
    byte[] message = Http.message("cut@x", 2048 * KIB);

    assertThrows(IOException.class, () -> http.importMultipart(token, "", "{}", message));
    assertTrue(gmail.messages(ME).isEmpty());
    HttpResponse<String> retry = http.importMultipart(token, "", "{}", message);

    assertStatus(200, retry);
    assertArrayEquals(message, gmail.messages(ME).get(0).bytes());
    RecordedGmailRequest cut = gmail.requests(GmailEndpoint.IMPORT).get(0);
    assertEquals(GmailFault.CONNECTION_CUT_MID_UPLOAD, cut.fault());
    assertEquals(0, cut.status());
    assertTrue(
        cut.bodyBytes() >= 100 * KIB && cut.bodyBytes() < message.length,
        cut.bodyBytes() + " bytes read");
  }

  @Test
  void CONNECTION_CUT_MID_UPLOAD_resumable_keepsTheChunksBefore_andTheUploadResumes()
      throws Exception {
    gmail.inject(FaultRule.of(GmailFault.CONNECTION_CUT_MID_UPLOAD).afterBytes(300 * KIB));
    byte[] message = Http.message("cutr@x", 700 * KIB);
    URI session =
        URI.create(
            http.openSession(token, "", "{}", (long) message.length)
                .headers()
                .firstValue("Location")
                .orElseThrow());

    assertStatus(308, Http.putChunk(session, message, 0, 256 * KIB, true));
    assertThrows(
        IOException.class, () -> Http.putChunk(session, message, 256 * KIB, 512 * KIB, true));
    HttpResponse<String> status = Http.queryStatus(session, message.length);

    assertStatus(308, status);
    assertEquals("bytes=0-262143", status.headers().firstValue("Range").orElseThrow());
    assertStatus(308, Http.putChunk(session, message, 256 * KIB, 512 * KIB, true));
    assertStatus(200, Http.putChunk(session, message, 512 * KIB, message.length, true));
    assertArrayEquals(message, gmail.messages(ME).get(0).bytes());
  }

  @Test
  void CONNECTION_CUT_MID_UPLOAD_forOneMessageOnly() throws Exception {
    gmail.inject(
        FaultRule.of(GmailFault.CONNECTION_CUT_MID_UPLOAD)
            .always()
            .forMessageContaining("<victim@x>"));

    assertStatus(200, importOne("other@x"));
    assertThrows(IOException.class, () -> importOne("victim@x"));
    assertStatus(200, importOne("other2@x"));

    assertEquals(2, gmail.messages(ME).size());
  }

  @Test
  void RESPONSE_LOST_theMessageIsStoredButTheClientHearsNothing_andMessagesListFindsIt()
      throws Exception {
    gmail.inject(GmailFault.RESPONSE_LOST);

    assertThrows(IOException.class, () -> importOne("lost@x"));

    assertEquals(1, gmail.messages(ME).size());
    String id = gmail.messages(ME).get(0).id();
    HttpResponse<String> listed =
        http.get("gmail/v1/users/me/messages?q=rfc822msgid:lost@x", token);
    assertTrue(listed.body().contains("\"id\":\"" + id + "\""), listed.body());
    assertEquals(GmailFault.RESPONSE_LOST, gmail.requests(GmailEndpoint.IMPORT).get(0).fault());
  }

  @Test
  void RESPONSE_LOST_closesTheTcpConnectionWithoutAByteOfAnswer() throws Exception {
    gmail.inject(GmailFault.RESPONSE_LOST);
    byte[] body = Http.multipart("b", "{}", Http.message("raw@x", KIB));
    String head =
        "POST /upload/gmail/v1/users/me/messages/import?uploadType=multipart HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\nAuthorization: Bearer "
            + token
            + "\r\n"
            + "Content-Type: multipart/related; boundary=b\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gmail.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
      socket.getOutputStream().flush();
      int first;
      try {
        first = socket.getInputStream().read();
      } catch (SocketException reset) {
        first = -1;
      }
      assertEquals(-1, first, "not one byte of an answer");
    }
    assertEquals(1, gmail.messages(ME).size());
  }

  @Test
  void RESPONSE_LOST_resumable_aStatusQueryAnswersTheStoredMessage() throws Exception {
    gmail.inject(GmailFault.RESPONSE_LOST);
    byte[] message = Http.message("lostr@x", 100 * KIB);
    URI session =
        URI.create(
            http.openSession(token, "", "{}", (long) message.length)
                .headers()
                .firstValue("Location")
                .orElseThrow());

    assertThrows(IOException.class, () -> Http.putChunk(session, message, 0, message.length, true));
    HttpResponse<String> status = Http.queryStatus(session, message.length);

    assertStatus(200, status);
    assertTrue(status.body().contains(gmail.messages(ME).get(0).id()), status.body());
    assertEquals(1, gmail.messages(ME).size());
  }

  @Test
  void aFaultForAnotherAccountLeavesThisOneAlone() throws Exception {
    gmail.addAccount("other@gmail.com");
    gmail.inject(FaultRule.of(GmailFault.BACKEND_ERROR_500).always().forAccount("Other@gmail.com"));

    assertStatus(200, importOne("a@x"));
    String other = gmail.accessToken("other@gmail.com", FakeGmailServer.SCOPE_MAIL);
    assertStatus(500, http.importMultipart(other, "", "{}", Http.message("b@x", KIB)));
  }

  @Test
  void aFaultAtTheResumableSessionStart() throws Exception {
    gmail.inject(FaultRule.of(GmailFault.SERVICE_UNAVAILABLE_503).at(GmailEndpoint.UPLOAD_SESSION));

    HttpResponse<String> answer = http.openSession(token, "", "{}", 10L);

    assertStatus(503, answer);
    assertStatus(200, http.openSession(token, "", "{}", 10L));
  }

  @Test
  void a503OnTheLastChunkDropsThatChunk_theClientQueriesAndResends() throws Exception {
    gmail.inject(GmailFault.SERVICE_UNAVAILABLE_503);
    byte[] message = Http.message("c503@x", 300 * KIB);
    URI session =
        URI.create(
            http.openSession(token, "", "{}", (long) message.length)
                .headers()
                .firstValue("Location")
                .orElseThrow());
    assertStatus(308, Http.putChunk(session, message, 0, 256 * KIB, true));

    assertStatus(503, Http.putChunk(session, message, 256 * KIB, message.length, true));
    assertEquals(
        "bytes=0-262143",
        Http.queryStatus(session, message.length).headers().firstValue("Range").orElseThrow());
    assertStatus(200, Http.putChunk(session, message, 256 * KIB, message.length, true));

    assertArrayEquals(message, gmail.messages(ME).get(0).bytes());
  }

  @Test
  void aServerErrorAtTheTokenEndpoint() throws Exception {
    String refresh = gmail.grant(ME, FakeGmailServer.SCOPE_INSERT);
    gmail.inject(FaultRule.of(GmailFault.SERVICE_UNAVAILABLE_503).at(GmailEndpoint.TOKEN));

    assertStatus(503, http.refresh(refresh));
    assertStatus(200, http.refresh(refresh));
  }

  @Test
  void aRuleThatCouldNeverHitIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> gmail.inject(FaultRule.of(GmailFault.RESPONSE_LOST).at(GmailEndpoint.LABELS_CREATE)));
    assertThrows(
        IllegalArgumentException.class,
        () -> gmail.inject(FaultRule.of(GmailFault.INVALID_GRANT).at(GmailEndpoint.IMPORT)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            gmail.inject(
                FaultRule.of(GmailFault.BACKEND_ERROR_500)
                    .at(GmailEndpoint.PROFILE)
                    .forMessageContaining("Subject: x")));
  }

  @Test
  void faultRulesRefuseNonsense() {
    assertThrows(
        IllegalArgumentException.class, () -> FaultRule.of(GmailFault.BACKEND_ERROR_500).times(0));
    assertThrows(
        IllegalArgumentException.class,
        () -> FaultRule.of(GmailFault.BACKEND_ERROR_500).forMessageContaining(""));
    assertThrows(
        IllegalArgumentException.class,
        () -> FaultRule.of(GmailFault.SLOW_UPLOAD).delay(Duration.ofSeconds(-1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> FaultRule.of(GmailFault.RESPONSE_LOST).afterBytes(-1));
  }

  @Test
  void STALLED_ANSWER_theHeadersArrive_thenTheBodyStalls_andTheImportIsStoredAnyway()
      throws Exception {
    InjectedFault fault =
        gmail.inject(FaultRule.of(GmailFault.STALLED_ANSWER).delay(Duration.ofSeconds(3)));
    CompletableFuture<HttpResponse<InputStream>> answer =
        Http.CLIENT.sendAsync(
            HttpRequest.newBuilder(
                    gmail
                        .baseUri()
                        .resolve("upload/gmail/v1/users/me/messages/import?uploadType=multipart"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/related; boundary=b1")
                .POST(
                    BodyPublishers.ofByteArray(
                        Http.multipart("b1", "{}", Http.message("stall@x", 2 * KIB))))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    HttpResponse<InputStream> headers = answer.get(2, TimeUnit.SECONDS);
    assertEquals(200, headers.statusCode());
    long started = System.nanoTime();
    CompletableFuture<byte[]> body =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = headers.body()) {
                return in.readAllBytes();
              } catch (IOException e) {
                return null; // the connection closed mid-body: what a stalled answer ends in
              }
            });
    assertThrows(
        TimeoutException.class,
        () -> body.get(1, TimeUnit.SECONDS),
        "the body stalls after the headers");
    assertEquals(null, body.get(10, TimeUnit.SECONDS), "and never completes");
    assertTrue(System.nanoTime() - started >= Duration.ofSeconds(2).toNanos());
    assertEquals(1, fault.hits());
    assertEquals(1, gmail.messages(ME).size(), "the import behind the stalled answer is stored");
    assertEquals(GmailFault.STALLED_ANSWER, gmail.requests(GmailEndpoint.IMPORT).get(0).fault());
  }

  @Test
  void STALLED_ANSWER_takesNoMessageCondition() {
    assertThrows(
        IllegalArgumentException.class,
        () -> gmail.inject(FaultRule.of(GmailFault.STALLED_ANSWER).forMessageContaining("x")));
  }
}
