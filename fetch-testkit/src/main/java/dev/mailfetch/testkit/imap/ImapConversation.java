package dev.mailfetch.testkit.imap;

import dev.mailfetch.testkit.TlsMode;
import dev.mailfetch.testkit.internal.ServerTls;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;

/**
 * One client connection to a {@link FakeImapServer}: the states of RFC 9051 §3 (not authenticated,
 * authenticated, selected, logout), STARTTLS and implicit TLS, LOGIN and AUTHENTICATE PLAIN,
 * CAPABILITY, ENABLE, ID, CREATE, SELECT/EXAMINE, IDLE ({@link ImapIdle}), NOOP, LOGOUT. LIST,
 * STATUS and NAMESPACE are {@link ImapListing}'s; APPEND is {@link ImapAppend}'s; the commands on a
 * selected folder are {@link ImapSelected}'s; the faults are {@link ImapFaultPlayer}'s, the quirks
 * of the login and SELECT here, the others where they bite.
 */
final class ImapConversation {
  private final Socket socket;
  private final ImapSettings s;
  private final ImapRecordedSession rec;
  private final int number;
  private ImapOutput out;
  private ImapCommandReader reader;
  private ImapFaultPlayer faults;
  private ImapAccount account;
  private ImapSelected selected;
  private ImapQuirkPlay quirks;
  private final List<String> enabled = new ArrayList<>();

  ImapConversation(Socket socket, ImapSettings s, ImapRecordedSession rec, int number) {
    this.socket = socket;
    this.s = s;
    this.rec = rec;
    this.number = number;
  }

