package dev.mailfetch.testkit.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * LOGIN, AUTHENTICATE PLAIN (RFC 4616, with SASL-IR, RFC 4959), and XOAUTH2 and OAUTHBEARER (RFC
 * 7628) where a token check was given, for one session: the password or token check and the quirks
 * of a login (I10 renumbers, I23 refuses a second session, I24 asks for a web login). The session
 * sends the tagged OK once it holds the account.
 */
final class ImapLogin {
  private final ImapSettings s;
  private final ImapCommandReader reader;
  private final ImapOutput out;
  private final ImapRecordedSession rec;
  private final int number;

  ImapLogin(
      ImapSettings s,
      ImapCommandReader reader,
      ImapOutput out,
      ImapRecordedSession rec,
      int number) {
    this.s = s;
    this.reader = reader;
    this.out = out;
    this.rec = rec;
    this.number = number;
  }

  /**
   * AUTHENTICATE PLAIN, XOAUTH2 or OAUTHBEARER, with or without an initial response; the account,
   * or null.
   */
  ImapAccount authenticate(String tag, List<ImapCommandReader.Token> a) throws IOException {
    String mechanism = a.isEmpty() ? "" : a.get(0).text().toUpperCase(Locale.ROOT);
    boolean token = mechanism.equals("XOAUTH2") || mechanism.equals("OAUTHBEARER");
    if (a.isEmpty()
        || !(a.get(0).isAtom("PLAIN") || (token && a.get(0).isAtom(mechanism)))
        || !s.offers("AUTH=" + mechanism)) {
      out.line(tag + " NO Unsupported authentication mechanism");
      return null;
    }
    if (s.requireTlsForLogin && !reader.inTls()) {
      out.line(tag + " NO [PRIVACYREQUIRED] Plaintext authentication disallowed");
      return null;
    }
    String response;
    if (a.size() > 1) {
      if (!s.offers("SASL-IR")) {
        out.line(tag + " BAD Initial response not offered (no SASL-IR)");
        return null;
      }
      response = a.get(1).text();
    } else {
      out.line("+ ");
      response = reader.readSaslLine();
      if (response == null) {
        throw new ImapOutput.SessionEnded("client left during AUTHENTICATE");
      }
    }
    if (response.equals("*")) {
      out.line(tag + " BAD Authentication cancelled");
      return null;
    }
    String decoded;
    try {
      byte[] bytes = Base64.getDecoder().decode(response.equals("=") ? "" : response);
      decoded = new String(bytes, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      out.line(tag + " BAD Invalid base64 data");
      return null;
    }
    if (token) {
      return bearer(tag, decoded, mechanism.equals("OAUTHBEARER"));
    }
    String[] parts = decoded.split("\0", -1);
    if (parts.length != 3) {
      out.line(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.");
      return null;
    }
    return check(tag, parts[1], parts[2]);
  }

  /**
   * The user and token of an XOAUTH2 ({@code user=U^Aauth=Bearer T^A^A}) or OAUTHBEARER ({@code
   * n,a=U,^A…auth=Bearer T^A^A}) response, checked; a refused token is answered as Gmail does: the
   * JSON error as a continuation, then NO after the client's response to it.
   */
  private ImapAccount bearer(String tag, String response, boolean oauthBearer) throws IOException {
    String[] parts = response.split("\u0001");
    String user = null;
    String token = null;
    for (String part : parts) {
      if (part.startsWith("user=")) {
        user = part.substring(5);
      } else if (part.startsWith("auth=Bearer ")) {
        token = part.substring(12);
      }
    }
    for (String field : oauthBearer ? parts[0].split(",") : new String[0]) {
      if (field.startsWith("a=")) {
        user = field.substring(2);
      }
    }
    Predicate<String> check = user == null ? null : s.tokenChecks.get(user);
    if (check != null && token != null && check.test(token)) {
      return admit(tag, s.accounts.get(user));
    }
    String json =
        "{\"status\":\""
            + (oauthBearer ? "invalid_token" : "401")
            + "\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}";
    out.line("+ " + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
    if (reader.readSaslLine() == null) {
      throw new ImapOutput.SessionEnded("client left during AUTHENTICATE");
    }
    out.line(tag + " NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)");
    return null;
  }

  /** Checks a user and password (and the login quirks); the account, or null when refused. */
  ImapAccount check(String tag, String user, String password) throws IOException {
    ImapAccount acc = s.accounts.get(user);
    if (acc == null || !acc.password.equals(password)) {
      out.line(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.");
      return null;
    }
    return admit(tag, acc);
  }

  /** The login quirks for {@code acc}, whose credentials were good; the account, or null. */
  private ImapAccount admit(String tag, ImapAccount acc) throws IOException {
    String user = acc.user;
    if (s.has(ImapQuirk.I24_WEBALERT_LOGIN)) {
      out.line(
          "* NO [WEBALERT https://accounts.google.com/signin/continue?sarp=1&scc=1]"
              + " Web login required.");
      out.line(
          tag
              + " NO [ALERT] Please log in via your web browser:"
              + " https://support.google.com/mail/accounts/answer/78754 (Failure)");
      return null;
    }
    AtomicInteger open = s.loggedIn.computeIfAbsent(user, u -> new AtomicInteger());
    if (open.incrementAndGet() > 1 && s.has(ImapQuirk.I23_TOO_MANY_CONNECTIONS)) {
      open.decrementAndGet();
      out.line(tag + " NO [ALERT] Too many simultaneous connections. (Failure)");
      return null;
    }
    rec.loggedIn(user);
    if (s.has(ImapQuirk.I10_UIDVALIDITY_CHANGES_EACH_SESSION) && number > 1) {
      for (ImapAccount.Folder f : acc.folders()) {
        if (f.selectable) {
          acc.renumber(f.name);
        }
      }
    }
    return acc;
  }
}
