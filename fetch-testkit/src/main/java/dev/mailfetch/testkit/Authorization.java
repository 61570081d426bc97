package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q17_SLOW_SERVER;
import static dev.mailfetch.testkit.Quirk.Q37_LOCKED_IN_USE;
import static dev.mailfetch.testkit.Quirk.Q37_LOCKED_TEXT;
import static dev.mailfetch.testkit.Quirk.Q38_LOGIN_DELAY_CODE;
import static dev.mailfetch.testkit.Quirk.Q39_CLOSE_ON_AUTH_FAIL;
import static dev.mailfetch.testkit.Quirk.Q40_STRICT_USER_PASS;
import static dev.mailfetch.testkit.Quirk.Q49_PROPRIETARY_AUTH;
import static dev.mailfetch.testkit.Quirk.Q54_PASS_REFUSED_WITHOUT_CODE;
import static dev.mailfetch.testkit.Quirk.Q56_IN_USE_FOR_ANY_FAILURE;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;

/**
 * The AUTHORIZATION state (RFC 1939 §§ 4, 7) of one session: USER/PASS, APOP, AUTH (through {@link
 * Sasl}) and the outcome of a login: the refusals quirks Q37–Q39, Q54 and Q56 give, the maildrop
 * lock, then TRANSACTION. STLS, CAPA and QUIT are the {@link Conversation}'s.
 */
final class Authorization {
  /** What a successful login does: the session enters TRANSACTION on {@code account}. */
  interface Entry {
    void loggedIn(Account account, boolean holdsLock);
  }

  private final FakePop3Server.Settings s;
  private final Set<Quirk> quirks;
  private final Replies replies;
  private final Dialect dialect;
  private final CommandReader reader;
  private final RecordedSession rec;
  private final String apopTimestamp;
  private final Entry entry;
  private final Sasl sasl;
  private String pendingUser;

  /**
   * @param apopTimestamp the greeting's APOP timestamp, or null where it offered none
   */
  Authorization(
      FakePop3Server.Settings s,
      Replies replies,
      CommandReader reader,
      RecordedSession rec,
      String apopTimestamp,
      Entry entry) {
    this.s = s;
    this.quirks = s.quirks;
    this.replies = replies;
    this.dialect = replies.dialect();
    this.reader = reader;
    this.rec = rec;
    this.apopTimestamp = apopTimestamp;
    this.entry = entry;
    this.sasl = new Sasl(s, replies, reader, this::login);
  }

  private boolean q(Quirk quirk) {
    return quirks.contains(quirk);
  }

  /**
   * The user named by a successful USER if the command before this one was that USER, else null;
   * either way it is forgotten: PASS "may only be given ... immediately after a successful USER
   * command" (RFC 1939 §7), so every command calls this.
   */
  String takeUser() {
    String user = pendingUser;
    pendingUser = null;
    return user;
  }

  /**
   * Answers one AUTHORIZATION command; {@code user} is what {@link #takeUser} gave for it. False
   * ends the session.
   */
  boolean command(String verb, String arg, String user) throws IOException {
    switch (verb) {
      case "USER":
        if (!authAllowed()) {
          return true;
        }
        if (!s.userCommand || q(Q49_PROPRIETARY_AUTH)) {
          replies.err("USER not supported");
          return true;
        }
        pendingUser = arg;
        replies.ok("");
        return true;
      case "PASS":
        if (!authAllowed()) {
          return true;
        }
        if (user == null) {
          replies.err(q(Q40_STRICT_USER_PASS) ? "Unknown command." : "PASS must follow USER");
          return true;
        }
        Account a = s.accounts.get(utf8(user));
        return login(
            a != null && (a.password.equals(arg) || a.password.equals(utf8(arg))) ? a : null);
      case "APOP":
        if (!authAllowed()) {
          return true;
        }
        return apop(arg);
      case "AUTH":
        if (!authAllowed()) {
          return true;
        }
        return sasl.auth(arg);
      default:
        replies.err("Unknown command or not allowed before login: " + verb);
        return true;
    }
  }

  /**
   * A command argument (read as ISO-8859-1, one char per byte) decoded as the UTF-8 it usually is.
   */
  static String utf8(String latin1) {
    return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  private boolean authAllowed() throws IOException {
    if (s.requireTlsForAuth && !reader.inTls()) {
      replies.err("AUTH", "Plaintext authentication disallowed on non-secure connections");
      return false;
    }
    return true;
  }

  /** Logs in {@code a}, or fails a login if null; false ends the session (Q39). */
  private boolean login(Account a) throws IOException {
    if (q(Q17_SLOW_SERVER)) {
      ServerOutput.pause(Duration.ofMillis(1500).toNanos());
    }
    if (a == null) {
      replies.err("AUTH", "Authentication failed");
      return !q(Q39_CLOSE_ON_AUTH_FAIL);
    }
    if (q(Q54_PASS_REFUSED_WITHOUT_CODE)) {
      replies.err("message is damaged");
      return true;
    }
    if (q(Q56_IN_USE_FOR_ANY_FAILURE)) {
      // Dovecot sends this code whatever RESP-CODES says: its login process failed inside.
      replies.line(
          dialect.errWithCode(
              "IN-USE", "Internal login failure. Refer to server log for more information."));
      return true;
    }
    if (q(Q37_LOCKED_IN_USE)) {
      replies.err("IN-USE", "Mailbox is locked by another POP3 session.");
      return true;
    }
    if (q(Q37_LOCKED_TEXT)) {
      replies.line(dialect.errAsIs("unable to lock maildrop"));
      return true;
    }
    if (q(Q38_LOGIN_DELAY_CODE)) {
      replies.err("LOGIN-DELAY", "Login allowed only every 15 minutes");
      return true;
    }
    if (s.maildropLock && !a.mailbox.tryLock()) {
      replies.err("IN-USE", "Unable to lock maildrop: it is in use by another session");
      return true;
    }
    entry.loggedIn(a, s.maildropLock);
    rec.loggedIn(a.user);
    replies.ok("Logged in");
    return true;
  }

  private boolean apop(String arg) throws IOException {
    String[] parts = arg.split(" ");
    if (apopTimestamp == null || parts.length != 2) {
      replies.err("APOP not available");
      return true;
    }
    Account a = s.accounts.get(parts[0]);
    if (a == null) {
      return login(null);
    }
    return login(apopDigest(apopTimestamp, a.password).equalsIgnoreCase(parts[1]) ? a : null);
  }

  /** The APOP digest (RFC 1939 §7): hex MD5 of the greeting's timestamp and the password. */
  static String apopDigest(String timestamp, String password) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("MD5")
                  .digest((timestamp + password).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }
}
