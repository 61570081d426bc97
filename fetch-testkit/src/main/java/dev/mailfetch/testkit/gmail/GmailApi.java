package dev.mailfetch.testkit.gmail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes every request of the fake and answers the Gmail API's small methods ({@code
 * users.getProfile}, {@code labels.list/create}, {@code messages.list}); imports go to {@link
 * Imports}, OAuth to {@link OAuthServer}. Each request is recorded when it is done.
 */
final class GmailApi implements HttpHandler {
  private static final Pattern API =
      Pattern.compile("/gmail/v1/users/([^/]+)/(profile|labels|messages|messages/import|history)");
  private static final Pattern ONE_MESSAGE =
      Pattern.compile("/gmail/v1/users/([^/]+)/messages/([0-9a-fA-F]+)(/modify)?");
  private static final Pattern UPLOAD =
      Pattern.compile("/upload/gmail/v1/users/([^/]+)/messages/import");

  static final Set<String> PROFILE_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL,
          FakeGmailServer.SCOPE_MODIFY,
          FakeGmailServer.SCOPE_COMPOSE,
          FakeGmailServer.SCOPE_READONLY,
          FakeGmailServer.SCOPE_METADATA);
  static final Set<String> LABELS_LIST_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL,
          FakeGmailServer.SCOPE_MODIFY,
          FakeGmailServer.SCOPE_LABELS,
          FakeGmailServer.SCOPE_READONLY,
          FakeGmailServer.SCOPE_METADATA);
  static final Set<String> LABELS_CREATE_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL, FakeGmailServer.SCOPE_MODIFY, FakeGmailServer.SCOPE_LABELS);
  static final Set<String> LIST_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL,
          FakeGmailServer.SCOPE_MODIFY,
          FakeGmailServer.SCOPE_READONLY,
          FakeGmailServer.SCOPE_METADATA);
  static final Set<String> MODIFY_SCOPES =
      Set.of(FakeGmailServer.SCOPE_MAIL, FakeGmailServer.SCOPE_MODIFY);
  static final Set<String> GET_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL,
          FakeGmailServer.SCOPE_MODIFY,
          FakeGmailServer.SCOPE_READONLY,
          FakeGmailServer.SCOPE_METADATA);
  static final Set<String> IMPORT_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL, FakeGmailServer.SCOPE_MODIFY, FakeGmailServer.SCOPE_INSERT);

  private final FakeGmailServer server;

  GmailApi(FakeGmailServer server) {
    this.server = server;
  }

  @Override
  public void handle(HttpExchange exchange) {
    Call call = new Call(exchange);
    call.stall =
        () ->
            call.endpoint == GmailEndpoint.OTHER || call.endpoint == GmailEndpoint.AUTHORIZATION
                ? null
                : server.faults.claim(call.endpoint, call.account, null, GmailFault.STALLED_ANSWER);
    call.beforeAnswer(
        () -> {
          if (call.inFlightAccount != null) {
            server.quota.leave(call.inFlightAccount);
          }
          server.record(call);
        });
    try {
      route(call);
    } catch (Call.Cut cut) {
      // cut on purpose: nothing more to say on this connection
    } catch (MultipartReader.Malformed e) {
      if (!call.answered()) {
        try {
          call.error(GoogleError.badRequest("Invalid multipart request: " + e.getMessage()));
        } catch (IOException gone) {
          // the client went away
        }
      }
    } catch (IOException e) {
      // the client went away, or sent what cannot be read: nothing more to say on this connection
      if (!call.answered()) {
        call.cut();
      }
    } catch (RuntimeException e) {
      server.internalError(call, e);
      if (!call.answered()) {
        call.cut();
      }
    } finally {
      call.settle();
      exchange.close();
    }
  }

  private void route(Call call) throws IOException {
    String path = call.path;
    if (path.equals("/token")) {
      server.oauth.token(call);
      return;
    }
    if (path.equals("/o/oauth2/v2/auth")) {
      server.oauth.authorize(call);
      return;
    }
    Matcher upload = UPLOAD.matcher(path);
    if (upload.matches()) {
      server.imports.upload(call, upload.group(1));
      return;
    }
    Matcher one = ONE_MESSAGE.matcher(path);
    if (one.matches() && !one.group(2).equals("import")) {
      oneMessage(call, one.group(1), one.group(2), one.group(3) != null);
      return;
    }
    Matcher api = API.matcher(path);
    if (!api.matches()) {
      call.drain();
      call.error(GoogleError.notFound());
      return;
    }
    String userId = api.group(1);
    String resource = api.group(2);
    switch (resource + " " + call.method) {
      case "profile GET":
        call.endpoint = GmailEndpoint.PROFILE;
        if (authorize(call, userId, PROFILE_SCOPES, 1) != null) {
          profile(call);
        }
        return;
      case "labels GET":
        call.endpoint = GmailEndpoint.LABELS_LIST;
        if (authorize(call, userId, LABELS_LIST_SCOPES, 1) != null) {
          labelsList(call);
        }
        return;
      case "labels POST":
        call.endpoint = GmailEndpoint.LABELS_CREATE;
        if (authorize(call, userId, LABELS_CREATE_SCOPES, 5) != null) {
          labelsCreate(call);
        }
        return;
      case "messages GET":
        call.endpoint = GmailEndpoint.MESSAGES_LIST;
        OAuthServer.Access access = authorize(call, userId, LIST_SCOPES, 5);
        if (access != null) {
          messagesList(call, access);
        }
        return;
      case "history GET":
        call.endpoint = GmailEndpoint.HISTORY_LIST;
        if (authorize(call, userId, LIST_SCOPES, 2) != null) {
          historyList(call);
        }
        return;
      case "messages/import POST":
        server.imports.rawImport(call, userId);
        return;
      default:
        call.drain();
        call.error(GoogleError.methodNotAllowed());
    }
  }

  private void oneMessage(Call call, String userId, String id, boolean modify) throws IOException {
    if (modify && call.method.equals("POST")) {
      call.endpoint = GmailEndpoint.MESSAGES_MODIFY;
      if (authorize(call, userId, MODIFY_SCOPES, 5) == null) {
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
      OAuthServer.Access access = authorize(call, userId, GET_SCOPES, 5);
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
                  g.writeStringField("raw", java.util.Base64.getUrlEncoder().encodeToString(raw));
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

  /**
   * Checks the bearer token, the userId, the scopes, the injected request faults and the quota, in
   * that order, and answers where one fails; otherwise returns the token's grant.
   */
  OAuthServer.Access authorize(Call call, String userId, Set<String> scopes, int units)
      throws IOException {
    String auth = call.header("Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      call.drain();
      call.error(GoogleError.missingCredentials());
      return null;
    }
    OAuthServer.Access access = server.oauth.access(auth.substring(7).trim());
    if (access == null) {
      call.drain();
      call.error(GoogleError.invalidCredentials());
      return null;
    }
    if (!userId.equals("me") && !userId.equalsIgnoreCase(access.account())) {
      call.drain();
      call.error(GoogleError.delegationDenied(userId));
      return null;
    }
    call.account = access.account();
    if (access.scopes().stream().noneMatch(scopes::contains)) {
      call.drain();
      call.error(GoogleError.insufficientScopes(String.join(" ", new java.util.TreeSet<>(scopes))));
      return null;
    }
    if (call.endpoint != GmailEndpoint.IMPORT && requestFault(call, null)) {
      return null;
    }
    if (!server.quota.enter(access.account())) {
      call.drain();
      call.error(GoogleError.tooManyConcurrentRequests());
      return null;
    }
    call.inFlightAccount = access.account();
    Quota.Verdict verdict = server.quota.charge(access.account(), units);
    if (verdict != Quota.Verdict.OK) {
      call.drain();
      call.error(
          verdict == Quota.Verdict.DAILY
              ? GoogleError.dailyLimitExceeded()
              : GoogleError.userRateLimitExceeded());
      return null;
    }
    return access;
  }

  /** Answers an injected status fault for this request, if one hits it; true where one did. */
  boolean requestFault(Call call, byte[] head) throws IOException {
    InjectedFault f =
        server.faults.claim(
            call.endpoint,
            call.account,
            head,
            GmailFault.TOKEN_REFUSED_401,
            GmailFault.TOO_MANY_REQUESTS_429,
            GmailFault.RATE_LIMIT_EXCEEDED_403,
            GmailFault.USER_RATE_LIMIT_EXCEEDED_403,
            GmailFault.DAILY_LIMIT_EXCEEDED_403,
            GmailFault.BACKEND_ERROR_500,
            GmailFault.SERVICE_UNAVAILABLE_503);
    if (f == null) {
      return false;
    }
    call.fault = f.rule().fault;
    call.drain();
    switch (f.rule().fault) {
      case TOKEN_REFUSED_401:
        call.error(GoogleError.invalidCredentials());
        break;
      case TOO_MANY_REQUESTS_429:
        call.error(GoogleError.tooManyRequests(Math.max(0, f.rule().retryAfter.toSeconds())));
        break;
      case RATE_LIMIT_EXCEEDED_403:
        call.error(GoogleError.rateLimitExceeded());
        break;
      case USER_RATE_LIMIT_EXCEEDED_403:
        call.error(GoogleError.userRateLimitExceeded());
        break;
      case DAILY_LIMIT_EXCEEDED_403:
        call.error(GoogleError.dailyLimitExceeded());
        break;
      case BACKEND_ERROR_500:
        call.error(GoogleError.backendError());
        break;
      default:
        call.error(GoogleError.unavailable());
    }
    return true;
  }

  private void profile(Call call) throws IOException {
    Mailbox box = server.mailbox(call.account);
    List<StoredMessage> messages = box.messages();
    long total = messages.stream().filter(m -> !m.deleted()).count();
    call.json(
        200,
        Json.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("emailAddress", box.address);
              g.writeNumberField("messagesTotal", total);
              g.writeNumberField("threadsTotal", box.threads());
              g.writeStringField("historyId", Long.toString(box.historyId()));
              g.writeEndObject();
            }));
  }

  /** {@code users.history.list}: messageAdded records after {@code startHistoryId}, paged. */
  private void historyList(Call call) throws IOException {
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

  private void labelsList(Call call) throws IOException {
    List<GmailLabel> labels = server.mailbox(call.account).labels();
    call.json(
        200,
        Json.write(
            g -> {
              g.writeStartObject();
              g.writeArrayFieldStart("labels");
              for (GmailLabel l : labels) {
                writeLabel(g, l);
              }
              g.writeEndArray();
              g.writeEndObject();
            }));
  }

  private static void writeLabel(com.fasterxml.jackson.core.JsonGenerator g, GmailLabel l)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("id", l.id());
    g.writeStringField("name", l.name());
    if (!l.system()) {
      g.writeStringField("messageListVisibility", "show");
      g.writeStringField("labelListVisibility", "labelShow");
    }
    g.writeStringField("type", l.type());
    g.writeEndObject();
  }

  private void labelsCreate(Call call) throws IOException {
    Map<String, Object> body;
    try {
      body = Json.parseObject(call.readBody(64 * 1024));
    } catch (IOException e) {
      call.error(GoogleError.badRequest("Invalid JSON payload received. " + e.getMessage()));
      return;
    }
    Object name = body.get("name");
    if (!(name instanceof String) || ((String) name).isBlank()) {
      call.error(GoogleError.invalidArgument("Invalid label name"));
      return;
    }
    String n = (String) name;
    if (Mailbox.SYSTEM_LABELS.contains(n.toUpperCase(Locale.ROOT))
        || n.startsWith("/")
        || n.endsWith("/")
        || n.contains("//")) {
      call.error(GoogleError.invalidArgument("Invalid label name"));
      return;
    }
    GmailLabel label = server.mailbox(call.account).createLabel(n);
    if (label == null) {
      call.error(GoogleError.labelExists());
      return;
    }
    call.json(200, Json.write(g -> writeLabel(g, label)));
  }

  private void messagesList(Call call, OAuthServer.Access access) throws IOException {
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
      Matcher m = Pattern.compile("\\s*rfc822msgid:\\s*\"?([^\"\\s]+)\"?\\s*").matcher(q);
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
        java.time.Instant at = server.mailbox(call.account).addedAt(m.id());
        if (at != null && java.time.Instant.now().isBefore(at.plus(server.searchLag))) {
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
