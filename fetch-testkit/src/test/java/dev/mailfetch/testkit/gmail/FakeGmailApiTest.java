package dev.mailfetch.testkit.gmail;

import static dev.mailfetch.testkit.gmail.Http.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * users.getProfile, labels.list/create, messages.import (multipart) and messages.list on the fake.
 */
class FakeGmailApiTest {
  private static final String ME = "me@gmail.com";
  static final String MESSAGE =
      "Date: Tue, 3 Jun 2008 11:05:30 +0200\r\n"
          + "From: Alice <alice@example.org>\r\n"
          + "To: me@gmail.com\r\n"
          + "Subject: hello\r\n"
          + "Message-ID: <m1@example.org>\r\n"
          + "\r\n"
          + "A body with a lone dot\r\n.\r\nand a boundary-like line\r\n--not-the-boundary\r\n";

  private final FakeGmailServer gmail = FakeGmailServer.start().addAccount(ME);
  private final Http http = new Http(gmail);
  private final String token = gmail.accessToken(ME, FakeGmailServer.SCOPE_MAIL);

  @AfterEach
  void close() {
    gmail.close();
  }

  @Test
  void profileNamesTheTokensMailbox_forMeAndForTheAddress() throws Exception {
    HttpResponse<String> me = http.get("gmail/v1/users/me/profile", token);
    HttpResponse<String> byAddress = http.get("gmail/v1/users/ME@gmail.com/profile", token);

    assertStatus(200, me);
    Map<String, Object> json = Json.parseObject(me.body().getBytes(StandardCharsets.UTF_8));
    assertEquals(ME, json.get("emailAddress"));
    assertEquals(0L, json.get("messagesTotal"));
    assertTrue(json.containsKey("historyId"));
    assertStatus(200, byAddress);
  }

  @Test
  void anotherUsersMailboxIsDelegationDenied() throws Exception {
    gmail.addAccount("other@gmail.com");

    HttpResponse<String> answer = http.get("gmail/v1/users/other@gmail.com/profile", token);

    assertStatus(403, answer);
    assertTrue(answer.body().contains("Delegation denied for other@gmail.com"), answer.body());
  }

  @Test
  void labelsListShowsGmailsSystemLabels() throws Exception {
    HttpResponse<String> answer = http.get("gmail/v1/users/me/labels", token);

    assertStatus(200, answer);
    for (String id :
        List.of("INBOX", "UNREAD", "SPAM", "TRASH", "STARRED", "IMPORTANT", "SENT", "DRAFT")) {
      assertTrue(
          answer
              .body()
              .contains("{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"type\":\"system\"}"),
          id);
    }
  }

  @Test
  void labelsCreateKeepsANestedNameWhole_andAnExistingNameIs409() throws Exception {
    HttpResponse<String> created =
        http.postJson("gmail/v1/users/me/labels", token, "{\"name\":\"Clients/Acme\"}");

    assertStatus(200, created);
    Map<String, Object> label = Json.parseObject(created.body().getBytes(StandardCharsets.UTF_8));
    assertEquals("Clients/Acme", label.get("name"));
    assertEquals("user", label.get("type"));
    assertEquals(label.get("id"), gmail.label(ME, "Clients/Acme").orElseThrow().id());
    assertTrue(gmail.label(ME, "Clients").isEmpty(), "Gmail creates no parent label");

    HttpResponse<String> again =
        http.postJson("gmail/v1/users/me/labels", token, "{\"name\":\"clients/acme\"}");
    assertStatus(409, again);
    assertTrue(again.body().contains("Label name exists or conflicts"), again.body());
    assertEquals(2, gmail.labelCreates(ME));
    assertTrue(
        http.get("gmail/v1/users/me/labels", token).body().contains("\"name\":\"Clients/Acme\""));
  }

