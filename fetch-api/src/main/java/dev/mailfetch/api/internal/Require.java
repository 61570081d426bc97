package dev.mailfetch.api.internal;

import dev.mailfetch.api.MailboxMarks;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The one builder policy of mailfetch, in the words of Caffeine's {@code requireState} and {@code
 * requireArgument}: every builder checks each argument when it is given (an {@link
 * IllegalArgumentException} naming the setting and the value refused), refuses a setting given
 * twice (an {@link IllegalStateException} showing the value it already has: "maxStatusLine was
 * already set to 512"), and checks what only the whole can tell in {@code build()}.
 *
 * <p>Messages are formatted in {@link Locale#ROOT}, so a number reads the same on every machine.
 */
public final class Require {
  private Require() {}

  /**
   * @throws IllegalArgumentException with the formatted message, unless {@code expression}
   */
  public static void requireArgument(boolean expression, String template, Object... args) {
    if (!expression) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, template, args));
    }
  }

  /**
   * @throws IllegalStateException with the formatted message, unless {@code expression}
   */
  public static void requireState(boolean expression, String template, Object... args) {
    if (!expression) {
      throw new IllegalStateException(String.format(Locale.ROOT, template, args));
    }
  }

  /**
   * {@code value}, if above zero.
   *
   * @throws IllegalArgumentException "{@code name} must be positive: {@code value}"
   */
  public static int positive(String name, int value) {
    requireArgument(value > 0, "%s must be positive: %d", name, value);
    return value;
  }

  /**
   * {@code value}, if above zero.
   *
   * @throws IllegalArgumentException "{@code name} must be positive: {@code value}"
   */
  public static long positive(String name, long value) {
    requireArgument(value > 0, "%s must be positive: %d", name, value);
    return value;
  }

  /**
   * {@code value}, if longer than zero.
   *
   * @throws NullPointerException naming the setting, for null
   * @throws IllegalArgumentException "{@code name} must be positive: {@code value}"
   */
  public static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    requireArgument(!value.isNegative() && !value.isZero(), "%s must be positive: %s", name, value);
    return value;
  }

  /**
   * {@code value}, if from {@code min} to {@code max}.
   *
   * @throws IllegalArgumentException "{@code name} must be from {@code min} to {@code max}: {@code
   *     value}"
   */
  public static int range(String name, int value, int min, int max) {
    requireArgument(
        value >= min && value <= max, "%s must be from %d to %d: %d", name, min, max, value);
    return value;
  }

  /**
   * {@code value}, if from {@code min} to {@code max}.
   *
   * @throws IllegalArgumentException "{@code name} must be from {@code min} to {@code max}: {@code
   *     value}"
   */
  public static long range(String name, long value, long min, long max) {
    requireArgument(
        value >= min && value <= max, "%s must be from %d to %d: %d", name, min, max, value);
    return value;
  }

  /**
   * {@code value}, if not empty.
   *
   * @throws NullPointerException naming the setting, for null
   * @throws IllegalArgumentException "{@code name} must not be empty"
   */
  public static String notEmpty(String name, String value) {
    Objects.requireNonNull(value, name);
    requireArgument(!value.isEmpty(), "%s must not be empty", name);
    return value;
  }

  /**
   * Whether {@code mark} is a mailbox mark a store keeps: 1 to {@link
   * dev.mailfetch.api.MailboxMarks#MAX_LENGTH} characters of printable ASCII, so that it fits a
   * journal record and can never break a line of a log.
   */
  public static boolean keepableMark(String mark) {
    if (mark == null || mark.isEmpty() || mark.length() > MailboxMarks.MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < mark.length(); i++) {
      char c = mark.charAt(i);
      if (c < ' ' || c > '~') {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code mark}, checked as a store's {@code recordMailboxMark} takes it.
   *
   * @throws IllegalArgumentException if the mark is not {@linkplain #keepableMark keepable}
   */
  public static Optional<String> mailboxMark(Optional<String> mark) {
    Objects.requireNonNull(mark, "mark");
    if (mark.isPresent() && !keepableMark(mark.get())) {
      throw new IllegalArgumentException(
          "a mailbox mark is 1 to " + MailboxMarks.MAX_LENGTH + " characters of printable ASCII");
    }
    return mark;
  }

  /**
   * The settings one builder was given, so that a second call of a setter is refused with the value
   * the first one left. A builder made from an existing value ({@code toBuilder()}) starts with
   * none given: each setting may then be changed once.
   */
  public static final class Once {
    private final Set<String> given = new HashSet<>();

    /**
     * Records that {@code name} is being set.
     *
     * @param current the value the setting holds now, shown if it was set before
     * @throws IllegalStateException "{@code name} was already set to {@code current}"
     */
    public void set(String name, Object current) {
      requireState(given.add(name), "%s was already set to %s", name, current);
    }

    /**
     * As {@link #set(String, Object)}, for a setting whose value must not be shown (a password, a
     * token source): "{@code name} was already set".
     */
    public void setSecret(String name) {
      requireState(given.add(name), "%s was already set", name);
    }

    /** Whether {@code name} was set. */
    public boolean isSet(String name) {
      return given.contains(name);
    }
  }
}
