package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/**
 * Gmail's failures said as the destination's, in one place so that the words (and the remedy a user
 * can type) stay the same wherever the retry loop gives up: a Gmail that cannot be reached, a token
 * refused, the daily limit, a scope missing, an account Gmail refuses, a retry budget spent. No
 * token appears in them.
 */
final class GmailFailures {
  private GmailFailures() {}

  static FetchException unreachable(Config config, int attempts, String what, IOException e) {
    return new FetchException(
        FetchError.SINK_FAILED,
        "Gmail could not be reached at "
            + config.apiBase().getHost()
            + " after "
            + attempts
            + " attempts while "
            + what
            + ": "
            + reason(e),
        e);
  }

  static FetchException tokenRefusedTwice(Config config, String what, GmailError err) {
    return new FetchException(
        FetchError.AUTH_TOKEN_EXPIRED,
        "Gmail refused the access token for "
            + config.mailbox()
            + " twice, even after a refresh, while "
            + what
            + ": "
            + err.words(),
        null,
        null,
        Remedy.of(
            "Authorize mailfetch again for "
                + config.mailbox()
                + " (mailfetch oauth; see"
                + " docs/oauth.md): the grant may have been revoked."));
  }

  /**
   * Gmail's daily limit reached: a type of its own, so that {@link DestinationLatch} holds it an
   * hour by its type, never by its words.
   */
  static final class DailyLimit extends FetchException {
    private static final long serialVersionUID = 1L;

    DailyLimit(String detail) {
      super(FetchError.QUOTA_EXCEEDED, detail);
    }
  }

  static FetchException dailyLimit(Config config, GmailError err) {
    return new DailyLimit(
        "Gmail's daily limit for "
            + config.mailbox()
            + " (or for the Google Cloud project) is reached: "
            + err.words());
  }

  static FetchException scopeMissing(Config config, String what, GmailError err) {
    return new GmailApi.ScopeMissing(
        "the access token for " + config.mailbox() + " does not allow " + what + ": " + err.words(),
        Remedy.of(
            "Authorize mailfetch again granting Gmail's gmail.modify scope (or gmail.insert, gmail.labels and"
                + " gmail.readonly); see docs/gmail.md, \"Scopes\"."));
  }

  static FetchException forbidden(Config config, String what, GmailError err) {
    return new FetchException(
        FetchError.AUTH_FAILED,
        "Gmail refused " + what + " for " + config.mailbox() + ": " + err.words(),
        null,
        null,
        Remedy.of(
            "Read Gmail's reason: an administrator of a"
                + " Google Workspace domain may have turned the Gmail API off for this account."));
  }

  /** The retry budget is spent: Gmail asked to slow down all along, or failed or was not there. */
  static FetchException gaveUp(
      Config config, String what, String lastProblem, boolean rateLimited, IOException cause) {
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
}
