package dev.mailfetch.testkit.gmail;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer in Google's JSON error shape, {@code
 * {"error":{"code":..,"message":..,"errors":[{"message":..,"domain":..,"reason":..}],"status":..}}},
 * with the response headers that go with it. The texts are the reference's where it gives them.
 */
final class GoogleError {
  static final String REALM = "Bearer realm=\"https://accounts.google.com/\"";
  private static final String DEVCONSOLE =
      " Expected OAuth 2 access token, login cookie or other valid authentication credential."
          + " See https://developers.google.com/identity/sign-in/web/devconsole-project.";

  final int code;
  final String message;
  final String domain;
  final String reason;
  final String status;
  final String location;
  final String itemMessage;
  final Map<String, String> headers = new LinkedHashMap<>();

  private GoogleError(
      int code,
      String message,
      String itemMessage,
      String domain,
      String reason,
      String status,
      String location) {
    this.code = code;
    this.message = message;
    this.itemMessage = itemMessage;
    this.domain = domain;
    this.reason = reason;
    this.status = status;
    this.location = location;
  }

  GoogleError header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  static GoogleError missingCredentials() {
    return new GoogleError(
            401,
            "Request is missing required authentication credential." + DEVCONSOLE,
            "Login Required.",
            "global",
            "required",
            "UNAUTHENTICATED",
            "Authorization")
        .header("WWW-Authenticate", REALM);
  }

  static GoogleError invalidCredentials() {
    return new GoogleError(
            401,
            "Request had invalid authentication credentials." + DEVCONSOLE,
            "Invalid Credentials",
            "global",
            "authError",
            "UNAUTHENTICATED",
            "Authorization")
        .header("WWW-Authenticate", REALM + ", error=\"invalid_token\"");
  }

  static GoogleError insufficientScopes(String scopesThatWork) {
    return new GoogleError(
            403,
            "Request had insufficient authentication scopes.",
            "Insufficient Permission",
            "global",
            "insufficientPermissions",
            "PERMISSION_DENIED",
            null)
        .header(
            "WWW-Authenticate",
            REALM + ", error=\"insufficient_scope\", scope=\"" + scopesThatWork + "\"");
  }

  static GoogleError delegationDenied(String userId) {
    return simple(
        403, "Delegation denied for " + userId, "global", "forbidden", "PERMISSION_DENIED");
  }

  static GoogleError tooManyRequests(long retryAfterSeconds) {
    return simple(
            429, "Rate Limit Exceeded", "usageLimits", "rateLimitExceeded", "RESOURCE_EXHAUSTED")
        .header("Retry-After", Long.toString(retryAfterSeconds));
  }

  static GoogleError tooManyConcurrentRequests() {
    return simple(
        429,
        "Too many concurrent requests for user",
        "usageLimits",
        "rateLimitExceeded",
        "RESOURCE_EXHAUSTED");
  }

  static GoogleError rateLimitExceeded() {
    return simple(
        403, "Rate Limit Exceeded", "usageLimits", "rateLimitExceeded", "PERMISSION_DENIED");
  }

  static GoogleError userRateLimitExceeded() {
    return simple(
        403,
        "User Rate Limit Exceeded",
        "usageLimits",
        "userRateLimitExceeded",
        "PERMISSION_DENIED");
  }

  static GoogleError dailyLimitExceeded() {
    return simple(
        403, "Daily Limit Exceeded", "usageLimits", "dailyLimitExceeded", "PERMISSION_DENIED");
  }

  static GoogleError backendError() {
    return simple(500, "Backend Error", "global", "backendError", "INTERNAL");
  }

  static GoogleError unavailable() {
    return simple(
        503, "The service is currently unavailable.", "global", "backendError", "UNAVAILABLE");
  }

  static GoogleError invalidArgument(String message) {
    return simple(400, message, "global", "invalidArgument", "INVALID_ARGUMENT");
  }

  static GoogleError badRequest(String message) {
    return simple(400, message, "global", "badRequest", "INVALID_ARGUMENT");
  }

  static GoogleError notFound() {
    return simple(404, "Requested entity was not found.", "global", "notFound", "NOT_FOUND");
  }

  static GoogleError methodNotAllowed() {
    return simple(405, "Method Not Allowed", "global", "methodNotAllowed", "UNIMPLEMENTED");
  }

  static GoogleError labelExists() {
    return simple(409, "Label name exists or conflicts", "global", "duplicate", "ALREADY_EXISTS");
  }

  static GoogleError tooLarge(long limit) {
    return simple(
        413,
        "Request payload size exceeds the limit: " + limit + " bytes.",
        "global",
        "uploadTooLarge",
        "FAILED_PRECONDITION");
  }

  private static GoogleError simple(
      int code, String message, String domain, String reason, String status) {
    return new GoogleError(code, message, message, domain, reason, status, null);
  }

  byte[] body() {
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeObjectFieldStart("error");
          g.writeNumberField("code", code);
          g.writeStringField("message", message);
          g.writeArrayFieldStart("errors");
          g.writeStartObject();
          g.writeStringField("message", itemMessage);
          g.writeStringField("domain", domain);
          g.writeStringField("reason", reason);
          if (location != null) {
            g.writeStringField("location", location);
            g.writeStringField("locationType", "header");
          }
          g.writeEndObject();
          g.writeEndArray();
          g.writeStringField("status", status);
          g.writeEndObject();
          g.writeEndObject();
        });
  }
}
