package dev.mailfetch.testkit.gmail;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a request to the Gmail API may be answered, checked as Google checks it: the bearer
 * token, the userId, the scopes (each method's own set, from Google's reference), then the injected
 * request faults and the quota. The first check that fails answers the request; every API method of
 * the fake (the small ones, imports, uploads) goes through here, so they fail alike.
 */
final class ApiAccess {
  static final Set<String> PROFILE_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL,
          FakeGmailServer.SCOPE_MODIFY,
          FakeGmailServer.SCOPE_COMPOSE,
          FakeGmailServer.SCOPE_READONLY,
          FakeGmailServer.SCOPE_METADATA);
  static final Set<String> LABELS_LIST_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL,
          FakeGmailServer.SCOPE_MODIFY,
          FakeGmailServer.SCOPE_LABELS,
          FakeGmailServer.SCOPE_READONLY,
          FakeGmailServer.SCOPE_METADATA);
  static final Set<String> LABELS_CREATE_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL, FakeGmailServer.SCOPE_MODIFY, FakeGmailServer.SCOPE_LABELS);
  static final Set<String> LIST_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL,
          FakeGmailServer.SCOPE_MODIFY,
          FakeGmailServer.SCOPE_READONLY,
          FakeGmailServer.SCOPE_METADATA);
  static final Set<String> MODIFY_SCOPES =
      Set.of(FakeGmailServer.SCOPE_MAIL, FakeGmailServer.SCOPE_MODIFY);
  static final Set<String> GET_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL,
          FakeGmailServer.SCOPE_MODIFY,
          FakeGmailServer.SCOPE_READONLY,
          FakeGmailServer.SCOPE_METADATA);
  static final Set<String> IMPORT_SCOPES =
      Set.of(
          FakeGmailServer.SCOPE_MAIL, FakeGmailServer.SCOPE_MODIFY, FakeGmailServer.SCOPE_INSERT);

  private final FakeGmailServer server;

  ApiAccess(FakeGmailServer server) {
    this.server = server;
  }

  /**
   * Checks the bearer token, the userId, the scopes, the injected request faults and the quota, in
   * that order, and answers where one fails; otherwise returns the token's grant.
   */
  OAuthServer.Access authorize(Call call, String userId, Set<String> scopes, int units)
      throws IOException {
    String auth = call.header("Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      call.drain();
      call.error(GoogleError.missingCredentials());
      return null;
    }
    OAuthServer.Access access = server.oauth.access(auth.substring(7).trim());
    if (access == null) {
      call.drain();
      call.error(GoogleError.invalidCredentials());
      return null;
    }
    if (!userId.equals("me") && !userId.equalsIgnoreCase(access.account())) {
      call.drain();
      call.error(GoogleError.delegationDenied(userId));
      return null;
    }
    call.account = access.account();
    if (access.scopes().stream().noneMatch(scopes::contains)) {
      call.drain();
      call.error(GoogleError.insufficientScopes(String.join(" ", new TreeSet<>(scopes))));
      return null;
    }
    if (call.endpoint != GmailEndpoint.IMPORT && requestFault(call, null)) {
      return null;
    }
    if (!server.quota.enter(access.account())) {
      call.drain();
      call.error(GoogleError.tooManyConcurrentRequests());
      return null;
    }
    call.inFlightAccount = access.account();
    Quota.Verdict verdict = server.quota.charge(access.account(), units);
    if (verdict != Quota.Verdict.OK) {
      call.drain();
      call.error(
          verdict == Quota.Verdict.DAILY
              ? GoogleError.dailyLimitExceeded()
              : GoogleError.userRateLimitExceeded());
      return null;
    }
    return access;
  }

  /** Answers an injected status fault for this request, if one hits it; true where one did. */
  boolean requestFault(Call call, byte[] head) throws IOException {
    InjectedFault f =
        server.faults.claim(
            call.endpoint,
            call.account,
            head,
            GmailFault.TOKEN_REFUSED_401,
            GmailFault.TOO_MANY_REQUESTS_429,
            GmailFault.RATE_LIMIT_EXCEEDED_403,
            GmailFault.USER_RATE_LIMIT_EXCEEDED_403,
            GmailFault.DAILY_LIMIT_EXCEEDED_403,
            GmailFault.BACKEND_ERROR_500,
            GmailFault.SERVICE_UNAVAILABLE_503);
    if (f == null) {
      return false;
    }
    call.fault = f.rule().fault;
    call.drain();
    switch (f.rule().fault) {
      case TOKEN_REFUSED_401:
        call.error(GoogleError.invalidCredentials());
        break;
      case TOO_MANY_REQUESTS_429:
        call.error(GoogleError.tooManyRequests(Math.max(0, f.rule().retryAfter.toSeconds())));
        break;
      case RATE_LIMIT_EXCEEDED_403:
        call.error(GoogleError.rateLimitExceeded());
        break;
      case USER_RATE_LIMIT_EXCEEDED_403:
        call.error(GoogleError.userRateLimitExceeded());
        break;
      case DAILY_LIMIT_EXCEEDED_403:
        call.error(GoogleError.dailyLimitExceeded());
        break;
      case BACKEND_ERROR_500:
        call.error(GoogleError.backendError());
        break;
      default:
        call.error(GoogleError.unavailable());
    }
    return true;
  }
}