  @Test
  void multipartImportStoresTheExactBytes_labels_andTheDateFromTheDateHeader() throws Exception {
    byte[] raw = MESSAGE.getBytes(StandardCharsets.ISO_8859_1);

    HttpResponse<String> answer =
        http.importMultipart(
            token, "internalDateSource=dateHeader", "{\"labelIds\":[\"INBOX\",\"UNREAD\"]}", raw);

    assertStatus(200, answer);
    Map<String, Object> json = Json.parseObject(answer.body().getBytes(StandardCharsets.UTF_8));
    StoredMessage stored = gmail.messages(ME).get(0);
    assertEquals(stored.id(), json.get("id"));
    assertEquals(stored.threadId(), json.get("threadId"));
    assertEquals(List.of("INBOX", "UNREAD"), json.get("labelIds"));
    assertArrayEquals(raw, stored.bytes());
    assertEquals(List.of("INBOX", "UNREAD"), stored.labelIds());
    assertEquals(Instant.parse("2008-06-03T09:05:30Z"), stored.internalDate());
    assertEquals("<m1@example.org>", stored.messageId());
    assertEquals("multipart", stored.uploadType());
    assertFalse(stored.neverMarkSpam());
    assertEquals(25, gmail.quotaUnitsUsed(ME));
  }

  @Test
  void receivedTimeIgnoresTheDateHeader() throws Exception {
    Instant before = Instant.now().minusSeconds(1);

    assertStatus(
        200,
        http.importMultipart(
            token,
            "internalDateSource=receivedTime",
            "{}",
            MESSAGE.getBytes(StandardCharsets.ISO_8859_1)));

    assertTrue(gmail.messages(ME).get(0).internalDate().isAfter(before));
    assertTrue(
        gmail.messages(ME).get(0).labelIds().isEmpty(), "no labelIds: archived, in All Mail only");
  }

  @Test
  void anUnknownLabelIdIs400AndNothingIsStored() throws Exception {
    HttpResponse<String> answer =
        http.importMultipart(
            token,
            "",
            "{\"labelIds\":[\"Label_99\"]}",
            MESSAGE.getBytes(StandardCharsets.ISO_8859_1));

    assertStatus(400, answer);
    assertTrue(answer.body().contains("Invalid label: Label_99"), answer.body());
    assertTrue(gmail.messages(ME).isEmpty());
  }

  @Test
  void messagesListFindsAMessageByRfc822MsgId_withOrWithoutAngleBrackets() throws Exception {
    assertStatus(
        200,
        http.importMultipart(
            token,
            "",
            "{\"labelIds\":[\"INBOX\"]}",
            MESSAGE.getBytes(StandardCharsets.ISO_8859_1)));
    String id = gmail.messages(ME).get(0).id();

    HttpResponse<String> found =
        http.get("gmail/v1/users/me/messages?q=rfc822msgid:%3Cm1@example.org%3E", token);
    HttpResponse<String> bare =
        http.get("gmail/v1/users/me/messages?q=rfc822msgid:m1@example.org", token);
    HttpResponse<String> none =
        http.get("gmail/v1/users/me/messages?q=rfc822msgid:other@example.org", token);

    assertStatus(200, found);
    assertEquals(
        "{\"messages\":[{\"id\":\""
            + id
            + "\",\"threadId\":\""
            + id
            + "\"}],\"resultSizeEstimate\":1}",
        found.body());
    assertEquals(found.body(), bare.body());
    assertEquals("{\"resultSizeEstimate\":0}", none.body());
  }

  @Test
  void messagesModifyAddsAndRemovesLabels_unknownMessageIs404_unknownLabelIs400() throws Exception {
    assertStatus(
        200,
        http.importMultipart(
            token,
            "",
            "{\"labelIds\":[\"INBOX\",\"UNREAD\"]}",
            MESSAGE.getBytes(StandardCharsets.ISO_8859_1)));
    String id = gmail.messages(ME).get(0).id();
    String label =
        (String)
            Json.parseObject(
                    http.postJson("gmail/v1/users/me/labels", token, "{\"name\":\"Work\"}")
                        .body()
                        .getBytes(StandardCharsets.UTF_8))
                .get("id");

    HttpResponse<String> modified =
        http.postJson(
            "gmail/v1/users/me/messages/" + id + "/modify",
            token,
            "{\"addLabelIds\":[\"" + label + "\"],\"removeLabelIds\":[\"UNREAD\"]}");

    assertStatus(200, modified);
    assertEquals(List.of("INBOX", label), gmail.messages(ME).get(0).labelIds());
    assertTrue(
        modified.body().contains("\"labelIds\":[\"INBOX\",\"" + label + "\"]"), modified.body());
    assertStatus(
        404,
        http.postJson(
            "gmail/v1/users/me/messages/00000000000000aa/modify",
            token,
            "{\"addLabelIds\":[\"INBOX\"]}"));
    assertStatus(
        400,
        http.postJson(
            "gmail/v1/users/me/messages/" + id + "/modify",
            token,
            "{\"addLabelIds\":[\"Label_99\"]}"));
    String insertOnly =
        gmail.accessToken(ME, FakeGmailServer.SCOPE_INSERT, FakeGmailServer.SCOPE_LABELS);
    assertStatus(
        403,
        http.postJson(
            "gmail/v1/users/me/messages/" + id + "/modify",
            insertOnly,
            "{\"addLabelIds\":[\"INBOX\"]}"));
  }

