package dev.mailfetch.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a session can do that decides what the engine may do with it, and what a poller must heed.
 * The source reads it from the server in its own protocol's words; this value has none of them.
 *
 * @param stableUids whether every listed message has a unique id that persists across sessions (for
 *     POP3: UIDL advertised and working). Leaving mail on the server needs it.
 * @param expire how long the server keeps retrieved mail, where it says so (POP3 {@code EXPIRE},
 *     RFC 2449 §6.7): {@link Duration#ZERO} means it keeps none, so mail cannot be left on it;
 *     empty means it did not say or keeps mail as long as the user likes ({@code EXPIRE NEVER}).
 * @param loginDelay the shortest time the server allows between two logins, where it says so (POP3
 *     {@code LOGIN-DELAY}, RFC 2449 §6.5); empty when it announces none
 * @param announced the capability names the server announced, upper case, for reports
 */
public record Capabilities(
    boolean stableUids,
    Optional<Duration> expire,
    Optional<Duration> loginDelay,
    Set<String> announced) {
  /**
   * Checks the components and keeps a copy of {@code announced}.
   *
   * @param stableUids whether every listed message has a unique id that persists across sessions
   *     (for POP3: UIDL advertised and working). Leaving mail on the server needs it.
   * @param expire how long the server keeps retrieved mail, where it says so (POP3 {@code EXPIRE},
   *     RFC 2449 §6.7): {@link Duration#ZERO} means it keeps none, so mail cannot be left on it;
   *     empty means it did not say or keeps mail as long as the user likes ({@code EXPIRE NEVER}).
   * @param loginDelay the shortest time the server allows between two logins, where it says so
   *     (POP3 {@code LOGIN-DELAY}, RFC 2449 §6.5); empty when it announces none
   * @param announced the capability names the server announced, upper case, for reports
   * @throws NullPointerException if {@code expire}, {@code loginDelay} or {@code announced} is null
   * @throws IllegalArgumentException if {@code expire} or {@code loginDelay} holds a negative
   *     duration
   */
  public Capabilities {
    notNegative("expire", expire);
    notNegative("loginDelay", loginDelay);
    announced = Set.copyOf(announced);
  }

  private static void notNegative(String name, Optional<Duration> value) {
    Objects.requireNonNull(value, name);
    value.ifPresent(
        d -> {
          if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
          }
        });
  }

  /** A session with stable unique ids, no expiry policy and no login delay: the common case. */
  public static Capabilities standard() {
    return new Capabilities(true, Optional.empty(), Optional.empty(), Set.of());
  }

  /** Whether the server allows mail to stay on it after retrieval ({@code EXPIRE} is not 0). */
  public boolean allowsLeavingMail() {
    return expire.map(d -> !d.isZero()).orElse(true);
  }
}
