package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The Gmail API calls the sink and the checkup make, each carried by {@link GmailCalls} (paced by
 * the {@link RateLimiter}, its token from the provider, retried with {@link Backoff} within the
 * retry budget). What is not retried comes back as a typed {@link FetchException} (the
 * destination's) or a {@link Refusal} (Gmail's answer to this request, for the caller to judge). No
 * token appears in a log or an exception.
 */
final class GmailApi {
  static final int MAX_ANSWER_BYTES = 1024 * 1024;

  /** Connections that could not be made at all before a call gives up, whatever its budget. */
  static final int CONNECT_ATTEMPTS = 3;

  /** Quota units per method (Gmail's reference). */
  static final int IMPORT_UNITS = 25;

  static final int LIST_UNITS = 5;
  static final int LABEL_CREATE_UNITS = 5;
  static final int LABEL_LIST_UNITS = 1;
  static final int PROFILE_UNITS = 1;
  static final int MODIFY_UNITS = 5;
  static final int GET_UNITS = 5;
  static final int HISTORY_UNITS = 2;

  /**
   * Gmail refused a request because the access token lacks a scope it needs ({@code 403
   * insufficientPermissions}): an {@code AUTH_FAILED} that the checkup files as a missing scope,
   * and that the import of a duplicate's labels outlives, told from other refusals by this type.
   */
  static final class ScopeMissing extends FetchException {
    private static final long serialVersionUID = 1L;

    ScopeMissing(String detail, Remedy remedy) {
      super(FetchError.AUTH_FAILED, detail, null, null, remedy);
    }
  }

  /** One answer from Gmail. */
  record Answer(int status, HttpHeaders headers, byte[] body) {
    Map<String, Object> json() {
      return Json.object(body);
    }
  }

  /**
   * Gmail answered this request with an error that is the request's, not the destination's: {@code
   * 400}, {@code 404}, {@code 409}, {@code 413} and the like.
   */
  static final class Refusal extends IOException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String reason;
    final String gmailMessage;

