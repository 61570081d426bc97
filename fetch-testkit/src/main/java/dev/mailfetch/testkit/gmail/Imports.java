package dev.mailfetch.testkit.gmail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code users.messages.import}: multipart, media and resumable uploads, and the JSON {@code raw}
 * form, down to storing the message with its labels and date.
 */
final class Imports {
  /** The header that makes the fake's spam filter put a message in SPAM (our reading). */
  static final String SPAM_HEADER = "x-fake-gmail-verdict";

  /** The import's query parameters. */
  record Options(
      String internalDateSource,
      boolean neverMarkSpam,
      boolean processForCalendar,
      boolean deleted) {}

  /**
   * The largest JSON body of a {@code raw} import (our reading: uploads are for large messages).
   */
  static final int RAW_JSON_LIMIT = 64 << 20;

  final FakeGmailServer server;
  private final ResumableUploads resumable;
  private final AtomicLong nextId = new AtomicLong(0x19a4c0de00000000L);

  Imports(FakeGmailServer server) {
    this.server = server;
    this.resumable = new ResumableUploads(this);
  }

  // ---- entry points -----------------------------------------------------------------------

  void upload(Call call, String userId) throws IOException {
    String uploadId = call.param("upload_id");
    if (uploadId != null) {
      resumable.chunk(call, uploadId);
      return;
    }
    if (!call.method.equals("POST")) {
      call.drain();
      call.error(GoogleError.methodNotAllowed());
      return;
    }
    String type = call.param("uploadType");
    if ("resumable".equals(type)) {
      call.endpoint = GmailEndpoint.UPLOAD_SESSION;
      if (server.access.authorize(call, userId, ApiAccess.IMPORT_SCOPES, 25) != null) {
        resumable.openSession(call, userId);
      }
      return;
    }
    call.endpoint = GmailEndpoint.IMPORT;
    if (!"multipart".equals(type) && !"media".equals(type)) {
      call.drain();
      call.error(
          GoogleError.badRequest(
              "Invalid upload type: " + type + " (expected multipart, media or resumable)"));
      return;
    }
    if (server.access.authorize(call, userId, ApiAccess.IMPORT_SCOPES, 25) == null) {
      return;
    }
    Options options = options(call);
    if (options == null) {
      return;
    }
    ReceivedBody body = server.newBody();
    try {
      Meter.Plan plan = new Meter.Plan();
      List<String> labelIds = receive(call, type, body, plan);
      if (labelIds == null) {
        return;
      }
      byte[] head = body.head(FaultRule.MESSAGE_MATCH_WINDOW);
      if (server.access.requestFault(call, head)) {
        return;
      }
      complete(call, userId, call.account, options, labelIds, body.finish(), head, type, null);
      body = null;
    } catch (Meter.TooLarge e) {
      call.drain();
      call.error(GoogleError.tooLarge(server.maxMessageSize()));
    } finally {
      if (body != null) {
        body.discard();
      }
    }
  }

  /** Reads a multipart or media upload into {@code body}; its labelIds, or null after answering. */
  private List<String> receive(Call call, String type, ReceivedBody body, Meter.Plan plan)
      throws IOException {
    List<String> labelIds = List.of();
    long expected = contentLength(call);
    if ("media".equals(type)) {
      if (!mediaTypeOk(call, call.header("Content-Type"))) {
        return null;
      }
      Meter meter = new Meter(server, call, body, plan, 0, expected);
      Meter.copy(call.body(), meter);
      meter.end();
    } else {
      String boundary = MultipartReader.boundary(call.header("Content-Type"));
      if (boundary == null
          || !call.header("Content-Type")
              .toLowerCase(Locale.ROOT)
              .startsWith("multipart/related")) {
        call.drain();
        call.error(
            GoogleError.badRequest(
                "Invalid multipart request: a multipart/related body with a boundary is required"));
        return null;
      }
      MultipartReader parts = new MultipartReader(call.body(), boundary);
      Map<String, String> first = parts.start() ? parts.headers() : null;
      if (first == null) {
        call.drain();
        call.error(GoogleError.badRequest("Invalid multipart request with 0 mime parts."));
        return null;
      }
      ByteArrayOutputStream json = new ByteArrayOutputStream();
      parts.content(
          (b, off, len) -> {
            if (json.size() + len > 1 << 20) {
              throw new IOException("metadata part larger than 1 MiB");
            }
            json.write(b, off, len);
          });
      labelIds = labelIds(call, json.toByteArray());
      if (labelIds == null) {
        return null;
      }
      Map<String, String> second = parts.headers();
      if (second == null) {
        call.error(GoogleError.badRequest("Invalid multipart request with 1 mime parts."));
        return null;
      }
      if (!mediaTypeOk(call, second.get("content-type"))) {
        return null;
      }
      Meter meter = new Meter(server, call, body, plan, 0, expected);
      parts.content(meter::write);
      meter.end();
      if (parts.headers() != null) {
        call.drain();
        call.error(
            GoogleError.badRequest("Invalid multipart request with more than 2 mime parts."));
        return null;
      }
    }
    return labelIds;
  }

