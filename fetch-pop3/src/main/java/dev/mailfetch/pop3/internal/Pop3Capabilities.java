package dev.mailfetch.pop3.internal;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What one CAPA reply said (RFC 2449), parsed once: its lines (upper case, '_' read as '-'),
 * whether CAPA worked at all, the SASL mechanisms, the EXPIRE policy and the LOGIN-DELAY. A value:
 * a later CAPA (after STLS, after login) gives a new one.
 */
final class Pop3Capabilities {
  /** Before any CAPA, or where CAPA was refused or not sent (quirk Q19). */
  static final Pop3Capabilities NONE = new Pop3Capabilities(Set.of(), false);

  private final Set<String> lines;
  private final boolean worked;
  private final Set<String> sasl;
  private final Optional<Duration> expire;
  private final Optional<Duration> loginDelay;

  private Pop3Capabilities(Set<String> lines, boolean worked) {
    this.lines = Collections.unmodifiableSet(new LinkedHashSet<>(lines));
    this.worked = worked;
    this.sasl = Collections.unmodifiableSet(saslOf(this.lines));
    this.expire = expireOf(this.lines);
    this.loginDelay = LoginDelay.announcedIn(this.lines);
  }

  /** The capabilities CAPA listed, as read ({@link #line}). */
  static Pop3Capabilities announced(Set<String> lines) {
    return new Pop3Capabilities(lines, true);
  }

  /**
   * One capability line as a CAPA reply holds it, in the form this value keeps: upper case, with
   * '_' read as '-' (servers that write {@code LOGIN_DELAY}), stripped.
   */
  static String line(String received) {
    return received.toUpperCase(Locale.ROOT).replace('_', '-').strip();
  }

  /**
   * None of the lines, but whether CAPA worked kept: what is left once TLS has started (RFC 2595
   * §4: what was learnt before it is discarded) until the next CAPA.
   */
  Pop3Capabilities forgotten() {
    return new Pop3Capabilities(Set.of(), worked);
  }

  /** The lines, in the order the server sent them. */
  Set<String> lines() {
    return lines;
  }

  /** Whether CAPA was answered +OK (false: refused, or not sent). */
  boolean worked() {
    return worked;
  }

  /** Whether a line is {@code tag}, or starts with it and a space ({@code SASL PLAIN}). */
  boolean has(String tag) {
    for (String line : lines) {
      if (line.equals(tag) || line.startsWith(tag + " ")) {
        return true;
      }
    }
    return false;
  }

  /** The mechanisms of the {@code SASL} lines, upper case, in the server's order. */
  Set<String> saslMechanisms() {
    return sasl;
  }

  /**
   * How long the server keeps mail once retrieved ({@code EXPIRE n}, days; RFC 2449 §6.7): empty
   * for {@code NEVER} or none. Where several lines say it, the last readable one holds.
   */
  Optional<Duration> expire() {
    return expire;
  }

  /**
   * The shortest time between two logins ({@code LOGIN-DELAY n}, seconds; RFC 2449 §6.5), as {@link
   * LoginDelay} reads it.
   */
  Optional<Duration> loginDelay() {
    return loginDelay;
  }

  private static Set<String> saslOf(Set<String> lines) {
    Set<String> out = new LinkedHashSet<>();
    for (String line : lines) {
      if (line.startsWith("SASL ")) {
        for (String m : line.substring(5).split(" +")) {
          out.add(m.toUpperCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  private static Optional<Duration> expireOf(Set<String> lines) {
    Optional<Duration> expire = Optional.empty();
    for (String line : lines) {
      if (line.startsWith("EXPIRE ")) {
        String v = line.substring(7).split(" ")[0];
        if (v.equals("NEVER")) {
          expire = Optional.empty();
        } else if (v.matches("[0-9]{1,6}")) {
          expire = Optional.of(Duration.ofDays(Long.parseLong(v)));
        }
      }
    }
    return expire;
  }

  @Override
  public String toString() {
    return worked ? "CAPA " + lines : "no CAPA";
  }
}