  void run() {
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) s.idleTimeout.toMillis());
      out = new ImapOutput(socket, socket.getOutputStream());
      reader = new ImapCommandReader(socket.getInputStream(), rec, out, s);
      faults = new ImapFaultPlayer(s.faults, number, s.appendedOnServer, socket, out, rec);
      quirks = new ImapQuirkPlay(s, number);
      out.throttled(s.has(ImapQuirk.I07_GMAIL_THROTTLED));
      faults.reader(reader);
      reader.gate(faults);
      if (s.tls == TlsMode.IMPLICIT) {
        startTls();
      }
      out.line("* OK [CAPABILITY " + capabilities() + "] " + s.greeting);
      while (true) {
        ImapCommandReader.Command c = reader.read();
        if (c == null) {
          if (reader.timedOut() && s.has(ImapQuirk.I13_BYE_AUTOLOGOUT)) {
            rec.endedBy("autologout");
            out.line("* BYE Autologout; idle for too long");
          }
          return;
        }
        if (!s.replyDelay.isZero()) {
          sleep(s.replyDelay.toMillis());
        }
        // The next command was pipelined if it arrived before we began this answer.
        boolean early = reader.moreArrived();
        faults.beforeAnswer(c.verb());
        handle(c);
        reader.nextPipelined(early);
      }
    } catch (IOException e) {
      // The session ends: a fault, the client closing, an idle timeout, or the server closing.
    } finally {
      if (account != null) {
        s.loggedIn.get(account.user).decrementAndGet();
      }
    }
  }

  /** The capabilities for the session's state, as CAPABILITY lists them. */
  String capabilities() {
    List<String> caps = new ArrayList<>();
    boolean few = account == null && s.has(ImapQuirk.I15_CAPABILITIES_GROW_AFTER_LOGIN);
    for (String c : s.capabilities) {
      if (account != null && (c.startsWith("AUTH=") || c.equals("SASL-IR"))) {
        continue;
      }
      if (few && !c.startsWith("AUTH=") && !c.equals("SASL-IR") && !c.startsWith("IMAP4")) {
        continue;
      }
      caps.add(c);
    }
    if (account == null && !reader.inTls()) {
      if (s.tls == TlsMode.STLS) {
        caps.add("STARTTLS");
      }
      if (s.requireTlsForLogin) {
        caps.add("LOGINDISABLED");
      }
    }
    return String.join(" ", caps);
  }

  private void handle(ImapCommandReader.Command c) throws IOException {
    String tag = c.tag();
    if (tag.isEmpty() || c.verb().isEmpty()) {
      out.line((tag.isEmpty() ? "*" : tag) + " BAD Missing tag or command");
      return;
    }
    switch (c.verb()) {
      case "CAPABILITY":
        out.line("* CAPABILITY " + capabilities());
        ok(tag, "CAPABILITY completed");
        return;
      case "NOOP":
        if (selected != null) {
          selected.noop();
        }
        ok(tag, "NOOP completed");
        return;
      case "LOGOUT":
        out.line("* BYE Logging out");
        ok(tag, "LOGOUT completed");
        rec.endedBy("LOGOUT");
        out.end("LOGOUT");
        return;
      case "ID":
        out.line(
            s.gmail
                ? "* ID (\"name\" \"GImap\" \"vendor\" \"Google, Inc.\")"
                : "* ID (\"name\" \"mailfetch testkit\")");
        ok(tag, "ID completed");
        return;
      default:
        break;
    }
    if (account == null) {
      notAuthenticated(c);
    } else {
      authenticated(c);
    }
  }

  private void notAuthenticated(ImapCommandReader.Command c) throws IOException {
    String tag = c.tag();
    List<ImapCommandReader.Token> a = c.args();
    switch (c.verb()) {
      case "STARTTLS":
        if (s.tls != TlsMode.STLS || reader.inTls()) {
          out.line(tag + " BAD STARTTLS not available");
          return;
        }
        String forged = faults.injectedAfterStarttls();
        out.line(tag + " OK Begin TLS negotiation now" + (forged == null ? "" : "\r\n" + forged));
        startTls();
        return;
      case "LOGIN":
        if (a.size() != 2) {
          out.line(tag + " BAD LOGIN needs a user and a password");
          return;
        }
        if (s.requireTlsForLogin && !reader.inTls()) {
          out.line(tag + " NO [PRIVACYREQUIRED] Plaintext authentication disallowed");
          return;
        }
        login(tag, a.get(0).text(), a.get(1).text());
        return;
      case "AUTHENTICATE":
        authenticate(tag, a);
        return;
      default:
        out.line(tag + " BAD " + c.verb() + " needs a login first, or is unknown");
    }
  }

  private void authenticate(String tag, List<ImapCommandReader.Token> a) throws IOException {
    if (a.isEmpty() || !a.get(0).isAtom("PLAIN") || !s.offers("AUTH=PLAIN")) {
      out.line(tag + " NO Unsupported authentication mechanism");
      return;
    }
    if (s.requireTlsForLogin && !reader.inTls()) {
      out.line(tag + " NO [PRIVACYREQUIRED] Plaintext authentication disallowed");
      return;
    }
    String response;
    if (a.size() > 1) {
      if (!s.offers("SASL-IR")) {
        out.line(tag + " BAD Initial response not offered (no SASL-IR)");
        return;
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
      return;
    }
    String[] parts;
    try {
      byte[] decoded = Base64.getDecoder().decode(response.equals("=") ? "" : response);
      parts = new String(decoded, StandardCharsets.UTF_8).split("\0", -1);
    } catch (IllegalArgumentException e) {
      out.line(tag + " BAD Invalid base64 data");
      return;
    }
    if (parts.length != 3) {
      out.line(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.");
      return;
    }
    login(tag, parts[1], parts[2]);
  }

  private void login(String tag, String user, String password) throws IOException {
    ImapAccount acc = s.accounts.get(user);
    if (acc == null || !acc.password.equals(password)) {
      out.line(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.");
      return;
    }
    if (s.has(ImapQuirk.I24_WEBALERT_LOGIN)) {
      out.line(
          "* NO [WEBALERT https://accounts.google.com/signin/continue?sarp=1&scc=1]"
              + " Web login required.");
      out.line(
          tag
              + " NO [ALERT] Please log in via your web browser:"
              + " https://support.google.com/mail/accounts/answer/78754 (Failure)");
      return;
    }
    AtomicInteger open = s.loggedIn.computeIfAbsent(user, u -> new AtomicInteger());
    if (open.incrementAndGet() > 1 && s.has(ImapQuirk.I23_TOO_MANY_CONNECTIONS)) {
      open.decrementAndGet();
      out.line(tag + " NO [ALERT] Too many simultaneous connections. (Failure)");
      return;
    }
    account = acc;
    rec.loggedIn(user);
    if (s.has(ImapQuirk.I10_UIDVALIDITY_CHANGES_EACH_SESSION) && number > 1) {
      for (ImapAccount.Folder f : acc.folders()) {
        if (f.selectable) {
          acc.renumber(f.name);
        }
      }
    }
    ok(
        tag,
        s.has(ImapQuirk.I15_CAPABILITIES_GROW_AFTER_LOGIN)
            ? "Logged in"
            : "[CAPABILITY " + capabilities() + "] Logged in");
  }

  private void authenticated(ImapCommandReader.Command c) throws IOException {
    String tag = c.tag();
    List<ImapCommandReader.Token> a = c.args();
    switch (c.verb()) {
      case "STARTTLS":
      case "LOGIN":
      case "AUTHENTICATE":
        out.line(tag + " BAD Already logged in");
        return;
      case "ENABLE":
        enable(tag, a);
        return;
      case "LIST":
        new ImapListing(account, out, quirks).list(tag, a);
        return;
      case "STATUS":
        new ImapListing(account, out, quirks).status(tag, a);
        return;
      case "NAMESPACE":
        new ImapListing(account, out, quirks).namespace(tag);
        return;
      case "IDLE":
        if (!s.offers("IDLE")) {
          out.line(tag + " BAD IDLE not offered");
          return;
        }
        new ImapIdle(s, socket, reader, out, rec, selected).run(tag);
        return;
      case "CREATE":
        create(tag, a);
        return;
      case "SELECT":
      case "EXAMINE":
        select(tag, c.verb(), a);
        return;
      case "APPEND":
        new ImapAppend(s, account, out, faults, selected).run(tag, a);
        return;
      case "CLOSE":
      case "UNSELECT":
        if (selected == null) {
          out.line(tag + " BAD No folder selected");
          return;
        }
        if (c.verb().equals("UNSELECT") && !s.offers("UNSELECT")) {
          out.line(tag + " BAD UNSELECT not offered");
          return;
        }
        if (c.verb().equals("CLOSE") && !selected.readOnly) {
          account.expunge(selected.folder);
        }
        selected = null;
        ok(tag, c.verb() + " completed");
        return;
      default:
        if (selected != null && selected.handles(c.verb())) {
          selected.run(tag, c.verb(), a, enabled.contains("IMAP4REV2"));
          return;
        }
        out.line(tag + " BAD Unknown command or no folder selected: " + c.verb());
    }
  }

  private void enable(String tag, List<ImapCommandReader.Token> a) throws IOException {
    if (!s.offers("ENABLE")) {
      out.line(tag + " BAD ENABLE not offered");
      return;
    }
    List<String> now = new ArrayList<>();
    for (ImapCommandReader.Token t : a) {
      String cap = t.text().toUpperCase(Locale.ROOT);
      if (s.offers(cap) && !enabled.contains(cap)) {
        enabled.add(cap);
        now.add(t.text());
      }
    }
    out.line("* ENABLED" + (now.isEmpty() ? "" : " " + String.join(" ", now)));
    ok(tag, "ENABLE completed");
  }

  private void create(String tag, List<ImapCommandReader.Token> a) throws IOException {
    if (a.size() != 1) {
      out.line(tag + " BAD CREATE needs a folder name");
      return;
    }
    String name = a.get(0).text();
    if (name.endsWith(String.valueOf(account.delimiter))) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.isEmpty() || !account.create(name)) {
      out.line(tag + " NO [ALREADYEXISTS] Mailbox already exists");
      return;
    }
    ok(tag, "CREATE completed");
  }

  private void select(String tag, String verb, List<ImapCommandReader.Token> a) throws IOException {
    selected = null;
    if (a.isEmpty()) {
      out.line(tag + " BAD " + verb + " needs a folder name");
      return;
    }
    ImapAccount.Folder f = account.folder(a.get(0).text());
    if (f == null || !f.selectable) {
      out.line(tag + " NO [NONEXISTENT] Mailbox doesn't exist: " + a.get(0).text());
      return;
    }
    if (quirks.inFirstSession(ImapQuirk.I14_UNAVAILABLE_ONCE)) {
      out.line(tag + " NO [UNAVAILABLE] Temporary failure");
      return;
    }
    boolean readOnly = verb.equals("EXAMINE");
    selected = new ImapSelected(account, f.name, readOnly, out, s, quirks);
    selected.announce();
    if (s.has(ImapQuirk.I17_UNTAGGED_ALERT)) {
      out.line("* OK [ALERT] Your account is approaching its storage limit");
    }
    ok(tag, (readOnly ? "[READ-ONLY] " : "[READ-WRITE] ") + verb + " completed");
  }

  private void ok(String tag, String text) throws IOException {
    out.line(tag + " OK " + text);
  }

  private void startTls() throws IOException {
    // Bytes the client sent after STARTTLS and before we switch belong to its ClientHello.
    SSLSocket ssl = ServerTls.handshake(s.sslContext, s.tlsProtocols, socket, reader.takeUnread());
    rec.tls(ssl.getSession().getProtocol(), ServerTls.sni(ssl));
    reader.switchToTls(ssl.getInputStream());
    out.switchTo(ssl.getOutputStream());
  }

  /** A mailbox name as a quoted string (UTF-8 names are sent as they are: UTF8=ACCEPT). */
  static String mailbox(String name) {
    return quoted(name);
  }

  static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImapOutput.SessionEnded("server stopped");
    }
  }
}
