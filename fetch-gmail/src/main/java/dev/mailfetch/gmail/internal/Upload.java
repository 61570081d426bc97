package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.spool.MessageSpool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports one spooled message: in one {@code multipart/related} request when small, in a resumable
 * upload of chunks when large, streamed from the spool either way. Before retrying a request Gmail
 * may have taken (an answer lost, a {@code 5xx}), asks Gmail whether it holds the message ({@link
 * InDoubt}), so a message Gmail has is not imported twice; a resumable upload asks its session
 * first.
 */
final class Upload {
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A 308's {@code Range}: {@code bytes=0-N} or the bare {@code 0-N} (Google's pages show both).
   */
  private static final Pattern RANGE =
      Pattern.compile("(?i)(?:bytes\\s*=\\s*)?(\\d+)\\s*-\\s*(\\d+)");

  /** How many answers in a row may leave a resumable upload where it was before it gives up. */
  static final int MAX_ANSWERS_WITHOUT_PROGRESS = 3;

  private final GmailApi api;
  private final Config config;
  private final InDoubt inDoubt;

  Upload(GmailApi api, InDoubt inDoubt) {
    this.api = api;
    this.config = api.config();
    this.inDoubt = inDoubt;
  }

  /**
   * The import's own query parameters: the three settings, as Gmail's fetcher behaved by default.
   */
  private String importPath(String uploadType) {
    return "upload/gmail/v1/users/me/messages/import?uploadType="
        + uploadType
        + "&internalDateSource="
        + config.internalDateSource()
        + "&neverMarkSpam="
        + config.neverMarkSpam()
        + "&processForCalendar="
        + config.processForCalendar();
  }

  /**
   * Imports the message and returns Gmail's id for it.
   *
   * @param what the message, in words ("message 12 of alice@example.org")
   * @param key the delivery: a Gmail message another delivery holds is never taken for it
   * @param intent the intent journalled for it: how Gmail is asked whether an earlier try reached
   *     it
   * @throws FetchException of {@code SINK_REJECTED} with Gmail's reason when Gmail refused it; of
   *     the destination's code when Gmail as a whole failed
   */
  String importMessage(
      String what,
      MessageSpool spool,
      List<String> labelIds,
      DeliveryKey key,
      Journal.Intent intent,
      boolean inDoubt)
      throws IOException {
    GmailApi.BeforeRetry<String> alreadyThere = () -> this.inDoubt.find(key, intent);
    if (inDoubt) {
      Optional<String> there = alreadyThere.check();
      if (there.isPresent()) {
        return there.get();
      }
    }
    byte[] metadata = Json.stringArray("labelIds", labelIds);
    try {
      if (spool.size() > config.resumableAbove() && spool.size() > 0) {
        return resumable(what, spool, metadata, alreadyThere);
      }
      return multipart(what, spool, metadata, alreadyThere);
    } catch (GmailApi.Refusal r) {
      if (r.status == 400 || r.status == 413) {
        throw new FetchException(
            FetchError.SINK_REJECTED,
            "Gmail refused " + what + ": " + GmailError.words(r.status, r.reason, r.gmailMessage),
            null,
            null,
            null);
      }
      throw new FetchException(
          FetchError.SINK_FAILED,
          "Gmail answered "
              + what
              + " unexpectedly: "
              + GmailError.words(r.status, r.reason, r.gmailMessage)
              + " (is the API address right? "
              + config.apiBase()
              + ")");
    }
  }

  private String multipart(
      String what, MessageSpool spool, byte[] metadata, GmailApi.BeforeRetry<String> alreadyThere)
      throws IOException {
    String boundary = "mailfetch-" + HexFormat.of().formatHex(bytes(16));
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
                + new String(metadata, StandardCharsets.UTF_8)
                + "\r\n--"
                + boundary
                + "\r\nContent-Type: message/rfc822\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    long length = head.length + spool.size() + tail.length;
    URI u = api.uri(importPath("multipart"));
    return api.retrying(
        "importing " + what,
        GmailApi.IMPORT_UNITS,
        t ->
            api.request(u, t)
                .header("Content-Type", "multipart/related; boundary=" + boundary)
                .POST(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () ->
                                new SequenceInputStream(
                                    new ByteArrayInputStream(head),
                                    new SequenceInputStream(
                                        open(spool, 0, -1), new ByteArrayInputStream(tail)))),
                        length))
                .build(),
        alreadyThere,
        a -> id(a, what));
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static InputStream open(MessageSpool spool, long from, long length) {
    try {
      InputStream in = spool.open(from);
      return length < 0 ? in : new Limited(in, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String id(GmailApi.Answer a, String what) {
    if (a.status() == 308) {
      throw new UncheckedIOException(
          new IOException("Gmail answered 308 to a whole import of " + what));
    }
    return Json.string(a.json(), "id")
        .filter(s -> !s.isEmpty() && s.indexOf(' ') < 0 && s.indexOf('\n') < 0)
        .orElseThrow(
            () ->
                new UncheckedIOException(
                    new FetchException(
                        FetchError.SINK_FAILED,
                        "Gmail answered the import of "
                            + what
                            + " with "
                            + a.status()
                            + " but named no message id")));
  }

  /** A resumable upload's state: its session, and how much Gmail has. */
  private static final class Session {
    URI uri;
    long offset;
    String doneId;
  }

  private String resumable(
      String what, MessageSpool spool, byte[] metadata, GmailApi.BeforeRetry<String> alreadyThere)
      throws IOException {
    long size = spool.size();
    for (int restart = 0; ; restart++) {
      Session s = new Session();
      URI start = api.uri(importPath("resumable"));
      GmailApi.Answer a =
          api.call(
              "starting the upload of " + what,
              GmailApi.IMPORT_UNITS,
              t ->
                  api.request(start, t)
                      .header("Content-Type", "application/json; charset=UTF-8")
                      .header("X-Upload-Content-Type", "message/rfc822")
                      .header("X-Upload-Content-Length", Long.toString(size))
                      .POST(HttpRequest.BodyPublishers.ofByteArray(metadata))
                      .build(),
              null);
      String location =
          a.headers()
              .firstValue("Location")
              .orElseThrow(
                  () ->
                      new FetchException(
                          FetchError.SINK_FAILED,
                          "Gmail started an upload of " + what + " but gave no session address"));
      s.uri = config.apiBase().resolve(location);
      try {
        return chunks(what, spool, s);
      } catch (SessionGone gone) {
        if (restart >= 2) {
          throw new FetchException(
              FetchError.SINK_FAILED,
              "Gmail lost the upload session of " + what + " three times",
              gone);
        }
        Optional<String> there = alreadyThere.check();
        if (there.isPresent()) {
          return there.get();
        }
      }
    }
  }

  /** Gmail no longer knows the upload session (404, 410): the upload starts again. */
  private static final class SessionGone extends IOException {
    private static final long serialVersionUID = 1L;

    SessionGone(String what) {
      super(what);
    }
  }

  private String chunks(String what, MessageSpool spool, Session s) throws IOException {
    long size = spool.size();
    int chunk = config.uploadChunkBytes();
    int withoutProgress = 0;
    long furthest = s.offset;
    while (true) {
      long from = s.offset;
      long to = Math.min(size, from + chunk) - 1;
      GmailApi.Answer a;
      try {
        a =
            api.call(
                "uploading " + what + " (bytes " + from + " to " + to + " of " + size + ")",
                0,
                t -> {
                  long off = s.offset;
                  long end = Math.min(size, off + chunk) - 1;
                  return api.request(s.uri, t)
                      .header("Content-Range", "bytes " + off + "-" + end + "/" + size)
                      .PUT(
                          HttpRequest.BodyPublishers.fromPublisher(
                              HttpRequest.BodyPublishers.ofInputStream(
                                  () -> open(spool, off, end - off + 1)),
                              end - off + 1))
                      .build();
                },
                () -> status(what, s, size));
      } catch (GmailApi.Refusal r) {
        if (r.status == 404 || r.status == 410) {
          throw new SessionGone("the upload session of " + what + " is gone: " + r.getMessage());
        }
        throw r;
      }
      if (s.doneId != null) {
        return s.doneId;
      }
      if (a.status() == 308) {
        s.offset = rangeEnd(a).map(e -> e + 1).orElse(0L);
        if (s.offset > furthest) {
          furthest = s.offset;
          withoutProgress = 0;
        } else if (++withoutProgress >= MAX_ANSWERS_WITHOUT_PROGRESS) {
          throw new FetchException(
              FetchError.SINK_FAILED,
              "Gmail's upload session for "
                  + what
                  + " does not move"
                  + " forward: "
                  + withoutProgress
                  + " answers in a row left it holding "
                  + s.offset
                  + " of "
                  + size
                  + " bytes (its Range: "
                  + a.headers().firstValue("Range").orElse("none")
                  + "); mailfetch stopped"
                  + " uploading it, and the message stays on the server");
        }
        continue;
      }
      try {
        return id(a, what);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }

  /**
   * Asks the session how much it has (after a chunk's answer was lost); a finished upload ends the
   * call.
   */
  private Optional<GmailApi.Answer> status(String what, Session s, long size) throws IOException {
    GmailApi.Answer a;
    try {
      a =
          api.call(
              "asking Gmail how much of " + what + " arrived",
              0,
              t ->
                  api.request(s.uri, t)
                      .header("Content-Range", "bytes */" + size)
                      .PUT(HttpRequest.BodyPublishers.noBody())
                      .build(),
              null);
    } catch (GmailApi.Refusal r) {
      if (r.status == 404 || r.status == 410) {
        throw new SessionGone("the upload session of " + what + " is gone: " + r.getMessage());
      }
      throw r;
    }
    if (a.status() == 308) {
      s.offset = rangeEnd(a).map(e -> e + 1).orElse(0L);
      return Optional.empty();
    }
    try {
      s.doneId = id(a, what);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return Optional.of(a);
  }

  private static Optional<Long> rangeEnd(GmailApi.Answer a) {
    Optional<String> r = a.headers().firstValue("Range");
    if (r.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = RANGE.matcher(r.get().trim());
    return m.matches() ? Optional.of(Long.parseLong(m.group(2))) : Optional.empty();
  }

  /** Reads at most {@code left} bytes of another stream. */
  private static final class Limited extends InputStream {
    private final InputStream in;
    private long left;

    Limited(InputStream in, long left) {
      this.in = in;
      this.left = left;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
