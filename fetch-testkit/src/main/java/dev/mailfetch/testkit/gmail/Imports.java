package dev.mailfetch.testkit.gmail;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code users.messages.import}: multipart, media and resumable uploads, and the JSON {@code raw}
 * form, down to storing the message with its labels and date.
 */
final class Imports {
  /** The resumable protocol's chunk granularity: every chunk but the last is a multiple of it. */
  static final int CHUNK_GRANULARITY = 256 * 1024;
  /** The header that makes the fake's spam filter put a message in SPAM (our reading). */
  static final String SPAM_HEADER = "x-fake-gmail-verdict";

  private static final Pattern RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final Pattern QUERY = Pattern.compile("bytes \\*/(\\d+|\\*)");

  /** The import's query parameters. */
  record Options(String internalDateSource, boolean neverMarkSpam, boolean processForCalendar, boolean deleted) {}

  /** When the message being received gets cut or slowed: one per message (per resumable session). */
  static final class Plan {
    boolean decided;
    long cutAt = -1;
    InjectedFault cutFault;
  }

  static final class Session {
    final String id;
    final String account;
    final String userId;
    final Options options;
    final List<String> labelIds;
    final Long declaredLength;
    final ReceivedBody body;
    final Plan plan = new Plan();
    long received;
    StoredMessage completed;
    GoogleError failed;

    Session(String id, String account, String userId, Options options, List<String> labelIds, Long declaredLength, ReceivedBody body) {
      this.id = id;
      this.account = account;
      this.userId = userId;
      this.options = options;
      this.labelIds = labelIds;
      this.declaredLength = declaredLength;
      this.body = body;
    }
  }

  private final FakeGmailServer server;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(0x19a4c0de00000000L);

  Imports(FakeGmailServer server) {
    this.server = server;
  }

  // ---- entry points -----------------------------------------------------------------------

  void upload(Call call, String userId) throws IOException {
    String uploadId = call.param("upload_id");
    if (uploadId != null) {
      chunk(call, uploadId);
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
      if (server.api.authorize(call, userId, GmailApi.IMPORT_SCOPES, 25) != null) {
        openSession(call, userId);
      }
      return;
    }
    call.endpoint = GmailEndpoint.IMPORT;
    if (!"multipart".equals(type) && !"media".equals(type)) {
      call.drain();
      call.error(GoogleError.badRequest("Invalid upload type: " + type + " (expected multipart, media or resumable)"));
      return;
    }
    if (server.api.authorize(call, userId, GmailApi.IMPORT_SCOPES, 25) == null) {
      return;
    }
    Options options = options(call);
    if (options == null) {
      return;
    }
    ReceivedBody body = server.newBody();
    try {
      Plan plan = new Plan();
      List<String> labelIds = receive(call, type, body, plan);
      if (labelIds == null) {
        return;
      }
      byte[] head = body.head(FaultRule.MESSAGE_MATCH_WINDOW);
      if (server.api.requestFault(call, head)) {
        return;
      }
      complete(call, userId, call.account, options, labelIds, body.finish(), head, type, null);
      body = null;
    } catch (TooLarge e) {
      call.drain();
      call.error(GoogleError.tooLarge(server.maxMessageSize()));
    } finally {
      if (body != null) {
        body.discard();
      }
    }
  }

