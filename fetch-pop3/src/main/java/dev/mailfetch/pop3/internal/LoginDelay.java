package dev.mailfetch.pop3.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * The {@code LOGIN-DELAY} capability (RFC 2449 §6.5): the shortest time the server allows between
 * two logins, which the protocol-neutral {@link dev.mailfetch.api.Capabilities#loginDelay()}
 * carries to the poller.
 */
final class LoginDelay {
  private LoginDelay() {}

  /**
   * The delay from {@code LOGIN-DELAY n} among the CAPA lines ({@code n} seconds, possibly followed
   * by {@code USER}, as RFC 2449 has it before login); the first such line counts. Empty when no
   * line announces one, or its {@code n} is not 1 to 9 digits.
   */
  static Optional<Duration> announcedIn(Collection<String> capaLines) {
    for (String line : capaLines) {
      String[] words = line.trim().split("[ \t]+");
      if (words.length >= 2
          && words[0].equalsIgnoreCase("LOGIN-DELAY")
          && words[1].matches("[0-9]{1,9}")) {
        return Optional.of(Duration.ofSeconds(Long.parseLong(words[1])));
      }
    }
    return Optional.empty();
  }
}
