package dev.mailfetch.testkit.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/** A plain {@link HttpClient} speaking to the fake as a Gmail client would. */
final class Http {
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final FakeGmailServer gmail;

  Http(FakeGmailServer gmail) {
    this.gmail = gmail;
  }

  HttpResponse<String> get(String pathAndQuery, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gmail.baseUri().resolve(pathAndQuery))
            .timeout(Duration.ofSeconds(20))
            .GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postJson(String pathAndQuery, String token, String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gmail.baseUri().resolve(pathAndQuery))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json; charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> token(Map<String, String> form) throws IOException, InterruptedException {
    String body =
        form.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return CLIENT.send(
        HttpRequest.newBuilder(gmail.tokenUri())
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> refresh(String refreshToken) throws IOException, InterruptedException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("client_id", FakeGmailServer.TEST_CLIENT_ID);
    form.put("client_secret", FakeGmailServer.TEST_CLIENT_SECRET);
    form.put("refresh_token", refreshToken);
    return token(form);
  }

  /** The multipart/related body of an import: JSON metadata, then the message. */
  static byte[] multipart(String boundary, String metadataJson, byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
                + metadataJson
                + "\r\n--"
                + boundary
                + "\r\nContent-Type: message/rfc822\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    out.writeBytes(message);
    out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  HttpResponse<String> importMultipart(
      String token, String query, String metadataJson, byte[] message)
      throws IOException, InterruptedException {
    String boundary = "fake_boundary_" + Long.toHexString(System.nanoTime());
    return CLIENT.send(
        HttpRequest.newBuilder(
                gmail
                    .baseUri()
                    .resolve(
                        "upload/gmail/v1/users/me/messages/import?uploadType=multipart"
                            + (query.isEmpty() ? "" : "&" + query)))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "multipart/related; boundary=" + boundary)
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, metadataJson, message)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Opens a resumable import session; the answer carries the session URI in Location. */
  HttpResponse<String> openSession(String token, String query, String metadataJson, Long length)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                gmail
                    .baseUri()
                    .resolve(
                        "upload/gmail/v1/users/me/messages/import?uploadType=resumable"
                            + (query.isEmpty() ? "" : "&" + query)))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json; charset=UTF-8")
            .header("X-Upload-Content-Type", "message/rfc822")
            .POST(HttpRequest.BodyPublishers.ofString(metadataJson));
    if (length != null) {
      b.header("X-Upload-Content-Length", Long.toString(length));
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** PUTs bytes [from, to) of the message to the session with their Content-Range. */
  static HttpResponse<String> putChunk(
      URI session, byte[] message, int from, int to, boolean totalKnown)
      throws IOException, InterruptedException {
    String total = totalKnown ? Integer.toString(message.length) : "*";
    return CLIENT.send(
        HttpRequest.newBuilder(session)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + total)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(message, from, to - from))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Asks the session how much it holds: {@code Content-Range: bytes *}{@code /N}, no body. */
  static HttpResponse<String> queryStatus(URI session, long total)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(session)
            .timeout(Duration.ofSeconds(20))
            .header("Content-Range", "bytes */" + total)
            .PUT(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> importMedia(String token, String query, byte[] message)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(
                gmail
                    .baseUri()
                    .resolve(
                        "upload/gmail/v1/users/me/messages/import?uploadType=media"
                            + (query.isEmpty() ? "" : "&" + query)))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "message/rfc822")
            .POST(HttpRequest.BodyPublishers.ofByteArray(message))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A message of exactly {@code size} bytes: a header naming it, then a body of varied bytes (CR,
   * LF, NUL among them).
   */
  static byte[] message(String messageId, int size) {
    byte[] head =
        ("Date: Mon, 1 Dec 2025 10:00:00 +0000\r\nFrom: a@example.org\r\nMessage-ID: <"
                + messageId
                + ">\r\nSubject: big\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[size];
    System.arraycopy(head, 0, out, 0, head.length);
    Random random = new Random(size);
    for (int i = head.length; i < size; i++) {
      out[i] = (byte) random.nextInt(256);
    }
    return out;
  }

  static void assertStatus(int expected, HttpResponse<String> response) {
    assertEquals(expected, response.statusCode(), () -> "answer: " + response.body());
  }
}
