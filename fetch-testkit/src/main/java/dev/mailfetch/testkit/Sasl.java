package dev.mailfetch.testkit;

import static dev.mailfetch.testkit.Quirk.Q39_CLOSE_ON_AUTH_FAIL;
import static dev.mailfetch.testkit.Quirk.Q40_STRICT_USER_PASS;
import static dev.mailfetch.testkit.Quirk.Q41_XOAUTH2_TWO_STEP;
import static dev.mailfetch.testkit.Quirk.Q42_OAUTH_ERROR_CONTINUATION;
import static dev.mailfetch.testkit.Quirk.Q49_PROPRIETARY_AUTH;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of POP3's AUTH command (RFC 5034) with the mechanisms the fake server speaks:
 * PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195), XOAUTH2 and OAUTHBEARER (RFC 7628), with the quirks
 * of real servers (Q15 through the {@link Dialect}, Q39–Q42, Q49). What a client's response says is
 * read by pure functions ({@link #plainCredentials}, {@link #xoauth2}, {@link #oauthBearer}, {@link
 * #cramMd5Digest}).
 */
final class Sasl {
  /** What AUTH does with the account a response named (null: none, or the wrong secret). */
  interface Login {
    /** Logs {@code account} in, or refuses a login if null; false ends the session. */
    boolean login(Account account) throws IOException;
  }

  /** A user and a bearer token as an OAuth response carries them; either may be null. */
  record Bearer(String user, String token) {}

  private final FakePop3Server.Settings s;
  private final Set<Quirk> quirks;
  private final Replies replies;
  private final Dialect dialect;
  private final CommandReader reader;
  private final Login login;

  Sasl(FakePop3Server.Settings s, Replies replies, CommandReader reader, Login login) {
    this.s = s;
    this.quirks = s.quirks;
    this.replies = replies;
    this.dialect = replies.dialect();
    this.reader = reader;
    this.login = login;
  }

  private boolean q(Quirk quirk) {
    return quirks.contains(quirk);
  }

  /** AUTH with argument {@code arg} (empty: list the mechanisms); false ends the session. */
  boolean auth(String arg) throws IOException {
    if (s.endlessSaslChallenges && !arg.isEmpty()) {
      response(""); // challenges until the budget ends the session
    }
    if (arg.isEmpty()) {
      if (q(Q40_STRICT_USER_PASS)) {
        replies.err("Invalid command in current state.");
        return true;
      }
      replies.multiline(
          dialect.ok(""), q(Q49_PROPRIETARY_AUTH) ? List.of("MSN", "RPA") : s.mechanisms);
      return true;
    }
    int sp = arg.indexOf(' ');
    String mech = (sp < 0 ? arg : arg.substring(0, sp)).toUpperCase(Locale.ROOT);
    String initial = sp < 0 ? null : arg.substring(sp + 1);
    if (q(Q49_PROPRIETARY_AUTH) || !s.mechanisms.contains(mech)) {
      replies.err("Unsupported authentication mechanism " + mech);
      return true;
    }
    switch (mech) {
      case "PLAIN":
        return plain(initial);
      case "LOGIN":
        return loginMechanism(initial);
      case "XOAUTH2":
        return xoauth2(initial);
      case "OAUTHBEARER":
        return oauthBearer(initial);
      case "CRAM-MD5":
        return cramMd5(initial);
      default:
        // Advertised for a test (RPA, MSN...) but never accepted: a refusal, as for any other.
        replies.err("Unsupported authentication mechanism " + mech);
        return true;
    }
  }

  /** Reads one SASL response line; null if the client cancelled ("*") or sent no base64. */
  private byte[] response(String challenge) throws IOException {
    if (s.endlessSaslChallenges) {
      for (int round = 0; round < 10_000; round++) {
        replies.line(dialect.continuation("Y2hhbGxlbmdlIA=="));
        if (reader.readLine() == null) {
          break;
        }
      }
      throw new ServerOutput.SessionEnded("endless SASL budget used up");
    }
    replies.line(dialect.continuation(challenge));
    String line = reader.readLine();
    if (line == null) {
      throw new ServerOutput.SessionEnded("client went away during AUTH");
    }
    if (line.equals("*")) {
      replies.err("Authentication cancelled");
      return null;
    }
    byte[] r = decode(line);
    if (r == null) {
      replies.err("AUTH", "Invalid base64");
    }
    return r;
  }

  private static byte[] decode(String b64) {
    try {
      return Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private byte[] initialOrAsk(String initial) throws IOException {
    if (initial == null) {
      return response("");
    }
    byte[] r = decode(initial);
    if (r == null) {
      replies.err("AUTH", "Invalid base64");
    }
    return r;
  }

  private boolean plain(String initial) throws IOException {
    byte[] r = initialOrAsk(initial);
    if (r == null) {
      return true;
    }
    String[] userAndPassword = plainCredentials(r);
    if (userAndPassword == null) {
      replies.err("AUTH", "Malformed PLAIN response");
      return true;
    }
    Account a = s.accounts.get(userAndPassword[0]);
    return login.login(a != null && a.password.equals(userAndPassword[1]) ? a : null);
  }

  /**
   * The authentication identity and password of a PLAIN response ({@code authzid NUL authcid NUL
   * passwd}), or null if it does not have these three parts.
   */
  static String[] plainCredentials(byte[] response) {
    String[] parts = new String(response, StandardCharsets.UTF_8).split("\0", -1);
    return parts.length == 3 ? new String[] {parts[1], parts[2]} : null;
  }

  private boolean loginMechanism(String initial) throws IOException {
    byte[] user = initial == null ? response("VXNlcm5hbWU6") : decode(initial);
    if (user == null) {
      return true;
    }
    byte[] pass = response("UGFzc3dvcmQ6");
    if (pass == null) {
      return true;
    }
    Account a = s.accounts.get(new String(user, StandardCharsets.UTF_8));
    return login.login(
        a != null && a.password.equals(new String(pass, StandardCharsets.UTF_8)) ? a : null);
  }

  /**
   * RFC 2195: the challenge is a msg-id with a fresh number; the answer is the user, a space, and
   * the hex HMAC-MD5 of the challenge keyed with the password. No initial response is allowed.
   */
  private boolean cramMd5(String initial) throws IOException {
    if (initial != null) {
      replies.err("AUTH", "CRAM-MD5 takes no initial response");
      return true;
    }
    String challenge =
        "<"
            + ThreadLocalRandom.current().nextLong(1L << 40)
            + "."
            + System.currentTimeMillis()
            + "@fake.pop3.test>";
    byte[] r =
        response(Base64.getEncoder().encodeToString(challenge.getBytes(StandardCharsets.US_ASCII)));
    if (r == null) {
      return true;
    }
    String answer = new String(r, StandardCharsets.UTF_8);
    int sp = answer.lastIndexOf(' ');
    Account a = sp < 0 ? null : s.accounts.get(answer.substring(0, sp));
    if (a == null) {
      return login.login(null);
    }
    return login.login(
        cramMd5Digest(challenge, a.password).equals(answer.substring(sp + 1)) ? a : null);
  }

  /** The hex HMAC-MD5 of {@code challenge} keyed with {@code password} (RFC 2195). */
  static String cramMd5Digest(String challenge, String password) {
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      return HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacMD5 is required of every Java platform", e);
    }
  }

  private boolean xoauth2(String initial) throws IOException {
    if (initial != null && (s.xoauth2TwoStepOnly || q(Q41_XOAUTH2_TWO_STEP))) {
      replies.err("AUTH", "Initial response not allowed; send AUTH XOAUTH2, then the token");
      return true;
    }
    byte[] r = initialOrAsk(initial);
    if (r == null) {
      return true;
    }
    return oauthOutcome(xoauth2(r), false);
  }

  /** The user and token of an XOAUTH2 response: {@code user=<user>^Aauth=Bearer <token>^A^A}. */
  static Bearer xoauth2(byte[] response) {
    String user = null;
    String token = null;
    for (String part : new String(response, StandardCharsets.UTF_8).split("\u0001")) {
      if (part.startsWith("user=")) {
        user = part.substring(5);
      } else if (part.startsWith("auth=Bearer ")) {
        token = part.substring(12);
      }
    }
    return new Bearer(user, token);
  }

  private boolean oauthBearer(String initial) throws IOException {
    byte[] r = initialOrAsk(initial);
    if (r == null) {
      return true;
    }
    return oauthOutcome(oauthBearer(r), true);
  }

  /**
   * The user and token of an OAUTHBEARER response (RFC 7628 §3.1): {@code
   * n,a=<user>,^Ahost=…^Aport=…^Aauth=Bearer <token>^A^A}.
   */
  static Bearer oauthBearer(byte[] response) {
    String user = null;
    String token = null;
    String[] parts = new String(response, StandardCharsets.UTF_8).split("\u0001");
    for (String field : parts[0].split(",")) {
      if (field.startsWith("a=")) {
        user = field.substring(2);
      }
    }
    for (String part : parts) {
      if (part.startsWith("auth=Bearer ")) {
        token = part.substring(12);
      }
    }
    return new Bearer(user, token);
  }

  /**
   * Logs in with a good token. Otherwise fails: with {@code -ERR [AUTH]} at once, or, as Google and
   * Microsoft do (Q42), with the JSON error as a continuation first, then {@code -ERR} after the
   * client's dummy response. An expired token gets status 401, an unknown one 400.
   */
  private boolean oauthOutcome(Bearer given, boolean bearer) throws IOException {
    String token = given.token();
    Account a = given.user() == null ? null : s.accounts.get(given.user());
    Predicate<String> check = a == null ? null : a.tokenCheck;
    boolean checked =
        check != null
            && token != null
            && !a.tokens.contains(token)
            && !a.expiredTokens.contains(token);
    boolean valid = checked && check.test(token);
    if (a != null && token != null && (a.tokens.contains(token) || valid)) {
      return login.login(a);
    }
    boolean expired = a != null && token != null && (a.expiredTokens.contains(token) || checked);
    if (q(Q42_OAUTH_ERROR_CONTINUATION)) {
      String json =
          bearer
              ? "{\"status\":\"invalid_token\",\"scope\":\"https://mail.google.com/\"}"
              : "{\"status\":\""
                  + (expired ? "401" : "400")
                  + "\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}";
      replies.line(
          dialect.continuation(
              Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))));
      if (reader.readLine() == null) {
        return false;
      }
    }
    replies.err("AUTH", expired ? "Token expired" : "Authentication failed");
    return !q(Q39_CLOSE_ON_AUTH_FAIL);
  }
}