  @Test
  void messagesGetAnswersLabelsDateSizeAndRawBytes() throws Exception {
    byte[] raw = MESSAGE.getBytes(StandardCharsets.ISO_8859_1);
    assertStatus(200, http.importMultipart(token, "", "{\"labelIds\":[\"INBOX\"]}", raw));
    String id = gmail.messages(ME).get(0).id();

    Map<String, Object> minimal =
        Json.parseObject(
            http.get("gmail/v1/users/me/messages/" + id + "?format=minimal", token)
                .body()
                .getBytes(StandardCharsets.UTF_8));
    Map<String, Object> full =
        Json.parseObject(
            http.get("gmail/v1/users/me/messages/" + id + "?format=raw", token)
                .body()
                .getBytes(StandardCharsets.UTF_8));

    assertEquals(id, minimal.get("id"));
    assertEquals(List.of("INBOX"), minimal.get("labelIds"));
    assertEquals((long) raw.length, minimal.get("sizeEstimate"));
    assertEquals("1212483930000", minimal.get("internalDate"));
    assertArrayEquals(raw, Base64.getUrlDecoder().decode((String) full.get("raw")));
    assertStatus(404, http.get("gmail/v1/users/me/messages/00000000000000aa", token));
  }

  @Test
  void aQueryOtherThanRfc822MsgIdIsRefusedInWords() throws Exception {
    HttpResponse<String> answer = http.get("gmail/v1/users/me/messages?q=from:alice", token);

    assertStatus(400, answer);
    assertTrue(answer.body().contains("only the query 'rfc822msgid:"), answer.body());
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]+)").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void historyList_namesEveryMessageAddedAfterTheStartId_paged_and404ForAnExpiredStart()
      throws Exception {
    long start =
        Long.parseLong(field(http.get("gmail/v1/users/me/profile", token).body(), "historyId"));
    for (int i = 0; i < 3; i++) {
      assertStatus(200, http.importMultipart(token, "", "{}", Http.message("h" + i + "@x", 1024)));
    }
    HttpResponse<String> page1 =
        http.get(
            "gmail/v1/users/me/history?historyTypes=messageAdded&maxResults=2"
                + "&startHistoryId="
                + start,
            token);
    assertStatus(200, page1);
    assertTrue(page1.body().contains("\"messagesAdded\""), page1.body());
    assertTrue(
        page1.body().contains(gmail.messages(ME).get(0).id())
            && page1.body().contains(gmail.messages(ME).get(1).id()));
    String next = field(page1.body(), "nextPageToken");
    HttpResponse<String> page2 =
        http.get(
            "gmail/v1/users/me/history?historyTypes=messageAdded&maxResults=2"
                + "&startHistoryId="
                + start
                + "&pageToken="
                + next,
            token);
    assertTrue(page2.body().contains(gmail.messages(ME).get(2).id()), page2.body());
    assertEquals(3, gmail.requests(GmailEndpoint.HISTORY_LIST).size() + 1);
    gmail.expireHistory(ME);
    assertStatus(404, http.get("gmail/v1/users/me/history?startHistoryId=" + start, token));
  }

  @Test
  void searchLag_hidesANewMessageFromQ_butNotFromGet() throws Exception {
    gmail.searchLag(Duration.ofSeconds(2));
    assertStatus(200, http.importMultipart(token, "", "{}", Http.message("lag@x", 1024)));
    String id = gmail.messages(ME).get(0).id();
    assertFalse(
        http.get("gmail/v1/users/me/messages?q=rfc822msgid:lag@x", token).body().contains(id));
    HttpResponse<String> got =
        http.get(
            "gmail/v1/users/me/messages/" + id + "?format=metadata&metadataHeaders=Message-ID",
            token);
    assertStatus(200, got);
    assertTrue(got.body().contains("\"value\":\"<lag@x>\""), got.body());
    Thread.sleep(2200);
    assertTrue(
        http.get("gmail/v1/users/me/messages?q=rfc822msgid:lag@x", token).body().contains(id));
  }
}
