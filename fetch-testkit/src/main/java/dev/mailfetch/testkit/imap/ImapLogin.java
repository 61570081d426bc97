package dev.mailfetch.testkit.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * LOGIN and AUTHENTICATE PLAIN (RFC 4616, with SASL-IR, RFC 4959) for one session: the password
 * check and the quirks of a login (I10 renumbers, I23 refuses a second session, I24 asks for a web
 * login). The session sends the tagged OK once it holds the account.
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

  /** AUTHENTICATE PLAIN, with or without an initial response; the account, or null. */
  ImapAccount authenticate(String tag, List<ImapCommandReader.Token> a) throws IOException {
    if (a.isEmpty() || !a.get(0).isAtom("PLAIN") || !s.offers("AUTH=PLAIN")) {
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
    String[] parts;
    try {
      byte[] decoded = Base64.getDecoder().decode(response.equals("=") ? "" : response);
      parts = new String(decoded, StandardCharsets.UTF_8).split("\0", -1);
    } catch (IllegalArgumentException e) {
      out.line(tag + " BAD Invalid base64 data");
      return null;
    }
    if (parts.length != 3) {
      out.line(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.");
      return null;
    }
    return check(tag, parts[1], parts[2]);
  }

  /** Checks a user and password (and the login quirks); the account, or null when refused. */
  ImapAccount check(String tag, String user, String password) throws IOException {
    ImapAccount acc = s.accounts.get(user);
    if (acc == null || !acc.password.equals(password)) {
      out.line(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.");
      return null;
    }
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
