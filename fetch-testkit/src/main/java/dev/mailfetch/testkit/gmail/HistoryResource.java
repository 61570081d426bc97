package dev.mailfetch.testkit.gmail;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The fake's {@code users.history.list}: the {@code messageAdded} records after a history id,
 * paged, and {@code 404} where the mailbox no longer keeps history that old, as Gmail answers.
 */
final class HistoryResource {
  private final FakeGmailServer server;

  HistoryResource(FakeGmailServer server) {
    this.server = server;
  }

  /** {@code users.history.list}: messageAdded records after {@code startHistoryId}, paged. */
  void historyList(Call call) throws IOException {
    call.drain();
    long start;
    try {
      start = Long.parseLong(call.param("startHistoryId"));
    } catch (NumberFormatException | NullPointerException e) {
      call.error(GoogleError.invalidArgument("Invalid startHistoryId"));
      return;
    }
    List<String> types = call.query.getOrDefault("historyTypes", List.of());
    if (!types.isEmpty() && !types.contains("messageAdded")) {
      call.error(
          GoogleError.invalidArgument(
              "The fake Gmail keeps only messageAdded history (see docs/gmail-fake.md): " + types));
      return;
    }
    Mailbox box = server.mailbox(call.account);
    List<Map.Entry<Long, String>> records = box.addedSince(start);
    if (records == null) {
      call.error(GoogleError.notFound());
      return;
    }
    int max = 100;
    int offset = 0;
    try {
      if (call.param("maxResults") != null) {
        max = Math.max(1, Math.min(500, Integer.parseInt(call.param("maxResults"))));
      }
      if (call.param("pageToken") != null) {
        offset = Integer.parseInt(call.param("pageToken"));
      }
    } catch (NumberFormatException e) {
      call.error(GoogleError.invalidArgument("Invalid maxResults or pageToken"));
      return;
    }
    int from = Math.min(offset, records.size());
    int to = Math.min(records.size(), from + max);
    List<Map.Entry<Long, String>> page = records.subList(from, to);
    String next = to < records.size() ? Integer.toString(to) : null;
    long current = box.historyId();
    call.json(
        200,
        Json.write(
            g -> {
              g.writeStartObject();
              if (!page.isEmpty()) {
                g.writeArrayFieldStart("history");
                for (Map.Entry<Long, String> r : page) {
                  StoredMessage m =
                      box.messages().stream()
                          .filter(x -> x.id().equals(r.getValue()))
                          .findFirst()
                          .orElse(null);
                  g.writeStartObject();
                  g.writeStringField("id", Long.toString(r.getKey()));
                  g.writeArrayFieldStart("messages");
                  g.writeStartObject();
                  g.writeStringField("id", r.getValue());
                  if (m != null) {
                    g.writeStringField("threadId", m.threadId());
                  }
                  g.writeEndObject();
                  g.writeEndArray();
                  g.writeArrayFieldStart("messagesAdded");
                  g.writeStartObject();
                  g.writeObjectFieldStart("message");
                  g.writeStringField("id", r.getValue());
                  if (m != null) {
                    g.writeStringField("threadId", m.threadId());
                    g.writeArrayFieldStart("labelIds");
                    for (String l : m.labelIds()) {
                      g.writeString(l);
                    }
                    g.writeEndArray();
                  }
                  g.writeEndObject();
                  g.writeEndObject();
                  g.writeEndArray();
                  g.writeEndObject();
                }
                g.writeEndArray();
              }
              if (next != null) {
                g.writeStringField("nextPageToken", next);
              }
              g.writeStringField("historyId", Long.toString(current));
              g.writeEndObject();
            }));
  }
}
