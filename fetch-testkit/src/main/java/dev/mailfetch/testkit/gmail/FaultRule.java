package dev.mailfetch.testkit.gmail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which {@link GmailFault} to inject, how often and for which requests: an immutable value, each
 * method returning a changed copy. {@code FaultRule.of(fault)} hits once, on the fault's {@link
 * GmailFault#defaultEndpoint() usual request}.
 *
 * <pre>{@code
 * gmail.inject(FaultRule.of(GmailFault.TOO_MANY_REQUESTS_429).times(3).retryAfter(Duration.ofSeconds(2)));
 * gmail.inject(FaultRule.of(GmailFault.MESSAGE_REJECTED_400).always().forMessageContaining("Message-ID: <7@example.org>"));
 * }</pre>
 */
public final class FaultRule {
  /** How many bytes at the start of a message {@link #forMessageContaining} looks at. */
  public static final int MESSAGE_MATCH_WINDOW = 64 * 1024;

  final GmailFault fault;
  final int times; // < 0: always
  final Set<GmailEndpoint> endpoints;
  final byte[] messageNeedle;
  final String account;
  final Duration retryAfter;
  final Duration delay;
  final long afterBytes; // < 0: half the message
  final String reason;

  private FaultRule(
      GmailFault fault,
      int times,
      Set<GmailEndpoint> endpoints,
      byte[] messageNeedle,
      String account,
      Duration retryAfter,
      Duration delay,
      long afterBytes,
      String reason) {
    this.fault = fault;
    this.times = times;
    this.endpoints = endpoints;
    this.messageNeedle = messageNeedle;
    this.account = account;
    this.retryAfter = retryAfter;
    this.delay = delay;
    this.afterBytes = afterBytes;
    this.reason = reason;
  }

  /** The fault, once, on its usual request. */
  public static FaultRule of(GmailFault fault) {
    Objects.requireNonNull(fault, "fault");
    return new FaultRule(
        fault,
        1,
        EnumSet.of(fault.defaultEndpoint()),
        null,
        null,
        Duration.ofSeconds(1),
        fault == GmailFault.STALLED_ANSWER ? Duration.ofMinutes(10) : Duration.ofSeconds(2),
        -1,
        "Invalid From header");
  }

  /** The fault hits the first matching request only (the default). */
  public FaultRule once() {
    return times(1);
  }

  /** The fault hits the first {@code n} matching requests. */
  public FaultRule times(int n) {
    if (n < 1) {
      throw new IllegalArgumentException(
          "times: " + n + " (expected: 1 or more; always() for every request)");
    }
    return copy(n, endpoints, messageNeedle, account, retryAfter, delay, afterBytes, reason);
  }

  /** The fault hits every matching request until removed. */
  public FaultRule always() {
    return copy(-1, endpoints, messageNeedle, account, retryAfter, delay, afterBytes, reason);
  }

  /** The requests the fault hits, instead of its usual one. */
  public FaultRule at(GmailEndpoint first, GmailEndpoint... more) {
    Set<GmailEndpoint> set = EnumSet.of(first, more);
    return copy(times, set, messageNeedle, account, retryAfter, delay, afterBytes, reason);
  }