  /** Reads a multipart or media upload into {@code body}; its labelIds, or null after answering. */
  private List<String> receive(Call call, String type, ReceivedBody body, Plan plan) throws IOException {
    List<String> labelIds = List.of();
    long expected = contentLength(call);
    if ("media".equals(type)) {
      if (!mediaTypeOk(call, call.header("Content-Type"))) {
        return null;
      }
      Meter meter = new Meter(call, body, plan, 0, expected);
      copy(call.body(), meter);
      meter.end();
    } else {
      String boundary = MultipartReader.boundary(call.header("Content-Type"));
      if (boundary == null || !call.header("Content-Type").toLowerCase(Locale.ROOT).startsWith("multipart/related")) {
        call.drain();
        call.error(GoogleError.badRequest("Invalid multipart request: a multipart/related body with a boundary is required"));
        return null;
      }
      MultipartReader parts = new MultipartReader(call.body(), boundary);
      Map<String, String> first = parts.start() ? parts.headers() : null;
      if (first == null) {
        call.drain();
        call.error(GoogleError.badRequest("Invalid multipart request with 0 mime parts."));
        return null;
      }
      java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
      parts.content((b, off, len) -> {
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
      Meter meter = new Meter(call, body, plan, 0, expected);
      parts.content(meter::write);
      meter.end();
      if (parts.headers() != null) {
        call.drain();
        call.error(GoogleError.badRequest("Invalid multipart request with more than 2 mime parts."));
        return null;
      }
    }
    return labelIds;
  }

  void rawImport(Call call, String userId) throws IOException {
    call.endpoint = GmailEndpoint.IMPORT;
    if (server.api.authorize(call, userId, GmailApi.IMPORT_SCOPES, 25) == null) {
      return;
    }
    Options options = options(call);
    if (options == null) {
      return;
    }
    byte[] json;
    try {
      json = call.readBody(64 << 20);
    } catch (IOException e) {
      call.drain();
      call.error(GoogleError.tooLarge(48L << 20));
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
      call.error(GoogleError.invalidArgument("'raw' RFC822 payload message string or uploading message via /upload/* URL required"));
      return;
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(((String) raw).replace('+', '-').replace('/', '_').replace("=", ""));
    } catch (IllegalArgumentException e) {
      call.error(GoogleError.invalidArgument("Invalid value for ByteString: " + abbreviate((String) raw)));
      return;
    }
    ReceivedBody body = server.newBody();
    body.write(bytes, 0, bytes.length);
    byte[] head = body.head(FaultRule.MESSAGE_MATCH_WINDOW);
    if (server.api.requestFault(call, head)) {
      body.discard();
      return;
    }
    complete(call, userId, call.account, options, labelIds == null ? List.of() : labelIds, body.finish(), head, "raw", null);
  }

  // ---- resumable ----------------------------------------------------------------------------

  private void openSession(Call call, String userId) throws IOException {
    Options options = options(call);
    if (options == null) {
      return;
    }
    List<String> labelIds;
    try {
      labelIds = labelIds(call, call.readBody(1 << 20));
    } catch (IOException e) {
      call.drain();
      call.error(GoogleError.badRequest("metadata larger than 1 MiB"));
      return;
    }
    if (labelIds == null) {
      return;
    }
    String type = call.header("X-Upload-Content-Type");
    if (type != null && !mediaTypeOk(call, type)) {
      return;
    }
    Long declared = null;
    String length = call.header("X-Upload-Content-Length");
    if (length != null) {
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        call.error(GoogleError.badRequest("Invalid X-Upload-Content-Length: " + length));
        return;
      }
      if (declared > server.maxMessageSize()) {
        call.error(GoogleError.tooLarge(server.maxMessageSize()));
        return;
      }
    }
    String id = "fake-" + OAuthServer.random(24);
    sessions.put(id, new Session(id, call.account, userId, options, labelIds, declared, server.newBody()));
    String query = call.exchange.getRequestURI().getRawQuery();
    String location = server.baseUri() + "upload/gmail/v1/users/" + userId + "/messages/import?" + query + "&upload_id=" + id;
    call.send(200, null, new byte[0], Map.of("Location", location, "X-GUploader-UploadID", id));
  }

  private void chunk(Call call, String uploadId) throws IOException {
    call.endpoint = GmailEndpoint.UPLOAD_CHUNK;
    Session session = sessions.get(uploadId);
    if (session == null) {
      call.drain();
      call.error(GoogleError.notFound());
      return;
    }
    call.account = session.account;
    synchronized (session) {
      if (session.failed != null) {
        call.drain();
        call.error(session.failed);
        return;
      }
      String range = call.header("Content-Range");
      Matcher status = range == null ? null : QUERY.matcher(range.trim());
      if (status != null && status.matches()) {
        call.drain();
        if (session.completed != null) {
          call.json(200, resource(session.completed));
        } else {
          resumeIncomplete(call, session);
        }
        return;
      }
      if (session.completed != null) {
        call.drain();
        call.json(200, resource(session.completed));
        return;
      }
      long length = contentLength(call);
      long start;
      long end;
      Long total;
      if (range == null) {
        if (length < 0) {
          call.drain();
          call.error(GoogleError.badRequest("A chunk needs a Content-Length or a Content-Range"));
          return;
        }
        start = session.received;
        end = start + length - 1;
        total = end + 1;
      } else {
        Matcher m = RANGE.matcher(range.trim());
        if (!m.matches()) {
          call.drain();
          call.error(GoogleError.badRequest("Invalid Content-Range: " + range));
          return;
        }
        start = Long.parseLong(m.group(1));
        end = Long.parseLong(m.group(2));
        total = m.group(3).equals("*") ? null : Long.valueOf(m.group(3));
        if (end < start || (total != null && end >= total) || (length >= 0 && length != end - start + 1)) {
          call.drain();
          call.error(GoogleError.badRequest("Content-Range " + range + " does not match the " + length + " bytes sent"));
          return;
        }
      }
      if (total == null) {
        total = session.declaredLength;
      }
      if (total != null && total > server.maxMessageSize()) {
        call.drain();
        call.error(GoogleError.tooLarge(server.maxMessageSize()));
        return;
      }
      if (start > session.received) {
        call.drain();
        call.error(GoogleError.badRequest("The chunk starts at byte " + start + " but only " + session.received
            + " bytes were received: query the upload's status and resume from its Range"));
        return;
      }
      boolean last = total != null && end + 1 == total;
      long chunkLength = end - start + 1;
      if (!last && chunkLength % CHUNK_GRANULARITY != 0) {
        call.drain();
        call.error(GoogleError.badRequest("Invalid request. The number of bytes uploaded in a chunk must be a multiple of "
            + CHUNK_GRANULARITY + " bytes, except for the final chunk. The received request contained " + chunkLength
            + " bytes."));
        return;
      }
      if (!last && server.api.requestFault(call, null)) {
        return;
      }
      InputStream in = call.body();
      long skip = session.received - start; // bytes already held: resent after a lost answer
      in.skipNBytes(skip);
      Meter meter = new Meter(call, session.body, session.plan, session.received, total == null ? -1 : total);
      long before = session.received;
      try {
        copy(in, meter);
        meter.end(last);
      } catch (Call.Cut cut) {
        session.body.truncate(before);
        throw cut;
      } catch (TooLarge e) {
        session.body.truncate(before);
        call.drain();
        call.error(GoogleError.tooLarge(server.maxMessageSize()));
        return;
      }
      if (session.body.size() != end + 1) {
        session.body.truncate(before);
        call.error(GoogleError.badRequest("The chunk ended after " + (session.body.size() - before) + " bytes, not "
            + (end + 1 - before)));
        return;
      }
      if (!last) {
        session.received = end + 1;
        resumeIncomplete(call, session);
        return;
      }
      call.endpoint = GmailEndpoint.IMPORT;
      byte[] head = session.body.head(FaultRule.MESSAGE_MATCH_WINDOW);
      if (server.api.requestFault(call, head)) {
        session.body.truncate(before);
        return;
      }
      session.received = end + 1;
      StoredMessage stored = complete(call, session.userId, session.account, session.options, session.labelIds,
          session.body.finish(), head, "resumable", session);
      if (stored == null) {
        session.body.discard();
      }
    }
  }

  private static void resumeIncomplete(Call call, Session session) throws IOException {
    Map<String, String> headers = session.received == 0 ? Map.of() : Map.of("Range", "bytes=0-" + (session.received - 1));
    call.send(308, null, new byte[0], headers);
  }

  // ---- storing ------------------------------------------------------------------------------

  /** Stores the message and answers, or answers why not (and returns null). */
  private StoredMessage complete(Call call, String userId, String account, Options options, List<String> labelIds,
      ReceivedBody body, byte[] head, String uploadType, Session session) throws IOException {
    Mailbox box = server.mailbox(account);
    for (String label : labelIds) {
      if (!box.hasLabel(label)) {
        reject(call, session, GoogleError.invalidArgument("Invalid label: " + label), body);
        return null;
      }
    }
    InjectedFault rejected = server.faults.claim(GmailEndpoint.IMPORT, account, head, GmailFault.MESSAGE_REJECTED_400);
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
    StoredMessage message = new StoredMessage(id, thread == null ? id : thread, account, labels, date,
        headers.get("message-id"), body, uploadType, call.param("internalDateSource"), options.neverMarkSpam(),
        options.processForCalendar(), options.deleted());
    box.add(message);
    if (session != null) {
      session.completed = message;
    }
    InjectedFault lost = server.faults.claim(GmailEndpoint.IMPORT, account, head, GmailFault.RESPONSE_LOST);
    if (lost != null) {
      call.fault = GmailFault.RESPONSE_LOST;
      throw call.cut();
    }
    Meter.lateAnswer(call);
    call.json(200, resource(message));
    return message;
  }

  private void reject(Call call, Session session, GoogleError error, ReceivedBody body) throws IOException {
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
    return Json.write(g -> {
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

  private static Options options(Call call) throws IOException {
    String source = call.param("internalDateSource");
    if (source != null && !source.equals("dateHeader") && !source.equals("receivedTime")) {
      call.drain();
      call.error(GoogleError.invalidArgument("Invalid value at 'internal_date_source' (TYPE_ENUM), \"" + source + "\""));
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
        call.error(GoogleError.invalidArgument("Invalid value at '" + names[i] + "' (TYPE_BOOL), \"" + v + "\""));
        return null;
      }
    }
    return new Options(source == null ? "dateHeader" : source, flags[0], flags[1], flags[2]);
  }

  /** The metadata's labelIds (empty where absent), or null after answering 400. */
  private static List<String> labelIds(Call call, byte[] json) throws IOException {
    try {
      List<String> ids = Json.strings(Json.parseObject(json), "labelIds");
      return ids == null ? List.of() : List.copyOf(ids);
    } catch (IOException e) {
      call.drain();
      call.error(GoogleError.badRequest("Invalid JSON payload received. " + e.getMessage()));
      return null;
    }
  }

  private static boolean mediaTypeOk(Call call, String type) throws IOException {
    String t = type == null ? "" : type.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("message/") || t.equals("application/octet-stream")) {
      return true;
    }
    call.drain();
    call.error(GoogleError.badRequest("Media type '" + type + "' is not supported. Valid media types: [message/*]"));
    return false;
  }

  private static long contentLength(Call call) {
    String v = call.header("Content-Length");
    try {
      return v == null ? -1 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void copy(InputStream in, Meter meter) throws IOException {
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf)) >= 0; ) {
      meter.write(buf, 0, n);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 20 ? s : s.substring(0, 20) + "...";
  }

  /**
   * Carries message bytes from a request into a body, and applies the cut and slow faults at the
   * right byte. Offsets are the message's (a resumable chunk starts where the last one ended).
   */
  final class Meter {
    private final Call call;
    private final ReceivedBody body;
    private final Plan plan;
    private final long expected;
    private long offset;

    Meter(Call call, ReceivedBody body, Plan plan, long offset, long expected) throws IOException {
      this.call = call;
      this.body = body;
      this.plan = plan;
      this.offset = offset;
      this.expected = expected;
      if (!plan.decided) {
        decide(null);
      }
    }

    void write(byte[] b, int off, int len) throws IOException {
      if (plan.cutAt >= 0 && offset + len > plan.cutAt) {
        int before = (int) (plan.cutAt - offset);
        body.write(b, off, before);
        offset += before;
        plan.cutAt = -1;
        call.fault = GmailFault.CONNECTION_CUT_MID_UPLOAD;
        throw call.cut();
      }
      body.write(b, off, len);
      offset += len;
      if (body.size() > server.maxMessageSize()) {
        throw new TooLarge();
      }
      if (!plan.decided && offset >= FaultRule.MESSAGE_MATCH_WINDOW) {
        decide(body.head(FaultRule.MESSAGE_MATCH_WINDOW));
      }
    }

    void end() throws IOException {
      end(true);
    }

    void end(boolean messageComplete) throws IOException {
      if (!plan.decided && messageComplete) {
        decide(body.head(FaultRule.MESSAGE_MATCH_WINDOW));
        if (plan.cutAt >= 0 && plan.cutAt <= offset) {
          plan.cutAt = -1;
          call.fault = GmailFault.CONNECTION_CUT_MID_UPLOAD;
          throw call.cut();
        }
      }
    }

    /** Claims a cut or slow fault for this message: without a head, only those with no message condition. */
    private void decide(byte[] head) throws IOException {
      GmailEndpoint at = GmailEndpoint.IMPORT;
      // Rules without a message condition are decided when the message starts, the others once its head is in.
      boolean withCondition = head != null;
      InjectedFault slow = server.faults.claim(at, call.account, head, withCondition, GmailFault.SLOW_UPLOAD);
      if (slow != null) {
        call.fault = GmailFault.SLOW_UPLOAD;
        Duration half = slow.rule().delay.dividedBy(2);
        call.exchange.setAttribute("fake.lateAnswer", slow.rule().delay.minus(half));
        sleep(half);
      }
      InjectedFault cut = server.faults.claim(at, call.account, head, withCondition, GmailFault.CONNECTION_CUT_MID_UPLOAD);
      if (cut != null) {
        long after = cut.rule().afterBytes >= 0 ? cut.rule().afterBytes : Math.max(0, expected) / 2;
        plan.cutAt = Math.max(after, offset);
        plan.cutFault = cut;
        plan.decided = true;
      }
      if (head != null) {
        plan.decided = true;
      }
    }

    static void lateAnswer(Call call) {
      Object late = call.exchange.getAttribute("fake.lateAnswer");
      if (late instanceof Duration) {
        sleep((Duration) late);
      }
    }

    private static void sleep(Duration d) {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A message past the size limit: the request is answered 413. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("message larger than the limit");
    }
  }
}