  void rawImport(Call call, String userId) throws IOException {
    call.endpoint = GmailEndpoint.IMPORT;
    if (server.access.authorize(call, userId, ApiAccess.IMPORT_SCOPES, 25) == null) {
      return;
    }
    Options options = options(call);
    if (options == null) {
      return;
    }
    byte[] json;
    try {
      json = call.readBody(RAW_JSON_LIMIT);
    } catch (IOException e) {
      call.drain();
      call.error(GoogleError.tooLarge(RAW_JSON_LIMIT));
      return;
    }
    Map<String, Object> metadata;
    List<String> labelIds;
    try {
      metadata = Json.parseObject(json);
      labelIds = Json.strings(metadata, "labelIds");
    } catch (IOException e) {
      call.error(GoogleError.badRequest("Invalid JSON payload received. " + e.getMessage()));
      return;
    }
    Object raw = metadata.get("raw");
    if (!(raw instanceof String)) {
      call.error(
          GoogleError.invalidArgument(
              "'raw' RFC822 payload message string or uploading message via /upload/* URL required"));
      return;
    }
    byte[] bytes;
    try {
      bytes =
          Base64.getUrlDecoder()
              .decode(((String) raw).replace('+', '-').replace('/', '_').replace("=", ""));
    } catch (IllegalArgumentException e) {
      call.error(
          GoogleError.invalidArgument("Invalid value for ByteString: " + abbreviate((String) raw)));
      return;
    }
    ReceivedBody body = server.newBody();
    body.write(bytes, 0, bytes.length);
    byte[] head = body.head(FaultRule.MESSAGE_MATCH_WINDOW);
    if (server.access.requestFault(call, head)) {
      body.discard();
      return;
    }
    complete(
        call,
        userId,
        call.account,
        options,
        labelIds == null ? List.of() : labelIds,
        body.finish(),
        head,
        "raw",
        null);
  }

  // ---- storing ------------------------------------------------------------------------------

