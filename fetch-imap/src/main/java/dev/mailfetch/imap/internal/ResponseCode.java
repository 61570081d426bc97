package dev.mailfetch.imap.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The response code of a status response ({@code [ALERT]}, {@code [OVERQUOTA]}, {@code [APPENDUID
 * 38505 3955]} ... RFC 9051 §7.1, RFC 5530): its name, upper case, and its arguments as sent. What
 * each means for the user is {@link ImapFailures}'.
 *
 * @param name the code's name, upper case
 * @param arguments what followed the name inside the brackets, one char per byte; empty if none
 */
public record ResponseCode(String name, String arguments) {

  /** UIDPLUS's answer to an APPEND (RFC 4315): the mailbox's UIDVALIDITY and the new UID(s). */
  public record AppendUid(long uidValidity, String uids) {}

  /** The code at the start of {@code data} (what follows OK/NO/BAD/BYE), or null if none. */
  static ResponseCode parse(String data) {
    if (!data.startsWith("[")) {
      return null;
    }
    int end = data.indexOf(']');
    // A code's arguments may hold brackets only in BADCHARSET-like lists; none the client reads.
    if (end < 0) {
      return null;
    }
    String inside = data.substring(1, end);
    int sp = inside.indexOf(' ');
    String name = (sp < 0 ? inside : inside.substring(0, sp)).toUpperCase(Locale.ROOT);
    return new ResponseCode(name, sp < 0 ? "" : inside.substring(sp + 1));
  }

  /** Whether this is the code {@code n} (upper case). */
  public boolean is(String n) {
    return name.equals(n);
  }

  /** The APPENDUID of an APPEND's OK, where the server has UIDPLUS. */
  public Optional<AppendUid> appendUid() {
    if (!is("APPENDUID")) {
      return Optional.empty();
    }
    String[] p = arguments.trim().split(" ");
    if (p.length != 2 || !isNumber(p[0])) {
      return Optional.empty();
    }
    return Optional.of(new AppendUid(Long.parseLong(p[0]), p[1]));
  }

  /** The number argument of {@code [UIDVALIDITY n]}, {@code [UIDNEXT n]} and the like. */
  public Optional<Long> number() {
    String a = arguments.trim();
    return isNumber(a) ? Optional.of(Long.parseLong(a)) : Optional.empty();
  }

  /** The capabilities of a {@code [CAPABILITY ...]} code. */
  public List<String> capabilities() {
    return is("CAPABILITY") ? List.of(arguments.trim().split(" +")) : List.of();
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.length() < 19 && s.chars().allMatch(Character::isDigit);
  }

  @Override
  public String toString() {
    return "[" + name + (arguments.isEmpty() ? "" : " " + arguments) + "]";
  }
}
