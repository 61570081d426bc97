package dev.mailfetch.testkit.gmail;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes every request of the fake and answers the Gmail API's smallest methods ({@code
 * users.getProfile}, {@code labels.list/create}); {@code messages.get/modify/list} go to {@link
 * MessagesResource}, {@code history.list} to {@link HistoryResource}, imports to {@link Imports},
 * OAuth to {@link OAuthServer}, and each API method is first checked by {@link ApiAccess}. Each
 * request is recorded when it is done.
 */
final class GmailApi implements HttpHandler {
  private static final Pattern API =
      Pattern.compile("/gmail/v1/users/([^/]+)/(profile|labels|messages|messages/import|history)");
  private static final Pattern ONE_MESSAGE =
      Pattern.compile("/gmail/v1/users/([^/]+)/messages/([0-9a-fA-F]+)(/modify)?");
  private static final Pattern UPLOAD =
      Pattern.compile("/upload/gmail/v1/users/([^/]+)/messages/import");

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
      server.messages.oneMessage(call, one.group(1), one.group(2), one.group(3) != null);
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
        if (server.access.authorize(call, userId, ApiAccess.PROFILE_SCOPES, 1) != null) {
          profile(call);
        }
        return;
      case "labels GET":
        call.endpoint = GmailEndpoint.LABELS_LIST;
        if (server.access.authorize(call, userId, ApiAccess.LABELS_LIST_SCOPES, 1) != null) {
          labelsList(call);
        }
        return;
      case "labels POST":
        call.endpoint = GmailEndpoint.LABELS_CREATE;
        if (server.access.authorize(call, userId, ApiAccess.LABELS_CREATE_SCOPES, 5) != null) {
          labelsCreate(call);
        }
        return;
      case "messages GET":
        call.endpoint = GmailEndpoint.MESSAGES_LIST;
        OAuthServer.Access access = server.access.authorize(call, userId, ApiAccess.LIST_SCOPES, 5);
        if (access != null) {
          server.messages.messagesList(call, access);
        }
        return;
      case "history GET":
        call.endpoint = GmailEndpoint.HISTORY_LIST;
        if (server.access.authorize(call, userId, ApiAccess.LIST_SCOPES, 2) != null) {
          server.history.historyList(call);
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

  private static void writeLabel(JsonGenerator g, GmailLabel l) throws IOException {
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
}