  /** Stores the message and answers, or answers why not (and returns null). */
  StoredMessage complete(
      Call call,
      String userId,
      String account,
      Options options,
      List<String> labelIds,
      ReceivedBody body,
      byte[] head,
      String uploadType,
      ResumableUploads.Session session)
      throws IOException {
    Mailbox box = server.mailbox(account);
    for (String label : labelIds) {
      if (!box.hasLabel(label)) {
        reject(call, session, GoogleError.invalidArgument("Invalid label: " + label), body);
        return null;
      }
    }
    InjectedFault rejected =
        server.faults.claim(GmailEndpoint.IMPORT, account, head, GmailFault.MESSAGE_REJECTED_400);
    if (rejected != null) {
      call.fault = GmailFault.MESSAGE_REJECTED_400;
      reject(call, session, GoogleError.invalidArgument(rejected.rule().reason), body);
      return null;
    }
    Map<String, String> headers = Headers.parse(head);
    List<String> labels = new ArrayList<>(labelIds);
    if (!options.neverMarkSpam() && "spam".equalsIgnoreCase(headers.get(SPAM_HEADER))) {
      labels.remove("INBOX");
      if (!labels.contains("SPAM")) {
        labels.add("SPAM");
      }
    }
    if (options.deleted()) {
      labels.clear();
    }
    Instant date = null;
    if (!"receivedTime".equals(options.internalDateSource())) {
      date = Headers.date(headers.get("date"));
    }
    if (date == null) {
      date = Instant.ofEpochMilli(System.currentTimeMillis());
    }
    String id = String.format("%016x", nextId.incrementAndGet());
    String thread = null;
    for (String ref : references(headers)) {
      thread = box.threadOf(ref);
      if (thread != null) {
        break;
      }
    }
    StoredMessage message =
        new StoredMessage(
            id,
            thread == null ? id : thread,
            account,
            labels,
            date,
            headers.get("message-id"),
            body,
            uploadType,
            call.param("internalDateSource"),
            options.neverMarkSpam(),
            options.processForCalendar(),
            options.deleted());
    box.add(message);
    if (session != null) {
      session.completed = message;
    }
    InjectedFault lost =
        server.faults.claim(GmailEndpoint.IMPORT, account, head, GmailFault.RESPONSE_LOST);
    if (lost != null) {
      call.fault = GmailFault.RESPONSE_LOST;
      throw call.cut();
    }
    Meter.lateAnswer(call);
    call.json(200, resource(message));
    return message;
  }

  private void reject(
      Call call, ResumableUploads.Session session, GoogleError error, ReceivedBody body)
      throws IOException {
    body.discard();
    if (session != null) {
      session.failed = error;
    }
    call.error(error);
  }

  private static List<String> references(Map<String, String> headers) {
    List<String> out = new ArrayList<>();
    for (String name : List.of("in-reply-to", "references")) {
      String v = headers.get(name);
      if (v != null) {
        Matcher m = Pattern.compile("<[^>]+>").matcher(v);
        while (m.find()) {
          out.add(m.group());
        }
      }
    }
    return out;
  }

  static byte[] resource(StoredMessage m) {
    return Json.write(
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
          g.writeEndObject();
        });
  }

  // ---- helpers ------------------------------------------------------------------------------

  static Options options(Call call) throws IOException {
    String source = call.param("internalDateSource");
    if (source != null && !source.equals("dateHeader") && !source.equals("receivedTime")) {
      call.drain();
      call.error(
          GoogleError.invalidArgument(
              "Invalid value at 'internal_date_source' (TYPE_ENUM), \"" + source + "\""));
      return null;
    }
    Boolean[] flags = new Boolean[4];
    String[] names = {"neverMarkSpam", "processForCalendar", "deleted"};
    for (int i = 0; i < names.length; i++) {
      String v = call.param(names[i]);
      if (v == null || v.equals("false")) {
        flags[i] = false;
      } else if (v.equals("true")) {
        flags[i] = true;
      } else {
        call.drain();
        call.error(
            GoogleError.invalidArgument(
                "Invalid value at '" + names[i] + "' (TYPE_BOOL), \"" + v + "\""));
        return null;
      }
    }
    return new Options(source == null ? "dateHeader" : source, flags[0], flags[1], flags[2]);
  }

  /** The metadata's labelIds (empty where absent), or null after answering 400. */
  static List<String> labelIds(Call call, byte[] json) throws IOException {
    try {
      List<String> ids = Json.strings(Json.parseObject(json), "labelIds");
      return ids == null ? List.of() : List.copyOf(ids);
    } catch (IOException e) {
      call.drain();
      call.error(GoogleError.badRequest("Invalid JSON payload received. " + e.getMessage()));
      return null;
    }
  }

  static boolean mediaTypeOk(Call call, String type) throws IOException {
    String t = type == null ? "" : type.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("message/") || t.equals("application/octet-stream")) {
      return true;
    }
    call.drain();
    call.error(
        GoogleError.badRequest(
            "Media type '" + type + "' is not supported. Valid media types: [message/*]"));
    return false;
  }

  static long contentLength(Call call) {
    String v = call.header("Content-Length");
    try {
      return v == null ? -1 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 20 ? s : s.substring(0, 20) + "...";
  }
}
