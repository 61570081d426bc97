package dev.mailfetch.testkit.gmail;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google's resumable upload protocol for {@code messages.import}: a session opened by a POST
 * answered with its URI in {@code Location}, chunks PUT with {@code Content-Range} (each but the
 * last a multiple of 256 KiB) answered {@code 308} with the {@code Range} held until the last one,
 * and status queries ({@code Content-Range: bytes *}{@code /N}).
 */
final class ResumableUploads {
  private static final int CHUNK_GRANULARITY = FakeGmailServer.UPLOAD_CHUNK_GRANULARITY;

  private static final Pattern RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final Pattern QUERY = Pattern.compile("bytes \\*/(\\d+|\\*)");

  static final class Session {
    final String id;
    final String account;
    final String userId;
    final Imports.Options options;
    final List<String> labelIds;
    final Long declaredLength;
    final ReceivedBody body;
    final Meter.Plan plan = new Meter.Plan();
    long received;
    StoredMessage completed;
    GoogleError failed;

    Session(
        String id,
        String account,
        String userId,
        Imports.Options options,
        List<String> labelIds,
        Long declaredLength,
        ReceivedBody body) {
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
  private final Imports imports;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  ResumableUploads(Imports imports) {
    this.server = imports.server;
    this.imports = imports;
  }

  void openSession(Call call, String userId) throws IOException {
    Imports.Options options = Imports.options(call);
    if (options == null) {
      return;
    }
    List<String> labelIds;
    try {
      labelIds = Imports.labelIds(call, call.readBody(1 << 20));
    } catch (IOException e) {
      call.drain();
      call.error(GoogleError.badRequest("metadata larger than 1 MiB"));
      return;
    }
    if (labelIds == null) {
      return;
    }
    String type = call.header("X-Upload-Content-Type");
    if (type != null && !Imports.mediaTypeOk(call, type)) {
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
    sessions.put(
        id, new Session(id, call.account, userId, options, labelIds, declared, server.newBody()));
    String query = call.exchange.getRequestURI().getRawQuery();
    String location =
        server.baseUri()
            + "upload/gmail/v1/users/"
            + userId
            + "/messages/import?"
            + query
            + "&upload_id="
            + id;
    call.send(200, null, new byte[0], Map.of("Location", location, "X-GUploader-UploadID", id));
  }

  void chunk(Call call, String uploadId) throws IOException {
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
          call.json(200, Imports.resource(session.completed));
        } else {
          resumeIncomplete(call, session);
        }
        return;
      }
      if (session.completed != null) {
        call.drain();
        call.json(200, Imports.resource(session.completed));
        return;
      }
      long length = Imports.contentLength(call);
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
        if (end < start
            || (total != null && end >= total)
            || (length >= 0 && length != end - start + 1)) {
          call.drain();
          call.error(
              GoogleError.badRequest(
                  "Content-Range " + range + " does not match the " + length + " bytes sent"));
          return;
        }
      }
      if (total != null
          && session.declaredLength != null
          && !total.equals(session.declaredLength)) {
        call.drain();
        call.error(
            GoogleError.badRequest(
                "Content-Range names "
                    + total
                    + " bytes in all, but X-Upload-Content-Length said "
                    + session.declaredLength));
        return;
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
        call.error(
            GoogleError.badRequest(
                "The chunk starts at byte "
                    + start
                    + " but only "
                    + session.received
                    + " bytes were received: query the upload's status and resume from its Range"));
        return;
      }
      boolean last = total != null && end + 1 == total;
      long chunkLength = end - start + 1;
      if (!last && chunkLength % CHUNK_GRANULARITY != 0) {
        call.drain();
        call.error(
            GoogleError.badRequest(
                "Invalid request. The number of bytes uploaded in a chunk must be a multiple of "
                    + CHUNK_GRANULARITY
                    + " bytes, except for the final chunk. The received request contained "
                    + chunkLength
                    + " bytes."));
        return;
      }
      if (!last && server.access.requestFault(call, null)) {
        return;
      }
      InputStream in = call.body();
      long skip = session.received - start; // bytes already held: resent after a lost answer
      in.skipNBytes(skip);
      Meter meter =
          new Meter(
              server,
              call,
              session.body,
              session.plan,
              session.received,
              total == null ? -1 : total);
      long before = session.received;
      try {
        Meter.copy(in, meter);
        meter.end(last);
      } catch (Meter.TooLarge e) {
        session.body.truncate(before);
        call.drain();
        call.error(GoogleError.tooLarge(server.maxMessageSize()));
        return;
      } catch (IOException e) {
        // cut on purpose, or the client went away mid-chunk: the chunk is dropped whole
        session.body.truncate(before);
        throw e;
      }
      if (session.body.size() != end + 1) {
        session.body.truncate(before);
        call.error(
            GoogleError.badRequest(
                "The chunk ended after "
                    + (session.body.size() - before)
                    + " bytes, not "
                    + (end + 1 - before)));
        return;
      }
      if (!last && server.stuckUploadRange) {
        session.body.truncate(before);
        resumeIncomplete(call, session);
        return;
      }
      if (!last) {
        session.received = end + 1;
        resumeIncomplete(call, session);
        return;
      }
      call.endpoint = GmailEndpoint.IMPORT;
      byte[] head = session.body.head(FaultRule.MESSAGE_MATCH_WINDOW);
      if (server.access.requestFault(call, head)) {
        session.body.truncate(before);
        return;
      }
      session.received = end + 1;
      StoredMessage stored =
          imports.complete(
              call,
              session.userId,
              session.account,
              session.options,
              session.labelIds,
              session.body.finish(),
              head,
              "resumable",
              session);
      if (stored == null) {
        session.body.discard();
      }
    }
  }

  private void resumeIncomplete(Call call, Session session) throws IOException {
    Meter.lateAnswer(call);
    String prefix = server.bareUploadRange ? "" : "bytes=";
    Map<String, String> headers =
        session.received == 0 ? Map.of() : Map.of("Range", prefix + "0-" + (session.received - 1));
    call.send(308, null, new byte[0], headers);
  }
}
