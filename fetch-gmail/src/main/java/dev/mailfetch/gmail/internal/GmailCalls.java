package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.gmail.internal.GmailApi.Answer;
import dev.mailfetch.gmail.internal.GmailApi.BeforeRetry;
import dev.mailfetch.gmail.internal.GmailApi.Refusal;
import dev.mailfetch.gmail.internal.GmailApi.Request;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call of the Gmail API made until Gmail answers it: paced by the {@link RateLimiter}, its
 * token from the provider ({@code 401}: handed back and fetched once more), retried with {@link
 * Backoff} within the retry budget where Gmail asks to slow down or fails ({@code 429}, {@code 403}
 * rate limits, {@code 5xx}, a lost connection, a timeout). What an error answer means is {@link
 * GmailError}'s; how a failure is said, {@link GmailFailures}'. {@link GmailApi} names the calls;
 * this is how each is carried.
 */
final class GmailCalls {
  private static final Logger log = LoggerFactory.getLogger(GmailCalls.class);

  private final Config config;
  private final HttpClient http;
  private final RateLimiter limiter;
  private final RateLimiter.Clock clock;

  GmailCalls(Config config, RateLimiter limiter, RateLimiter.Clock clock) {
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
          throw GmailFailures.gaveUp(
              config,
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
        lastProblem = "Gmail could not be reached (" + GmailFailures.reason(e) + ")";
        if (++connectFailures >= GmailApi.CONNECT_ATTEMPTS) {
          // No connection at all (a name that does not resolve, a refused connection): waiting out
          // the
          // whole budget would keep a cron run silent for minutes; the run stops at once instead.
          throw GmailFailures.unreachable(config, GmailApi.CONNECT_ATTEMPTS, what, e);
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
        lastProblem = "the connection to Gmail failed (" + GmailFailures.reason(e) + ")";
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
        GmailError err = GmailError.of(s, Json.child(a.json(), "error"));
        switch (err.kind()) {
          case TOKEN_REFUSED:
            config.tokens().invalidate(token);
            if (!refreshed) {
              refreshed = true;
              continue; // once more with a fresh token, at once
            }
            throw GmailFailures.tokenRefusedTwice(config, what, err);
          case DAILY_LIMIT:
            throw GmailFailures.dailyLimit(config, err);
          case SLOW_DOWN:
            rateLimited = true;
            lastProblem = "Gmail asked to slow down (" + err.words() + ")";
            retryAfter = retryAfterNanos(a.headers());
            if (retryAfter >= 0) {
              // Every request waits for it, but no longer than this one's budget: past it this
              // request gives up, and a pause of 15 minutes must not hold the sink's later
              // requests past theirs.
              long left = Math.max(0, budget - (clock.nanoTime() - start));
              limiter.pauseUntil(clock.nanoTime() + Math.min(retryAfter, left));
            }
            break;
          case SCOPE_MISSING:
            throw GmailFailures.scopeMissing(config, what, err);
          case FORBIDDEN:
            throw GmailFailures.forbidden(config, what, err);
          case SERVER_FAILED:
            rateLimited = false;
            uncertain = true;
            lastProblem = "Gmail failed (" + err.words() + ")";
            retryAfter = retryAfterNanos(a.headers());
            break;
          default:
            throw new Refusal(
                s, err.reason(), err.message().isEmpty() ? "(no reason given)" : err.message());
        }
      }
      retries++;
      long delay = Backoff.delayNanos(retries, retryAfter);
      long spent = clock.nanoTime() - start;
      if (spent + delay > budget) {
        throw GmailFailures.gaveUp(config, what, lastProblem, rateLimited, lastCause);
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
              + GmailFailures.reason(e),
          e);
    }
  }

  /**
   * One exchange, bounded as a whole by the request timeout (headers and body: an answer that
   * stalls after its headers is given up like a lost one); the body is read up to {@link
   * GmailApi#MAX_ANSWER_BYTES}.
   */
  Answer exchange(HttpRequest r, int maxBody) throws IOException {
    BoundedExchange.Reply reply = BoundedExchange.send(http, r, config.requestTimeout(), maxBody);
    HttpResponse<byte[]> resp = reply.response();
    return new Answer(resp.statusCode(), resp.headers(), resp.body());
  }

  /** Gmail's {@code Retry-After}, in seconds or as an HTTP date; below 0 if absent. */
  long retryAfterNanos(HttpHeaders h) {
    return RetryAfter.nanos(h, System.currentTimeMillis());
  }
}
