package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gmail API calls the sink and the checkup make, over {@link HttpClient}, each paced by the
 * {@link RateLimiter}, its token from the provider ({@code 401}: handed back and fetched once
 * more), retried with {@link Backoff} within the retry budget where Gmail asks to slow down or
 * fails ({@code 429}, {@code 403} rate limits, {@code 5xx}, a lost connection, a timeout). What is
 * not retried comes back as a typed {@link FetchException} (the destination's) or a {@link Refusal}
 * (Gmail's answer to this request, for the caller to judge). No token appears in a log or an
 * exception.
 */
final class GmailApi {
  private static final Logger log = LoggerFactory.getLogger(GmailApi.class);
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
  private final HttpClient http;
  private final RateLimiter limiter;
  private final RateLimiter.Clock clock;

  GmailApi(Config config, RateLimiter limiter, RateLimiter.Clock clock) {
    this.config = config;
    this.limiter = limiter;
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(
                "https".equalsIgnoreCase(config.apiBase().getScheme())
                    ? HttpClient.Version.HTTP_2
                    : HttpClient.Version.HTTP_1_1)
            .build();
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

  // ---- the retry loop ----

  /**
   * Sends the request until Gmail answers it with a 2xx or 308, retrying within the budget.
   *
   * @throws Refusal for an answer that is this request's (4xx other than 401, 403 rate, 429)
   * @throws FetchException for the destination's failure
   */
  Answer call(String what, int units, Request req, BeforeRetry<Answer> beforeRetry)
      throws IOException {
    return retrying(what, units, req, beforeRetry, a -> a);
  }

  /**
   * One exchange, its units charged by the limiter until a window after it ended, however it ended.
   */
  private Answer exchangeCharged(Request req, String token, int maxBody, int units)
      throws IOException {
    try {
      return exchange(req.build(token), maxBody);
    } finally {
      limiter.answered(units);
    }
  }

  <T> T retrying(
      String what, int units, Request req, BeforeRetry<T> beforeRetry, Function<Answer, T> ok)
      throws IOException {
    return retrying(what, units, req, beforeRetry, ok, MAX_ANSWER_BYTES);
  }

  <T> T retrying(
      String what,
      int units,
      Request req,
      BeforeRetry<T> beforeRetry,
      Function<Answer, T> ok,
      int maxBody)
      throws IOException {
    long start = clock.nanoTime();
    long budget = config.retryBudget().toNanos();
    int retries = 0;
    boolean refreshed = false;
    String lastProblem = null;
    boolean rateLimited = false;
    boolean uncertain = false;
    int connectFailures = 0;
    IOException lastCause =
        null; // kept as the cause, so the engine can tell "does not answer" from the rest
    while (true) {
      if (uncertain && beforeRetry != null) {
        Optional<T> settled = beforeRetry.check();
        if (settled.isPresent()) {
          return settled.get();
        }
      }
      uncertain = false;
      long retryAfter = -1;
      String token = token(what);
      try {
        if (!limiter.acquire(units, start + budget)) {
          // Gmail's Retry-After (met by another request, maybe) holds every request past this one's
          // budget
          throw giveUp(
              what,
              "Gmail asked every request for "
                  + config.mailbox()
                  + " to wait (Retry-After) until past"
                  + " that"
                  + (lastProblem == null ? "" : "; before: " + lastProblem),
              true,
              lastCause);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while " + what);
      }
      Answer a;
      try {
        a = exchangeCharged(req, token, maxBody, units);
      } catch (ConnectException e) {
        lastProblem = "Gmail could not be reached (" + reason(e) + ")";
        if (++connectFailures >= CONNECT_ATTEMPTS) {
          // No connection at all (a name that does not resolve, a refused connection): waiting out
          // the
          // whole budget would keep a cron run silent for minutes; the run stops at once instead.
          throw new FetchException(
              FetchError.SINK_FAILED,
              "Gmail could not be reached at "
                  + config.apiBase().getHost()
                  + " after "
                  + CONNECT_ATTEMPTS
                  + " attempts while "
                  + what
                  + ": "
                  + reason(e),
              e);
        }
        lastCause = e;
        rateLimited = false;
        a = null;
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        if (e instanceof FetchException) {
          throw e;
        }
        lastProblem = "the connection to Gmail failed (" + reason(e) + ")";
        lastCause = e;
        rateLimited = false;
        uncertain = true;
        a = null;
      }
      if (a != null) {
        lastCause = null; // Gmail answered: what failed last is in its answer, not the connection
        int s = a.status();
        if (s / 100 == 2 || s == 308) {
          try {
            return ok.apply(a);
          } catch (UncheckedIOException e) {
            throw e.getCause();
          }
        }
        Map<String, Object> err = Json.child(a.json(), "error");
        String reason = reasonOf(err);
        String message = Json.string(err, "message").orElse("");
        if (s == 401) {
          config.tokens().invalidate(token);
          if (!refreshed) {
            refreshed = true;
            continue; // once more with a fresh token, at once
          }
          throw new FetchException(
              FetchError.AUTH_TOKEN_EXPIRED,
              "Gmail refused the access token for "
                  + config.mailbox()
                  + " twice, even after a refresh, while "
                  + what
                  + ": "
                  + words(s, reason, message),
              null,
              null,
              Remedy.of(
                  "Authorize mailfetch again for "
                      + config.mailbox()
                      + " (mailfetch oauth; see"
                      + " docs/oauth.md): the grant may have been revoked."));
        }
        if (s == 403 && (reason.equals("dailyLimitExceeded") || reason.equals("quotaExceeded"))) {
          throw new FetchException(
              FetchError.QUOTA_EXCEEDED,
              "Gmail's daily limit for "
                  + config.mailbox()
                  + " (or for the Google Cloud project) is reached: "
                  + words(s, reason, message));
        }
        if (s == 429
            || (s == 403
                && (reason.equals("rateLimitExceeded")
                    || reason.equals("userRateLimitExceeded")))) {
          rateLimited = true;
          lastProblem = "Gmail asked to slow down (" + words(s, reason, message) + ")";
          retryAfter = retryAfterNanos(a.headers());
          if (retryAfter >= 0) {
            // Every request waits for it, but no longer than this one's budget: past it this
            // request gives
            // up, and a pause of 15 minutes must not hold the sink's later requests past theirs.
            long left = Math.max(0, budget - (clock.nanoTime() - start));
            limiter.pauseUntil(clock.nanoTime() + Math.min(retryAfter, left));
          }
        } else if (s == 403
            && (reason.equals("insufficientPermissions")
                || reason.equals("ACCESS_TOKEN_SCOPE_INSUFFICIENT")
                || message
                    .toLowerCase(Locale.ROOT)
                    .contains("insufficient authentication scopes"))) {
          throw new FetchException(
              FetchError.AUTH_FAILED,
              "the access token for "
                  + config.mailbox()
                  + " does not allow "
                  + what
                  + ": "
                  + words(s, reason, message),
              null,
              null,
              Remedy.of(
                  "Authorize mailfetch again granting Gmail's gmail.modify scope (or gmail.insert, gmail.labels and"
                      + " gmail.readonly); see docs/gmail.md, \"Scopes\"."));
        } else if (s == 403) {
          throw new FetchException(
              FetchError.AUTH_FAILED,
              "Gmail refused "
                  + what
                  + " for "
                  + config.mailbox()
                  + ": "
                  + words(s, reason, message),
              null,
              null,
              Remedy.of(
                  "Read Gmail's reason: an administrator of a"
                      + " Google Workspace domain may have turned the Gmail API off for this account."));
        } else if (s / 100 == 5) {
          rateLimited = false;
          uncertain = true;
          lastProblem = "Gmail failed (" + words(s, reason, message) + ")";
          retryAfter = retryAfterNanos(a.headers());
        } else {
          throw new Refusal(s, reason, message.isEmpty() ? "(no reason given)" : message);
        }
      }
      retries++;
      long delay = Backoff.delayNanos(retries, retryAfter);
      long spent = clock.nanoTime() - start;
      if (spent + delay > budget) {
        throw giveUp(what, lastProblem, rateLimited, lastCause);
      }
      log.debug(
          "retrying {} for {} in {} ms: {}",
          what,
          config.mailbox(),
          delay / 1_000_000,
          lastProblem);
      try {
        clock.sleepNanos(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while " + what);
      }
    }
  }

  private FetchException giveUp(
      String what, String lastProblem, boolean rateLimited, IOException cause) {
    String budget = words(config.retryBudget());
    if (rateLimited) {
      return new FetchException(
          FetchError.QUOTA_EXCEEDED,
          "Gmail kept asking to slow down for longer than mailfetch"
              + " waits ("
              + budget
              + ") while "
              + what
              + ": "
              + lastProblem,
          cause);
    }
    return new FetchException(
        FetchError.SINK_FAILED,
        "Gmail could not be reached, or kept failing, for longer than"
            + " mailfetch retries ("
            + budget
            + ") while "
            + what
            + ": "
            + lastProblem,
        null,
        cause,
        Remedy.of(
            "Check the network between this machine and Gmail, then run again: the message stays on the server.",
            "Check the network between this machine and Gmail (or raise GmailImportSink.Builder.retryBudget), then"
                + " run again: the message stays on the server."));
  }

  String token(String what) throws IOException {
    try {
      String t = config.tokens().accessToken();
      if (t == null || t.isEmpty()) {
        throw new FetchException(
            FetchError.AUTH_FAILED,
            "the token provider gave no access token for " + config.mailbox());
      }
      return t;
    } catch (FetchException e) {
      throw e;
    } catch (IOException e) {
      // As POP3 says it: the token provider is the login, whatever it reads from.
      throw new FetchException(
          FetchError.AUTH_FAILED,
          "the token provider could not give an access token for "
              + config.mailbox()
              + " while "
              + what
              + ": "
              + reason(e),
          e);
    }
  }

  /**
   * One exchange, bounded as a whole by the request timeout (headers and body: an answer that
   * stalls after its headers is given up like a lost one); the body is read up to {@link
   * #MAX_ANSWER_BYTES}.
   */
  Answer exchange(HttpRequest r, int maxBody) throws IOException {
    BoundedExchange.Reply reply = BoundedExchange.send(http, r, config.requestTimeout(), maxBody);
    HttpResponse<byte[]> resp = reply.response();
    return new Answer(resp.statusCode(), resp.headers(), resp.body());
  }

  static String reasonOf(Map<String, Object> err) {
    for (Map<String, Object> e : Json.objects(err, "errors")) {
      Optional<String> r = Json.string(e, "reason");
      if (r.isPresent()) {
        return r.get();
      }
    }
    for (Map<String, Object> d : Json.objects(err, "details")) {
      Optional<String> r = Json.string(d, "reason");
      if (r.isPresent()) {
        return r.get();
      }
    }
    return "";
  }

  static String words(int status, String reason, String message) {
    String m = message.length() > 300 ? message.substring(0, 300) + "…" : message;
    return status
        + (reason.isEmpty() ? "" : " " + reason)
        + (m.isEmpty() ? "" : ", \"" + FetchException.escape(m) + "\"");
  }

  static String words(Duration d) {
    long s = d.toSeconds();
    if (s % 60 == 0 && s >= 60) {
      return s / 60 + (s == 60 ? " minute" : " minutes");
    }
    return s + (s == 1 ? " second" : " seconds");
  }

  /** What went wrong with a connection, in words: its message, never a Java class name. */
  static String reason(IOException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof UnresolvedAddressException || root instanceof UnknownHostException) {
      return "the name could not be found: check the network and its DNS";
    }
    String m =
        e.getMessage() != null && !e.getMessage().isEmpty() ? e.getMessage() : root.getMessage();
    if (m == null || m.isEmpty()) {
      return e instanceof ConnectException
          ? "the connection could not be made"
          : "the connection failed";
    }
    return m;
  }

  /** Gmail's {@code Retry-After}, in seconds or as an HTTP date; below 0 if absent. */
  long retryAfterNanos(HttpHeaders h) {
    Optional<String> v = h.firstValue("Retry-After");
    if (v.isEmpty()) {
      return -1;
    }
    String s = v.get().trim();
    try {
      long secs = Long.parseLong(s);
      return secs < 0 ? -1 : Duration.ofSeconds(Math.min(secs, 3600)).toNanos();
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime when = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
        long ms = when.toInstant().toEpochMilli() - System.currentTimeMillis();
        return Duration.ofMillis(Math.max(0, Math.min(ms, 3_600_000))).toNanos();
      } catch (RuntimeException notADate) {
        return -1;
      }
    }
  }
}
