package dev.mailfetch.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a session can do that decides what the engine may do with it.
 *
 * @param stableUids whether every listed message has a unique id that persists across sessions (for
 *     POP3: UIDL advertised and working). Leaving mail on the server needs it.
 * @param expire how long the server keeps retrieved mail, where it says so (POP3 {@code EXPIRE},
 *     RFC 2449 §6.7): {@link Duration#ZERO} means it keeps none, so mail cannot be left on it;
 *     empty means it did not say or keeps mail as long as the user likes ({@code EXPIRE NEVER}).
 * @param announced the capability names the server announced, upper case, for reports
 */
public record Capabilities(boolean stableUids, Optional<Duration> expire, Set<String> announced) {
  /**
   * Checks the components and keeps a copy of {@code announced}.
   *
   * @param stableUids whether every listed message has a unique id that persists across sessions
   *     (for POP3: UIDL advertised and working). Leaving mail on the server needs it.
   * @param expire how long the server keeps retrieved mail, where it says so (POP3 {@code EXPIRE},
   *     RFC 2449 §6.7): {@link Duration#ZERO} means it keeps none, so mail cannot be left on it;
   *     empty means it did not say or keeps mail as long as the user likes ({@code EXPIRE NEVER}).
   * @param announced the capability names the server announced, upper case, for reports
   * @throws NullPointerException if {@code expire} or {@code announced} is null
   * @throws IllegalArgumentException if {@code expire} holds a negative duration
   */
  public Capabilities {
    Objects.requireNonNull(expire, "expire");
    expire.ifPresent(
        d -> {
          if (d.isNegative()) {
            throw new IllegalArgumentException("expire must not be negative: " + d);
          }
        });
    announced = Set.copyOf(announced);
  }

  /** A session with stable unique ids and no expiry policy: the common, compliant case. */
  public static Capabilities standard() {
    return new Capabilities(true, Optional.empty(), Set.of());
  }

  /** Whether the server allows mail to stay on it after retrieval ({@code EXPIRE} is not 0). */
  /**
   * The shortest time the server allows between two logins, from {@code LOGIN-DELAY n} (RFC 2449;
   * {@code n} seconds, possibly followed by {@code USER}); empty when it announces none.
   */
  public Optional<Duration> loginDelay() {
    for (String line : announced) {
      String[] words = line.trim().split("[ \t]+");
      if (words.length >= 2
          && words[0].equalsIgnoreCase("LOGIN-DELAY")
          && words[1].matches("[0-9]{1,9}")) {
        return Optional.of(Duration.ofSeconds(Long.parseLong(words[1])));
      }
    }
    return Optional.empty();
  }

  public boolean allowsLeavingMail() {
    return expire.map(d -> !d.isZero()).orElse(true);
  }
}
