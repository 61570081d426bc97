package dev.mailfetch.testkit.gmail;

import static dev.mailfetch.testkit.gmail.Http.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** messages.import by resumable, media and raw uploads, and what the fake stores. */
class FakeGmailUploadTest {
  private static final String ME = "me@gmail.com";
  private static final int KIB = 1024;

  private final FakeGmailServer gmail = FakeGmailServer.start().addAccount(ME);
  private final Http http = new Http(gmail);
  private final String token = gmail.accessToken(ME, FakeGmailServer.SCOPE_INSERT);

  @AfterEach
  void close() {
    gmail.close();
  }

  @Test
  void resumableUploadOf300KibIn3Chunks_answers308WithRangeUntilTheLast_andStoresTheExactBytes()
      throws Exception {
    byte[] message = Http.message("r1@example.org", 300 * KIB);
    HttpResponse<String> open =
        http.openSession(
            token,
            "internalDateSource=dateHeader",
            "{\"labelIds\":[\"INBOX\",\"UNREAD\"]}",
            (long) message.length);
    assertStatus(200, open);
    URI session = URI.create(open.headers().firstValue("Location").orElseThrow());
    assertTrue(session.getRawQuery().contains("upload_id="), session.toString());
    assertTrue(gmail.messages(ME).isEmpty());

    HttpResponse<String> first = Http.putChunk(session, message, 0, 256 * KIB, true);
    assertStatus(308, first);
    assertEquals("bytes=0-262143", first.headers().firstValue("Range").orElseThrow());
    HttpResponse<String> status = Http.queryStatus(session, message.length);
    assertStatus(308, status);
    assertEquals("bytes=0-262143", status.headers().firstValue("Range").orElseThrow());
    HttpResponse<String> second = Http.putChunk(session, message, 256 * KIB, 290 * KIB, true);
    assertStatus(400, second); // not a multiple of 256 KiB and not the last
    HttpResponse<String> last = Http.putChunk(session, message, 256 * KIB, message.length, true);

    assertStatus(200, last);
    StoredMessage stored = gmail.messages(ME).get(0);
    assertTrue(last.body().contains("\"id\":\"" + stored.id() + "\""), last.body());
    assertArrayEquals(message, stored.bytes());
    assertEquals(List.of("INBOX", "UNREAD"), stored.labelIds());
    assertEquals("resumable", stored.uploadType());
    assertEquals(sha256(message), stored.sha256());
    HttpResponse<String> after = Http.queryStatus(session, message.length);
    assertStatus(200, after); // a finished session answers its message again
    assertEquals(last.body(), after.body());
    assertEquals(25, gmail.quotaUnitsUsed(ME), "the session costs one import, whatever its chunks");
  }

  @Test
  void resumableUploadInThreeChunksWithUnknownTotalUntilTheLast() throws Exception {
    byte[] message = Http.message("r2@example.org", 600 * KIB);
    URI session =
        URI.create(
            http.openSession(token, "", "", null).headers().firstValue("Location").orElseThrow());

    assertStatus(308, Http.putChunk(session, message, 0, 256 * KIB, false));
    assertStatus(308, Http.putChunk(session, message, 256 * KIB, 512 * KIB, false));
    HttpResponse<String> last = Http.putChunk(session, message, 512 * KIB, message.length, true);

    assertStatus(200, last);
    assertArrayEquals(message, gmail.messages(ME).get(0).bytes());
  }

  @Test
  void aStatusQueryBeforeAnyByteAnswers308WithoutRange() throws Exception {
    URI session =
        URI.create(
            http.openSession(token, "", "{}", 1000L)
                .headers()
                .firstValue("Location")
                .orElseThrow());

    HttpResponse<String> status = Http.queryStatus(session, 1000);

    assertStatus(308, status);
    assertTrue(status.headers().firstValue("Range").isEmpty());
  }

