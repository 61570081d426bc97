package dev.mailfetch.testkit.gmail;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fake's {@code users.messages} methods other than import: {@code messages.get} (in each
 * format, with the metadata scope's limits), {@code messages.modify} (labels only) and {@code
 * messages.list} (the {@code rfc822msgid:} search, lagging behind the mailbox where the server is
 * told to, as Gmail's index does).
 */
final class MessagesResource {
  private static final Pattern RFC822MSGID =
      Pattern.compile("\\s*rfc822msgid:\\s*\"?([^\"\\s]+)\"?\\s*");

  private final FakeGmailServer server;

  MessagesResource(FakeGmailServer server) {
    this.server = server;
  }

  void oneMessage(Call call, String userId, String id, boolean modify) throws IOException {
    if (modify && call.method.equals("POST")) {
      call.endpoint = GmailEndpoint.MESSAGES_MODIFY;
      if (server.access.authorize(call, userId, ApiAccess.MODIFY_SCOPES, 5) == null) {
        return;
      }
      Map<String, Object> body;
      List<String> add;
      List<String> remove;
      try {
        body = Json.parseObject(call.readBody(64 * 1024));
        add = Json.strings(body, "addLabelIds");
        remove = Json.strings(body, "removeLabelIds");
      } catch (IOException e) {
        call.error(GoogleError.badRequest("Invalid JSON payload received. " + e.getMessage()));
        return;
      }
      add = add == null ? List.of() : add;
      remove = remove == null ? List.of() : remove;
      Mailbox box = server.mailbox(call.account);
      for (String l : add) {
        if (!box.hasLabel(l)) {
          call.error(GoogleError.invalidArgument("Invalid label: " + l));
          return;
        }
      }
      StoredMessage changed = box.modify(id, add, remove);
      if (changed == null) {
        call.error(GoogleError.notFound());
        return;
      }
      call.json(200, Imports.resource(changed));
      return;
    }
    if (!modify && call.method.equals("GET")) {
      call.endpoint = GmailEndpoint.MESSAGES_GET;
      OAuthServer.Access access = server.access.authorize(call, userId, ApiAccess.GET_SCOPES, 5);
      if (access == null) {
        return;
      }
      call.drain();
      String format = call.param("format") == null ? "full" : call.param("format");
      if (!List.of("minimal", "metadata", "raw", "full").contains(format)) {
        call.error(GoogleError.invalidArgument("Invalid value for format: " + format));
        return;
      }
      if (format.equals("raw") || format.equals("full")) {
        if (access.scopes().stream().noneMatch(s -> !s.equals(FakeGmailServer.SCOPE_METADATA))) {
          call.error(
              GoogleError.insufficientScopes(
                  "Metadata scope doesn't allow format " + format.toUpperCase(Locale.ROOT)));
          return;
        }
      }
      StoredMessage m = server.mailbox(call.account).message(id);
      if (m == null) {
        call.error(GoogleError.notFound());
        return;
      }
      byte[] raw = format.equals("raw") ? m.bytes() : null;
      call.json(
          200,
          Json.write(
              g -> {
                g.writeStartObject();
                g.writeStringField("id", m.id());
                g.writeStringField("threadId", m.threadId());
                if (!m.labelIds().isEmpty()) {
                  g.writeArrayFieldStart("labelIds");
                  for (String l : m.labelIds()) {
                    g.writeString(l);
                  }
                  g.writeEndArray();
                }
                g.writeNumberField("sizeEstimate", m.size());
                g.writeStringField("internalDate", Long.toString(m.internalDate().toEpochMilli()));
                if (raw != null) {
                  g.writeStringField("raw", Base64.getUrlEncoder().encodeToString(raw));
                }
                List<String> wantedHeaders = call.query.getOrDefault("metadataHeaders", List.of());
                if ((format.equals("metadata") || format.equals("full"))
                    && m.messageId() != null
                    && (wantedHeaders.isEmpty()
                        || wantedHeaders.stream()
                            .anyMatch(h -> h.equalsIgnoreCase("Message-ID")))) {
                  g.writeObjectFieldStart("payload");
                  g.writeArrayFieldStart("headers");
                  g.writeStartObject();
                  g.writeStringField("name", "Message-ID");
                  g.writeStringField("value", m.messageId());
                  g.writeEndObject();
                  g.writeEndArray();
                  g.writeEndObject();
                }
                g.writeEndObject();
              }));
      return;
    }
    call.drain();
    call.error(GoogleError.methodNotAllowed());
  }

  void messagesList(Call call, OAuthServer.Access access) throws IOException {
    call.drain();
    String q = call.param("q");
    String wanted = null;
    if (q != null && !q.isBlank()) {
      if (!access.scopes().contains(FakeGmailServer.SCOPE_MAIL)
          && !access.scopes().contains(FakeGmailServer.SCOPE_MODIFY)
          && !access.scopes().contains(FakeGmailServer.SCOPE_READONLY)) {
        call.error(GoogleError.insufficientScopes("Metadata scope does not support 'q' parameter"));
        return;
      }
      Matcher m = RFC822MSGID.matcher(q);
      if (!m.matches()) {
        call.error(
            GoogleError.invalidArgument(
                "The fake Gmail understands only the query 'rfc822msgid:<id>' (see docs/gmail-fake.md): "
                    + q));
        return;
      }
      wanted = Headers.bare(m.group(1));
    }
    boolean spamTrash = "true".equals(call.param("includeSpamTrash"));
    List<String> labelIds = call.query.getOrDefault("labelIds", List.of());
    int max = 100;
    try {
      if (call.param("maxResults") != null) {
        max = Math.max(1, Math.min(500, Integer.parseInt(call.param("maxResults"))));
      }
    } catch (NumberFormatException e) {
      call.error(
          GoogleError.invalidArgument("Invalid value for maxResults: " + call.param("maxResults")));
      return;
    }
    int offset = 0;
    if (call.param("pageToken") != null) {
      try {
        offset = Integer.parseInt(call.param("pageToken"));
      } catch (NumberFormatException e) {
        call.error(GoogleError.invalidArgument("Invalid pageToken"));
        return;
      }
    }
    List<StoredMessage> found = new ArrayList<>();
    for (StoredMessage m : server.mailbox(call.account).messages()) {
      if (m.deleted()) {
        continue;
      }
      if (!spamTrash && (m.labelIds().contains("SPAM") || m.labelIds().contains("TRASH"))) {
        continue;
      }
      if (!m.labelIds().containsAll(labelIds)) {
        continue;
      }
      if (wanted != null
          && (m.messageId() == null || !Headers.bare(m.messageId()).equals(wanted))) {
        continue;
      }
      if (q != null && !q.isBlank() && !server.searchLag.isZero()) {
        Instant at = server.mailbox(call.account).addedAt(m.id());
        if (at != null && Instant.now().isBefore(at.plus(server.searchLag))) {
          continue; // not in the search index yet
        }
      }
      found.add(m);
    }
    found.sort(Comparator.comparing(StoredMessage::id).reversed());
    int from = Math.min(offset, found.size());
    int to = Math.min(found.size(), from + max);
    List<StoredMessage> page = found.subList(from, to);
    String next = to < found.size() ? Integer.toString(to) : null;
    call.json(
        200,
        Json.write(
            g -> {
              g.writeStartObject();
              if (!page.isEmpty()) {
                g.writeArrayFieldStart("messages");
                for (StoredMessage m : page) {
                  g.writeStartObject();
                  g.writeStringField("id", m.id());
                  g.writeStringField("threadId", m.threadId());
                  g.writeEndObject();
                }
                g.writeEndArray();
              }
              if (next != null) {
                g.writeStringField("nextPageToken", next);
              }
              g.writeNumberField("resultSizeEstimate", found.size());
              g.writeEndObject();
            }));
  }
}
