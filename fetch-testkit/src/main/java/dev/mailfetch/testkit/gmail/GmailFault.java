package dev.mailfetch.testkit.gmail;

/**
 * A failure a {@link FakeGmailServer} injects on purpose, named after what a Gmail client sees.
 * Wrap one in a {@link FaultRule} to say how often and for which requests; {@link
 * FakeGmailServer#inject(GmailFault)} injects it once on its {@linkplain #defaultEndpoint() usual
 * request}.
 *
 * <p>Every error body is Google's JSON error shape, {@code
 * {"error":{"code":..,"message":..,"errors":[{"domain":..,"reason":..,"message":..}],"status":..}}},
 * except at the token endpoint, which answers OAuth 2.0's {@code
 * {"error":..,"error_description":..}}.
 */
public enum GmailFault {
  /** {@code 401} "Invalid Credentials" ({@code authError}) although the access token is good. */
  TOKEN_REFUSED_401,
  /** The token endpoint answers {@code 400 invalid_grant} "Token has been expired or revoked." */
  INVALID_GRANT,
  /**
   * {@code 429} "Rate Limit Exceeded" ({@code usageLimits}/{@code rateLimitExceeded}) with a {@code
   * Retry-After} header ({@link FaultRule#retryAfter}, 1 second unless set).
   */
  TOO_MANY_REQUESTS_429,
  /** {@code 403} "Rate Limit Exceeded" ({@code usageLimits}/{@code rateLimitExceeded}). */
  RATE_LIMIT_EXCEEDED_403,
  /** {@code 403} "User Rate Limit Exceeded" ({@code usageLimits}/{@code userRateLimitExceeded}). */
  USER_RATE_LIMIT_EXCEEDED_403,
  /** {@code 403} "Daily Limit Exceeded" ({@code usageLimits}/{@code dailyLimitExceeded}). */
  DAILY_LIMIT_EXCEEDED_403,
  /** {@code 500} "Backend Error" ({@code global}/{@code backendError}). */
  BACKEND_ERROR_500,
  /** {@code 503} "The service is currently unavailable." ({@code global}/{@code backendError}). */
  SERVICE_UNAVAILABLE_503,
  /**
   * {@code 400} for the message: {@code invalidArgument} with the reason text of {@link
   * FaultRule#reason} ("Invalid From header" unless set). Nothing is stored.
   */
  MESSAGE_REJECTED_400,
  /**
   * The server reads the upload slowly and answers late: it stops reading for half of {@link
   * FaultRule#delay} (2 seconds unless set) as the message starts (or once its head is in, for a
   * rule with a message condition), and answers the other half late. The message is stored.
   */
  SLOW_UPLOAD,
  /**
   * The server closes the TCP connection once it has read {@link FaultRule#afterBytes} bytes of the
   * message (half of it unless set), without answering. Nothing is stored; a resumable session
   * keeps only the chunks completed before.
   */
  CONNECTION_CUT_MID_UPLOAD,
  /**
   * The import succeeds (the message is stored, as {@link FakeGmailServer#messages} shows) but the
   * connection closes before the response is sent.
   */
  RESPONSE_LOST,
  /**
   * The answer's status line and headers are sent (with a {@code Content-Length} promising a body),
   * then a few bytes of the body at most, then nothing for {@link FaultRule#delay} (10 minutes
   * unless set), after which the connection is closed. Whatever the request did is done (an import
   * is stored). Hits any request but the browser's; it takes no message condition.
   */
  STALLED_ANSWER;

  /** The request this fault hits unless {@link FaultRule#at} says otherwise. */
  public GmailEndpoint defaultEndpoint() {
    return this == INVALID_GRANT ? GmailEndpoint.TOKEN : GmailEndpoint.IMPORT;
  }
}