    Refusal(int status, String reason, String gmailMessage) {
      super(
          "Gmail answered "
              + status
              + (reason.isEmpty() ? "" : " " + reason)
              + ": "
              + gmailMessage);
      this.status = status;
      this.reason = reason;
      this.gmailMessage = gmailMessage;
    }
  }

  /** One request, built afresh for each try (with the token of that try). */
  interface Request {
    HttpRequest build(String bearer) throws IOException;
  }

  /**
   * Asked before retrying a request that may have reached Gmail (its answer was lost, or Gmail
   * failed with a 5xx after taking it): a value ends the call with it instead of a retry.
   */
  interface BeforeRetry<T> {
    Optional<T> check() throws IOException;
  }

  private final Config config;
  private final GmailCalls calls;

  GmailApi(Config config, RateLimiter limiter, RateLimiter.Clock clock) {
    this.config = config;
    this.calls = new GmailCalls(config, limiter, clock);
  }

  Config config() {
    return config;
  }

  URI uri(String pathAndQuery) {
    return config.apiBase().resolve(pathAndQuery);
  }

  HttpRequest.Builder request(URI uri, String bearer) {
    return HttpRequest.newBuilder(uri)
        .timeout(config.requestTimeout())
        .header("Authorization", "Bearer " + bearer)
        .header("User-Agent", "mailfetch");
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ---- the calls ----

  /**
   * The mailbox the token opens, and its history id at the moment of asking (-1 if Gmail gave
   * none).
   */
  record Profile(String address, long historyId) {}

  /** {@code users.getProfile}. */
  Profile profile() throws IOException {
    Answer a =
        call(
            "reading the Gmail profile",
            PROFILE_UNITS,
            t -> request(uri("gmail/v1/users/me/profile"), t).GET().build(),
            null);
    String address =
        Json.string(a.json(), "emailAddress")
            .orElseThrow(
                () ->
                    new FetchException(
                        FetchError.SINK_FAILED, "Gmail's profile answer names no address"));
    long history = -1;
    try {
      history = Json.string(a.json(), "historyId").map(Long::parseLong).orElse(-1L);
    } catch (NumberFormatException e) {
      // none usable: imports in doubt are then settled by the search
    }
    return new Profile(address, history);
  }

  /** {@code users.getProfile}: the address of the mailbox the token opens. */
  String profileAddress() throws IOException {
    return profile().address();
  }

  /**
   * {@code users.history.list} with {@code historyTypes=messageAdded} from {@code startHistoryId},
   * every page: the ids of the messages added since, in order; empty where Gmail no longer has
   * history that old ({@code 404}).
   */
  Optional<List<String>> messagesAddedSince(long startHistoryId) throws IOException {
    List<String> ids = new ArrayList<>();
    String page = null;
    do {
      URI u =
          uri(
              "gmail/v1/users/me/history?historyTypes=messageAdded&maxResults=500&startHistoryId="
                  + startHistoryId
                  + (page == null ? "" : "&pageToken=" + enc(page)));
      Answer a;
      try {
        a =
            call(
                "reading the Gmail mailbox's history",
                HISTORY_UNITS,
                t -> request(u, t).GET().build(),
                null);
      } catch (Refusal r) {
        if (r.status == 404) {
          return Optional.empty();
        }
        throw r;
      }
      Map<String, Object> json = a.json();
      for (Map<String, Object> h : Json.objects(json, "history")) {
        for (Map<String, Object> added : Json.objects(h, "messagesAdded")) {
          Json.string(Json.child(added, "message"), "id").ifPresent(ids::add);
        }
      }
      page = Json.string(json, "nextPageToken").filter(p -> !p.isEmpty()).orElse(null);
    } while (page != null);
    return Optional.of(ids);
  }

  /**
   * {@code messages.get} of one message in {@code format} ({@code metadata} asks for the Message-ID
   * header only); empty where Gmail has no such message (404). {@code maxBody} bounds the answer
   * read.
   */
  Optional<Map<String, Object>> message(String gmailId, String format, int maxBody)
      throws IOException {
    URI u =
        uri(
            "gmail/v1/users/me/messages/"
                + enc(gmailId)
                + "?format="
                + format
                + (format.equals("metadata") ? "&metadataHeaders=Message-ID" : ""));
    try {
      return Optional.of(
          retrying(
              "reading a Gmail message",
              GET_UNITS,
              t -> request(u, t).GET().build(),
              null,
              Answer::json,
              maxBody));
    } catch (Refusal r) {
      if (r.status == 404) {
        return Optional.empty();
      }
      throw r;
    }
  }

  /** {@code labels.list}: every label, as (id, name, type). */
  List<Map<String, Object>> labels() throws IOException {
    Answer a =
        call(
            "listing the Gmail labels",
            LABEL_LIST_UNITS,
            t -> request(uri("gmail/v1/users/me/labels"), t).GET().build(),
            null);
    return Json.objects(a.json(), "labels");
  }

  /** {@code labels.create}: the new label's id. */
  String createLabel(String name) throws IOException {
    byte[] body = Json.newLabel(name);
    Answer a =
        call(
            "creating the Gmail label \"" + name + "\"",
            LABEL_CREATE_UNITS,
            t ->
                request(uri("gmail/v1/users/me/labels"), t)
                    .header("Content-Type", "application/json; charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
            null);
    return Json.string(a.json(), "id")
        .orElseThrow(
            () ->
                new FetchException(
                    FetchError.SINK_FAILED,
                    "Gmail's answer to creating the label \"" + name + "\" names no id"));
  }

  /**
   * {@code messages.list} with {@code q=rfc822msgid:}: the ids of the messages with this
   * Message-ID, spam and trash included.
   */
  List<String> findByMessageId(String messageId) throws IOException {
    String bare =
        messageId.startsWith("<") && messageId.endsWith(">")
            ? messageId.substring(1, messageId.length() - 1)
            : messageId;
    URI u =
        uri(
            "gmail/v1/users/me/messages?includeSpamTrash=true&maxResults=10&q="
                + enc("rfc822msgid:" + bare));
    Answer a =
        call(
            "asking Gmail for the message " + messageId,
            LIST_UNITS,
            t -> request(u, t).GET().build(),
            null);
    List<String> ids = new ArrayList<>();
    for (Map<String, Object> m : Json.objects(a.json(), "messages")) {
      Json.string(m, "id").ifPresent(ids::add);
    }
    return ids;
  }

  /** {@code messages.modify}: adds labels; false if Gmail has no such message. */
  boolean addLabelIds(String gmailId, List<String> labelIds) throws IOException {
    byte[] body = Json.stringArray("addLabelIds", labelIds);
    try {
      call(
          "adding labels to a Gmail message",
          MODIFY_UNITS,
          t ->
              request(uri("gmail/v1/users/me/messages/" + enc(gmailId) + "/modify"), t)
                  .header("Content-Type", "application/json; charset=UTF-8")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
          null);
      return true;
    } catch (Refusal r) {
      if (r.status == 404) {
        return false;
      }
      throw r;
    }
  }

  // ---- the retry loop (GmailCalls) ----

  /**
   * Sends the request until Gmail answers it with a 2xx or 308, retrying within the budget.
   *
   * @throws Refusal for an answer that is this request's (4xx other than 401, 403 rate, 429)
   * @throws FetchException for the destination's failure
   */
  Answer call(String what, int units, Request req, BeforeRetry<Answer> beforeRetry)
      throws IOException {
    return calls.retrying(what, units, req, beforeRetry, a -> a, MAX_ANSWER_BYTES);
  }

  <T> T retrying(
      String what, int units, Request req, BeforeRetry<T> beforeRetry, Function<Answer, T> ok)
      throws IOException {
    return calls.retrying(what, units, req, beforeRetry, ok, MAX_ANSWER_BYTES);
  }

  <T> T retrying(
      String what,
      int units,
      Request req,
      BeforeRetry<T> beforeRetry,
      Function<Answer, T> ok,
      int maxBody)
      throws IOException {
    return calls.retrying(what, units, req, beforeRetry, ok, maxBody);
  }
}
