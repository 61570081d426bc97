package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.FetchException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What an error answer of the Gmail API means, read from its status and its {@code error} object
 * alone, so that the one decision the retry loop makes on it (retry, refresh the token, or stop,
 * and as whose failure) is a pure function with a test of its own.
 */
record GmailError(int status, String reason, String message) {

  /** The ways the sink treats an error answer. */
  enum Kind {
    /** {@code 401}: the access token was refused; fetched afresh once. */
    TOKEN_REFUSED,
    /** {@code 403 dailyLimitExceeded/quotaExceeded}: the destination is done for the day. */
    DAILY_LIMIT,
    /** {@code 429} or {@code 403 rateLimitExceeded/userRateLimitExceeded}: waited for, retried. */
    SLOW_DOWN,
    /** {@code 403} for scopes the token lacks. */
    SCOPE_MISSING,
    /** Any other {@code 403}: an administrator's or Gmail's refusal of this account. */
    FORBIDDEN,
    /** {@code 5xx}: Gmail failed, maybe after taking the request; retried. */
    SERVER_FAILED,
    /**
     * The rest ({@code 400}, {@code 404}, {@code 409}, {@code 413}…): this request's, not Gmail's.
     */
    REFUSAL
  }

  /** The error answer of {@code status} with Gmail's {@code error} object {@code err}. */
  static GmailError of(int status, Map<String, Object> err) {
    return new GmailError(status, reasonOf(err), Json.string(err, "message").orElse(""));
  }

  Kind kind() {
    if (status == 401) {
      return Kind.TOKEN_REFUSED;
    }
    if (status == 403 && (reason.equals("dailyLimitExceeded") || reason.equals("quotaExceeded"))) {
      return Kind.DAILY_LIMIT;
    }
    if (status == 429
        || (status == 403
            && (reason.equals("rateLimitExceeded") || reason.equals("userRateLimitExceeded")))) {
      return Kind.SLOW_DOWN;
    }
    if (status == 403
        && (reason.equals("insufficientPermissions")
            || reason.equals("ACCESS_TOKEN_SCOPE_INSUFFICIENT")
            || message.toLowerCase(Locale.ROOT).contains("insufficient authentication scopes"))) {
      return Kind.SCOPE_MISSING;
    }
    if (status == 403) {
      return Kind.FORBIDDEN;
    }
    if (status / 100 == 5) {
      return Kind.SERVER_FAILED;
    }
    return Kind.REFUSAL;
  }

  /** The answer in words: status, reason and Gmail's message (escaped, at most 300 characters). */
  String words() {
    return words(status, reason, message);
  }

  static String words(int status, String reason, String message) {
    String m = message.length() > 300 ? message.substring(0, 300) + "…" : message;
    return status
        + (reason.isEmpty() ? "" : " " + reason)
        + (m.isEmpty() ? "" : ", \"" + FetchException.escape(m) + "\"");
  }

  /** The first reason Gmail gives, in {@code errors} (Gmail's) or {@code details} (Google's). */
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
}