  @Test
  void aChunkResentAfterALostAnswerIsTakenFromWhereTheSessionIs() throws Exception {
    byte[] message = Http.message("r3@example.org", 300 * KIB);
    URI session =
        URI.create(
            http.openSession(token, "", "{}", (long) message.length)
                .headers()
                .firstValue("Location")
                .orElseThrow());
    assertStatus(308, Http.putChunk(session, message, 0, 256 * KIB, true));

    assertStatus(308, Http.putChunk(session, message, 0, 256 * KIB, true)); // the same chunk again

    assertStatus(200, Http.putChunk(session, message, 256 * KIB, message.length, true));
    assertArrayEquals(message, gmail.messages(ME).get(0).bytes());
  }

  @Test
  void aTotalOtherThanTheDeclaredLengthIs400() throws Exception {
    byte[] message = Http.message("len@example.org", 10 * KIB);
    URI session =
        URI.create(
            http.openSession(token, "", "{}", 20L * KIB)
                .headers()
                .firstValue("Location")
                .orElseThrow());

    assertStatus(400, Http.putChunk(session, message, 0, message.length, true));
    assertTrue(gmail.messages(ME).isEmpty());
  }

  @Test
  void aChunkWhoseClientDiedMidwayIsDroppedWhole_theUploadResumesByteExact() throws Exception {
    byte[] message = Http.message("died@example.org", 700 * KIB);
    URI session =
        URI.create(
            http.openSession(token, "", "{}", (long) message.length)
                .headers()
                .firstValue("Location")
                .orElseThrow());
    assertStatus(308, Http.putChunk(session, message, 0, 256 * KIB, true));
    String head =
        "PUT "
            + session.getRawPath()
            + "?"
            + session.getRawQuery()
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Range: bytes 262144-524287/"
            + message.length
            + "\r\nContent-Length: 262144\r\n\r\n";
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gmail.port())) {
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket
          .getOutputStream()
          .write(message, 256 * KIB, 100 * KIB); // the client dies after 100 KiB of the chunk
      socket.getOutputStream().flush();
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (gmail.requests(GmailEndpoint.UPLOAD_CHUNK).size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    HttpResponse<String> status = Http.queryStatus(session, message.length);

    assertStatus(308, status);
    assertEquals("bytes=0-262143", status.headers().firstValue("Range").orElseThrow());
    assertStatus(308, Http.putChunk(session, message, 256 * KIB, 512 * KIB, true));
    assertStatus(200, Http.putChunk(session, message, 512 * KIB, message.length, true));
    assertArrayEquals(message, gmail.messages(ME).get(0).bytes());
  }

  @Test
  void anUnknownSessionIs404() throws Exception {
    URI session =
        gmail
            .baseUri()
            .resolve(
                "upload/gmail/v1/users/me/messages/import?uploadType=resumable&upload_id=nope");

    assertStatus(404, Http.queryStatus(session, 10));
  }

  @Test
  void mediaUploadStoresTheMessageWithoutLabels() throws Exception {
    byte[] message = Http.message("m1@example.org", 10 * KIB);

    HttpResponse<String> answer = http.importMedia(token, "", message);

    assertStatus(200, answer);
    StoredMessage stored = gmail.messages(ME).get(0);
    assertArrayEquals(message, stored.bytes());
    assertTrue(stored.labelIds().isEmpty());
    assertFalse(
        answer.body().contains("labelIds"), "Gmail leaves out an empty list: " + answer.body());
  }

  @Test
  void rawJsonImportDecodesBase64Url() throws Exception {
    byte[] message =
        "Subject: raw\r\nMessage-ID: <raw@example.org>\r\n\r\n\u00ff?>\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    String raw = Base64.getUrlEncoder().encodeToString(message);

    HttpResponse<String> answer =
        http.postJson(
            "gmail/v1/users/me/messages/import",
            token,
            "{\"raw\":\"" + raw + "\",\"labelIds\":[\"INBOX\"]}");

    assertStatus(200, answer);
    assertArrayEquals(message, gmail.messages(ME).get(0).bytes());
    assertEquals("raw", gmail.messages(ME).get(0).uploadType());
  }

  @Test
  void aLargeMessageIsKeptOffTheHeap_inATemporaryFileDeletedOnClose() throws Exception {
    byte[] message = Http.message("big@example.org", 3 * 1024 * KIB);

    assertStatus(200, http.importMultipart(token, "", "{\"labelIds\":[\"INBOX\"]}", message));

    StoredMessage stored = gmail.messages(ME).get(0);
    assertTrue(stored.inFile());
    assertEquals(message.length, stored.size());
    assertEquals(sha256(message), stored.sha256());
    try (InputStream in = stored.openStream()) {
      assertArrayEquals(message, in.readAllBytes());
    }
  }

  @Test
  void aMessageOverTheSizeLimitIs413_multipartAndResumable() throws Exception {
    gmail.maxMessageSize(100 * KIB);
    byte[] message = Http.message("huge@example.org", 101 * KIB);

    HttpResponse<String> multipart = http.importMultipart(token, "", "{}", message);
    HttpResponse<String> session = http.openSession(token, "", "{}", (long) message.length);

    assertStatus(413, multipart);
    assertTrue(
        multipart.body().contains("Request payload size exceeds the limit: 102400 bytes."),
        multipart.body());
    assertStatus(413, session);
    assertTrue(gmail.messages(ME).isEmpty());
  }

  @Test
  void spamReading_aMessageMarkedSpamGoesToSpamUnlessNeverMarkSpam() throws Exception {
    byte[] spam =
        ("X-Fake-Gmail-Verdict: spam\r\nMessage-ID: <s1@example.org>\r\nSubject: win\r\n\r\nbuy\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    assertStatus(
        200, http.importMultipart(token, "", "{\"labelIds\":[\"INBOX\",\"UNREAD\"]}", spam));
    assertStatus(
        200,
        http.importMultipart(
            token, "neverMarkSpam=true", "{\"labelIds\":[\"INBOX\",\"UNREAD\"]}", spam));

    List<StoredMessage> stored = gmail.messages(ME);
    assertEquals(List.of("UNREAD", "SPAM"), stored.get(0).labelIds());
    assertEquals(List.of("INBOX", "UNREAD"), stored.get(1).labelIds());
    assertTrue(stored.get(1).neverMarkSpam());
    String full = gmail.accessToken(ME, FakeGmailServer.SCOPE_MAIL);
    HttpResponse<String> listed =
        http.get("gmail/v1/users/me/messages?q=rfc822msgid:s1@example.org", full);
    assertTrue(
        listed.body().contains("\"resultSizeEstimate\":1"), "SPAM is left out: " + listed.body());
    HttpResponse<String> withSpam =
        http.get(
            "gmail/v1/users/me/messages?q=rfc822msgid:s1@example.org&includeSpamTrash=true", full);
    assertTrue(withSpam.body().contains("\"resultSizeEstimate\":2"), withSpam.body());
  }

  @Test
  void deletedAndProcessForCalendarAreRecorded_aDeletedMessageIsInNoLabelAndNotListed()
      throws Exception {
    byte[] message = Http.message("d1@example.org", 2 * KIB);

    assertStatus(
        200,
        http.importMultipart(
            token, "deleted=true&processForCalendar=true", "{\"labelIds\":[\"INBOX\"]}", message));

    StoredMessage stored = gmail.messages(ME).get(0);
    assertTrue(stored.deleted());
    assertTrue(stored.processForCalendar());
    assertTrue(stored.labelIds().isEmpty());
    String full = gmail.accessToken(ME, FakeGmailServer.SCOPE_MAIL);
    assertEquals(
        "{\"resultSizeEstimate\":0}",
        http.get(
                "gmail/v1/users/me/messages?q=rfc822msgid:d1@example.org&includeSpamTrash=true",
                full)
            .body());
  }

  @Test
  void aMissingOrUnreadableDateHeaderFallsBackToTheReceivedTime() throws Exception {
    long before = System.currentTimeMillis();
    byte[] noDate =
        "Subject: x\r\nMessage-ID: <n@example.org>\r\n\r\nx\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    byte[] badDate = "Date: someday\r\nSubject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);

    assertStatus(200, http.importMultipart(token, "", "{}", noDate));
    assertStatus(200, http.importMultipart(token, "", "{}", badDate));

    for (StoredMessage m : gmail.messages(ME)) {
      assertTrue(m.internalDate().toEpochMilli() >= before, m.toString());
    }
  }

  @Test
  void aReplyJoinsTheThreadOfTheMessageItAnswers() throws Exception {
    byte[] first =
        "Message-ID: <t1@example.org>\r\nSubject: a\r\n\r\nx\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    byte[] reply =
        "Message-ID: <t2@example.org>\r\nIn-Reply-To: <t1@example.org>\r\nSubject: Re: a\r\n\r\ny\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    assertStatus(200, http.importMultipart(token, "", "{}", first));
    assertStatus(200, http.importMultipart(token, "", "{}", reply));

    List<StoredMessage> stored = gmail.messages(ME);
    assertEquals(stored.get(0).threadId(), stored.get(1).threadId());
    assertEquals(stored.get(0).id(), stored.get(0).threadId());
  }

  @Test
  void importNeedsAnImportScope() throws Exception {
    String labelsOnly = gmail.accessToken(ME, FakeGmailServer.SCOPE_LABELS);

    HttpResponse<String> answer =
        http.importMultipart(labelsOnly, "", "{}", Http.message("x@example.org", KIB));

    assertStatus(403, answer);
    assertTrue(answer.body().contains("insufficientPermissions"));
    assertTrue(gmail.messages(ME).isEmpty());
  }

  @Test
  void everyRequestIsRecordedWithItsEndpointQueryAndStatus() throws Exception {
    assertStatus(
        200,
        http.importMultipart(
            token, "neverMarkSpam=true", "{}", Http.message("rec@example.org", KIB)));

    RecordedGmailRequest r = gmail.requests(GmailEndpoint.IMPORT).get(0);
    assertEquals("POST", r.method());
    assertEquals("/upload/gmail/v1/users/me/messages/import", r.path());
    assertEquals("true", r.param("neverMarkSpam"));
    assertEquals("multipart", r.param("uploadType"));
    assertEquals(ME, r.account());
    assertEquals(200, r.status());
    assertTrue(r.bodyBytes() > KIB);
    assertNull(r.fault());
    assertNotNull(r.received());
    assertEquals(Map.of(), Map.of());
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void bareUploadRange_a308NamesWhatItHoldsWithoutBytesEquals() throws Exception {
    gmail.bareUploadRange(true);
    byte[] message = Http.message("bare@example.org", 300 * KIB);
    URI session =
        URI.create(
            http.openSession(token, "", "{}", (long) message.length)
                .headers()
                .firstValue("Location")
                .orElseThrow());
    HttpResponse<String> first = Http.putChunk(session, message, 0, 256 * KIB, true);
    assertStatus(308, first);
    assertEquals("0-262143", first.headers().firstValue("Range").orElseThrow());
    assertStatus(200, Http.putChunk(session, message, 256 * KIB, message.length, true));
    assertArrayEquals(message, gmail.messages(ME).get(0).bytes());
  }

  @Test
  void stuckUploadRange_everyChunkButTheLastIsDropped_andThe308NeverMovesForward()
      throws Exception {
    gmail.stuckUploadRange(true);
    byte[] message = Http.message("stuck@example.org", 600 * KIB);
    URI session =
        URI.create(
            http.openSession(token, "", "{}", (long) message.length)
                .headers()
                .firstValue("Location")
                .orElseThrow());
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> chunk = Http.putChunk(session, message, 0, 256 * KIB, true);
      assertStatus(308, chunk);
      assertTrue(chunk.headers().firstValue("Range").isEmpty(), "nothing held, try " + i);
    }
    assertTrue(gmail.messages(ME).isEmpty());
  }
}
