package dev.mailfetch.testkit;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Something going wrong on a {@link FakePop3Server}'s side, as real servers and networks do.
 *
 * <p>Every fault is bounded in time and bytes and stops by itself: a stall ends after its duration
 * (then the connection closes), endless output stops after {@link #ENDLESS_BYTE_BUDGET} bytes or
 * {@link #ENDLESS_TIME_BUDGET}. A fault applies to every session unless {@link #inSession(int)}
 * names one, so a test can break the first session and let the next one work.
 */
public final class Fault {
  /** Most bytes an endless generator writes before it stops. */
  public static final long ENDLESS_BYTE_BUDGET = 256L << 20;

  /** Longest an endless generator runs before it stops. */
  public static final Duration ENDLESS_TIME_BUDGET = Duration.ofSeconds(60);

  /** Longest a stall, trickle period or delay may be. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(10);

  enum Kind {
    CLOSE_AT_BYTE,
    RESET_AT_BYTE,
    CLOSE_AT_COMMAND,
    RESET_AT_COMMAND,
    STALL_AT_COMMAND,
    TRICKLE,
    GREETING_DELAY,
    IDLE_TIMEOUT,
    ENDLESS_GREETING,
    ENDLESS_LISTING,
    ENDLESS_BODY
  }

  final Kind kind;
  final long bytes;
  final String command;
  final int occurrence;
  final Duration duration;
  final int session;

  private Fault(
      Kind kind, long bytes, String command, int occurrence, Duration duration, int session) {
    this.kind = kind;
    this.bytes = bytes;
    this.command = command;
    this.occurrence = occurrence;
    this.duration = duration;
    this.session = session;
  }

  /** The server closes the connection (FIN) once it has sent {@code n} bytes of the session. */
  public static Fault closeAtByte(long n) {
    return new Fault(Kind.CLOSE_AT_BYTE, nonNegative(n), null, 0, null, 0);
  }

  /** The server resets the connection (RST) once it has sent {@code n} bytes of the session. */
  public static Fault resetAtByte(long n) {
    return new Fault(Kind.RESET_AT_BYTE, nonNegative(n), null, 0, null, 0);
  }

  /**
   * Instead of answering the {@code occurrence}-th {@code command} (a verb such as {@code RETR},
   * counted from 1 in the session), the server closes the connection (FIN).
   */
  public static Fault closeAtCommand(String command, int occurrence) {
    return new Fault(Kind.CLOSE_AT_COMMAND, 0, verb(command), positive(occurrence), null, 0);
  }

  /** As {@link #closeAtCommand}, with a reset (RST) instead of a close. */
  public static Fault resetAtCommand(String command, int occurrence) {
    return new Fault(Kind.RESET_AT_COMMAND, 0, verb(command), positive(occurrence), null, 0);
  }

  /**
   * Before answering the {@code occurrence}-th {@code command}, the server says nothing for {@code
   * duration}, then closes the connection without answering.
   */
  public static Fault stallAtCommand(String command, int occurrence, Duration duration) {
    return new Fault(
        Kind.STALL_AT_COMMAND, 0, verb(command), positive(occurrence), wait(duration), 0);
  }

  /** Everything the server sends goes out {@code bytes} at a time, one write per {@code period}. */
  public static Fault trickle(int bytes, Duration period) {
    return new Fault(Kind.TRICKLE, positive(bytes), null, 0, wait(period), 0);
  }

  /** The greeting comes only after {@code delay} (quirk Q17: slow servers). */
  public static Fault greetingDelay(Duration delay) {
    return new Fault(Kind.GREETING_DELAY, 0, null, 0, wait(delay), 0);
  }

  /**
   * The server drops a session, without a word, when no command arrived for {@code idle} (quirk
   * Q43: Outlook.com drops idle sessions after about 60 seconds).
   */
  public static Fault idleTimeout(Duration idle) {
    return new Fault(Kind.IDLE_TIMEOUT, 0, null, 0, wait(idle), 0);
  }

  /** The greeting line never ends: {@code +OK AAAA…} without a line end (case R-01). */
  public static Fault endlessGreeting() {
    return new Fault(Kind.ENDLESS_GREETING, 0, null, 0, null, 0);
  }

  /** UIDL and LIST without argument list messages for ever, never sending '.' (case R-02). */
  public static Fault endlessListing() {
    return new Fault(Kind.ENDLESS_LISTING, 0, null, 0, null, 0);
  }

  /** RETR and TOP send a body that never ends (case R-03). */
  public static Fault endlessBody() {
    return new Fault(Kind.ENDLESS_BODY, 0, null, 0, null, 0);
  }

  /** This fault, in session {@code n} only (sessions are counted from 1 in accept order). */
  public Fault inSession(int n) {
    return new Fault(kind, bytes, command, occurrence, duration, positive(n));
  }

  boolean appliesTo(int sessionNumber) {
    return session == 0 || session == sessionNumber;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(kind.name().toLowerCase(Locale.ROOT));
    if (command != null) {
      sb.append(' ').append(command).append(" #").append(occurrence);
    }
    if (bytes > 0) {
      sb.append(' ').append(bytes);
    }
    if (duration != null) {
      sb.append(' ').append(duration);
    }
    if (session > 0) {
      sb.append(" in session ").append(session);
    }
    return sb.toString();
  }

  private static String verb(String command) {
    Objects.requireNonNull(command, "command");
    if (command.isEmpty()
        || command.length() > 8
        || !command.chars().allMatch(Character::isLetter)) {
      throw new IllegalArgumentException("command must be a POP3 verb such as RETR: " + command);
    }
    return command.toUpperCase(Locale.ROOT);
  }

  private static long nonNegative(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("must not be negative: " + n);
    }
    return n;
  }

  private static int positive(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("must be 1 or more: " + n);
    }
    return n;
  }

  private static Duration wait(Duration d) {
    Objects.requireNonNull(d, "duration");
    if (d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
      throw new IllegalArgumentException("duration must be from 0 to " + MAX_WAIT + ": " + d);
    }
    return d;
  }
}