  /**
   * The fault hits only imports of a message whose first {@link #MESSAGE_MATCH_WINDOW} bytes
   * contain {@code text} (ISO-8859-1 bytes, case-sensitive), for example a {@code Message-ID} or
   * {@code Subject} header line.
   */
  public FaultRule forMessageContaining(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException(
          "forMessageContaining: an empty text matches every message; leave it out instead");
    }
    return copy(
        times,
        endpoints,
        text.getBytes(StandardCharsets.ISO_8859_1),
        account,
        retryAfter,
        delay,
        afterBytes,
        reason);
  }

  /** The fault hits only requests for this mailbox (or tokens of it, at the token endpoint). */
  public FaultRule forAccount(String address) {
    Objects.requireNonNull(address, "address");
    return copy(
        times,
        endpoints,
        messageNeedle,
        address.toLowerCase(Locale.ROOT),
        retryAfter,
        delay,
        afterBytes,
        reason);
  }

  /** The {@code Retry-After} of {@link GmailFault#TOO_MANY_REQUESTS_429} (whole seconds). */
  public FaultRule retryAfter(Duration wait) {
    return copy(
        times,
        endpoints,
        messageNeedle,
        account,
        nonNegative(wait, "retryAfter"),
        delay,
        afterBytes,
        reason);
  }

  /**
   * How late {@link GmailFault#SLOW_UPLOAD} answers; how long {@link GmailFault#STALLED_ANSWER}
   * stays silent.
   */
  public FaultRule delay(Duration wait) {
    return copy(
        times,
        endpoints,
        messageNeedle,
        account,
        retryAfter,
        nonNegative(wait, "delay"),
        afterBytes,
        reason);
  }

  /** After how many bytes of the message {@link GmailFault#CONNECTION_CUT_MID_UPLOAD} cuts. */
  public FaultRule afterBytes(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("afterBytes: " + n + " (expected: 0 or more)");
    }
    return copy(times, endpoints, messageNeedle, account, retryAfter, delay, n, reason);
  }

  /** The reason text of {@link GmailFault#MESSAGE_REJECTED_400}. */
  public FaultRule reason(String text) {
    Objects.requireNonNull(text, "reason");
    return copy(times, endpoints, messageNeedle, account, retryAfter, delay, afterBytes, text);
  }

  /** The fault this rule injects. */
  public GmailFault fault() {
    return fault;
  }

  private FaultRule copy(
      int times,
      Set<GmailEndpoint> endpoints,
      byte[] needle,
      String account,
      Duration retryAfter,
      Duration delay,
      long afterBytes,
      String reason) {
    return new FaultRule(
        fault, times, endpoints, needle, account, retryAfter, delay, afterBytes, reason);
  }

  private static Duration nonNegative(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + ": " + d + " (expected: zero or more)");
    }
    return d;
  }

  /** Refuses a rule that could never hit, so a test does not pass by injecting nothing. */
  void checkReachable() {
    Set<GmailEndpoint> allowed;
    switch (fault) {
      case INVALID_GRANT:
        allowed = EnumSet.of(GmailEndpoint.TOKEN);
        break;
      case MESSAGE_REJECTED_400:
      case SLOW_UPLOAD:
      case CONNECTION_CUT_MID_UPLOAD:
      case RESPONSE_LOST:
        allowed = EnumSet.of(GmailEndpoint.IMPORT);
        break;
      default:
        allowed =
            EnumSet.complementOf(EnumSet.of(GmailEndpoint.AUTHORIZATION, GmailEndpoint.OTHER));
    }
    if (!allowed.containsAll(endpoints)) {
      throw new IllegalArgumentException(fault + " can hit only " + allowed + ", not " + endpoints);
    }
    if (messageNeedle != null && fault == GmailFault.STALLED_ANSWER) {
      throw new IllegalArgumentException(
          "STALLED_ANSWER takes no message condition: it hits the answer, not the upload");
    }
    if (messageNeedle != null && !endpoints.equals(EnumSet.of(GmailEndpoint.IMPORT))) {
      throw new IllegalArgumentException(
          "forMessageContaining needs a message: "
              + fault
              + " at "
              + endpoints
              + " sees none (use IMPORT only)");
    }
  }

  boolean matchesMessage(byte[] head, int length) {
    if (messageNeedle == null) {
      return true;
    }
    outer:
    for (int i = 0; i + messageNeedle.length <= length; i++) {
      for (int j = 0; j < messageNeedle.length; j++) {
        if (head[i + j] != messageNeedle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return fault
        + (times < 0 ? " always" : " x" + times)
        + " at "
        + endpoints
        + (messageNeedle == null
            ? ""
            : " for message containing '"
                + new String(messageNeedle, StandardCharsets.ISO_8859_1)
                + "'")
        + (account == null ? "" : " for " + account);
  }
}
