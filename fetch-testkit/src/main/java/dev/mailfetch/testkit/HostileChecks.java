package dev.mailfetch.testkit;

import dev.mailfetch.api.FetchException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The checks of a client that a server can make, over every session it recorded ({@code
 * docs/hostile.md}): a client is "vulnerable" to a {@link HostileCase} if any of them finds
 * something.
 *
 * <ol>
 *   <li>No secret crossed a plain-text channel (unless the test allowed plain-text login).
 *   <li>Bounded time: no session lasted longer than twice the client's operation deadline.
 *   <li>No DELE for a message the server had never finished sending (in any session).
 *   <li>No command carried a message number RFC 1939 does not allow (a token taken from a broken
 *       listing instead of validated).
 * </ol>
 *
 * <p>The other checks (bounded memory, typed failures only, no secret or raw control byte in logs
 * or exceptions) are the client's side; its tests make them.
 *
 * <pre>{@code
 * List<String> found = HostileChecks.violations(server, List.of(password, token), false, Duration.ofSeconds(20));
 * assertEquals(List.of(), found);
 * }</pre>
 */
public final class HostileChecks {
  private HostileChecks() {}

  /**
   * What the server found wrong in the client's behaviour, one sentence each; empty when the client
   * passed. Waits (up to twice the deadline) for sessions still running to end first.
   *
   * @param secrets the password, tokens and anything else that must not cross in plain text
   * @param plaintextLoginAllowed true if the test allowed plain-text login by name
   * @param operationDeadline the client's own deadline for one operation
   */
  public static List<String> violations(
      FakePop3Server server,
      Collection<String> secrets,
      boolean plaintextLoginAllowed,
      Duration operationDeadline) {
    List<String> found = new ArrayList<>();
    Duration bound = operationDeadline.multipliedBy(2);
    try {
      server.awaitSessionsEnded(bound);
    } catch (IllegalStateException stillRunning) {
      found.add("a session was still running after " + bound + " (twice the operation deadline)");
    }
    for (RecordedSession s : server.sessions()) {
      String who = "session " + s.number() + ": ";
      if (!plaintextLoginAllowed) {
        for (String secret : secrets) {
          if (s.sentInPlaintext(secret)) {
            found.add(who + "a secret crossed a plain-text channel");
          }
        }
      }
      if (s.ended() && s.duration().compareTo(bound) > 0) {
        found.add(
            who + "lasted " + s.duration() + ", more than twice the deadline " + operationDeadline);
      }
      for (String dele : s.deletionsOfUnsentMessages()) {
        found.add(
            who
                + "\""
                + FetchException.escape(dele)
                + "\" for a message the server never finished sending");
      }
      for (String cmd : s.commandsWithUnlistedNumbers()) {
        found.add(
            who
                + "\""
                + FetchException.escape(cmd)
                + "\" uses a message number RFC 1939 does not allow");
      }
    }
    return found;
  }
}
