package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.imap.ImapSecurity;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One IMAP session, as the sink and the source use it: {@link #open} connects, secures (implicit
 * TLS, or STARTTLS required before anything else) and reads the capabilities; {@link #login} logs
 * in; the commands after that are sent with {@link #send} (several in flight) and their replies
 * read with {@link #await}, or one at a time with the commands below. NO and BAD become errors in
 * {@link ImapFailures} only: the calls that return a {@link TaggedReply} leave the choice to the
 * caller.
 */
public final class ImapSession implements Closeable {
  private final ImapConnection c;
  private final ImapFailures.Role role;
  private LoginMethod loggedInWith;
  private boolean utf8;
  private Optional<String> delimiter;
  private boolean preauthenticated;

  /** The most {@code [ALERT]}s quoted in one error's words (the latest). */
  private static final int ALERTS_QUOTED = 3;

  private ImapSession(ImapConnection c, ImapFailures.Role role) {
    this.c = c;
    this.role = role;
  }

  /** Opens a session to the server in the role its settings say. */
  public static ImapSession open(ImapSettings settings) throws FetchException {
    return open(settings, settings.role());
  }

  /**
   * Connects, secures as {@code settings.security()} says, reads the greeting and the capabilities;
   * with STARTTLS, stops before any credential if the server does not offer it or it fails.
   */
  public static ImapSession open(ImapSettings settings, ImapFailures.Role role)
      throws FetchException {
    ImapConnection c = new ImapConnection(settings);
    ImapSession session = new ImapSession(c, role);
    try {
      c.connect();
      if (settings.security() == ImapSecurity.IMPLICIT_TLS) {
        c.secure(false);
      }
      ImapLine greeting = c.greeting();
      if (greeting.name().equalsIgnoreCase("PREAUTH")) {
        if (settings.security() == ImapSecurity.STARTTLS && !c.secured()) {
          throw ImapTls.preauthBeforeTls(c.server(), greeting);
        }
        session.preauthenticated = true;
      }
      ResponseCode code = greeting.code();
      if (code != null && code.is("CAPABILITY")) {
        c.capabilities(new ImapCapabilities(code.capabilities()));
      } else {
        session.capability();
      }
      if (settings.security() == ImapSecurity.STARTTLS) { // PREAUTH without TLS was refused above
        session.startTls();
      }
      return session;
    } catch (FetchException e) {
      c.close();
      throw session.failed(e);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private void startTls() throws FetchException {
    if (!c.capabilities().has("STARTTLS")) {
      throw ImapTls.startTlsMissing(c.settings(), null);
    }
    TaggedReply r = c.run(ImapCommand.of("STARTTLS").build());
    if (!r.ok()) {
      throw ImapTls.startTlsMissing(c.settings(), r.line());
    }
    if (c.buffered() > 0) { // nothing may follow the reply before TLS: an injection
      throw ImapTls.injected(c.server(), c.buffered());
    }
    c.secure(true); // bytes that came during the handshake are dropped there, and refused
    capability(); // what was said before TLS is forgotten (RFC 9051 §6.2.1)
  }

  /** Asks CAPABILITY and keeps the answer. */
  public ImapCapabilities capability() throws FetchException {
    TaggedReply r = expectOk(ImapCommand.of("CAPABILITY").build());
    List<String> names = new ArrayList<>();
    for (ImapLine l : r.untagged("CAPABILITY")) {
      names.addAll(List.of(l.data().trim().split(" +")));
    }
    c.capabilities(new ImapCapabilities(names));
    return c.capabilities();
  }

  /** What the server said it can do, last. */
  public ImapCapabilities capabilities() {
    return c.capabilities();
  }

  /** The TLS version, where the connection is secured. */
  public Optional<String> tlsVersion() {
    return c.tlsVersion();
  }

  /** host:port. */
  public String server() {
    return c.server();
  }

  /**
   * Logs in with the first of the usual methods the server offers: with a token XOAUTH2, else
   * OAUTHBEARER; with a password AUTHENTICATE PLAIN, else LOGIN, else AUTHENTICATE LOGIN. Reads the
   * capabilities again and enables UTF8=ACCEPT where offered.
   */
  public LoginMethod login() throws FetchException {
    return login(
        List.of(
            LoginMethod.XOAUTH2,
            LoginMethod.OAUTHBEARER,
            LoginMethod.AUTHENTICATE_PLAIN,
            LoginMethod.LOGIN,
            LoginMethod.AUTHENTICATE_LOGIN));
  }

  /** Logs in with the first of {@code allowed} the server offers. */
  public LoginMethod login(List<LoginMethod> allowed) throws FetchException {
    try {
      return loginOnce(allowed);
    } catch (FetchException e) {
      throw failed(e);
    }
  }

  private LoginMethod loginOnce(List<LoginMethod> allowed) throws FetchException {
    LoginMethod method;
    if (preauthenticated) {
      // Logged in by the greeting: no credential is sent; its capabilities are the session's.
      method = LoginMethod.PREAUTH;
    } else {
      ImapLogin login = new ImapLogin(c, role);
      method = login.choose(allowed);
      TaggedReply ok = login.login(method);
      ResponseCode code = ok.code();
      if (code != null && code.is("CAPABILITY")) {
        c.capabilities(new ImapCapabilities(code.capabilities()));
      } else {
        capability();
      }
    }
    loggedInWith = method;
    if (c.capabilities().has("UTF8=ACCEPT")) {
      TaggedReply r = c.run(ImapCommand.of("ENABLE").atom("UTF8=ACCEPT").build());
      utf8 = r.ok() && r.untagged("ENABLED").stream().anyMatch(l -> l.data().contains("UTF8"));
    }
    return method;
  }

  /** How the session logged in; empty before. */
  public Optional<LoginMethod> loggedInWith() {
    return Optional.ofNullable(loggedInWith);
  }

  /** Whether mailbox names go as UTF-8 (UTF8=ACCEPT enabled) rather than modified UTF-7. */
  public boolean utf8() {
    return utf8;
  }

  /** Sends {@code command} without waiting; returns its tag for {@link #await}. */
  public String send(ImapCommand command) throws FetchException {
    try {
      return c.send(command);
    } catch (FetchException e) {
      throw failed(e);
    }
  }

  /** The tagged reply to the command sent with {@code tag}, NO and BAD included. */
  public TaggedReply await(String tag) throws FetchException {
    try {
      return c.await(tag);
    } catch (FetchException e) {
      throw failed(e);
    }
  }

  /** Sends {@code command} and reads its reply, NO and BAD included. */
  public TaggedReply run(ImapCommand command) throws FetchException {
    return await(send(command));
  }

  /** Sends {@code command} and reads its reply; a NO or BAD is thrown as its error. */
  public TaggedReply expectOk(ImapCommand command) throws FetchException {
    return ok(run(command));
  }

  /** {@code reply} if OK; else its error ({@link ImapFailures#refused}). */
  public TaggedReply ok(TaggedReply reply) throws FetchException {
    if (!reply.ok()) {
      throw withAlerts(ImapFailures.refused(reply, c.server(), role));
    }
    return reply;
  }

  /** The {@code [ALERT]}s the server sent, for the user. */
  public List<ImapLine> alerts() {
    return c.alerts();
  }

  /**
   * {@code e} as this session's role says (a sink's lost connection is its place's: {@link
   * ImapFailures#asRole}), with the session's {@code [ALERT]}s.
   */
  private FetchException failed(FetchException e) {
    return withAlerts(ImapFailures.asRole(e, c.server(), role));
  }

  /**
   * {@code e} with the {@code [ALERT]}s of this session after its words (RFC 9051 §7.1: the user
   * must see them), the latest few, each unless the words quote it already.
   */
  public FetchException withAlerts(FetchException e) {
    List<ImapLine> all = c.alerts();
    FetchException told = e;
    for (ImapLine a : all.subList(Math.max(0, all.size() - ALERTS_QUOTED), all.size())) {
      String text = FetchException.escape(a.text());
      if (!told.getMessage().contains(text)) {
        told = told.withConsequence("the server's alert: \"" + text + "\"", null);
      }
    }
    return told;
  }

  /**
   * Sends every literal synchronizing from now on, even where LITERAL+ is offered: a server that
   * refuses a message's size then says NO before its bytes instead of ending the session ({@code
   * false}: LITERAL+ again where offered).
   */
  public void synchronizingLiterals(boolean only) {
    c.synchronizingOnly(only);
  }

  /** Commands sent and not yet awaited. */
  public int inFlight() {
    return c.inFlight();
  }

  /** The commands of the sink and the source: CREATE, SELECT, APPEND, UID SEARCH... */
  public ImapCommands commands() {
    return new ImapCommands(this);
  }

  /**
   * The hierarchy delimiter ({@code LIST "" ""}), empty where the server has a flat namespace.
   * Asked once.
   */
  public Optional<String> delimiter() throws FetchException {
    if (delimiter == null) {
      TaggedReply r = expectOk(ImapCommand.of("LIST").string("").string("").build());
      delimiter = Optional.empty();
      for (ImapLine l : r.untagged("LIST")) {
        List<Object> t = l.tokens();
        if (t.size() >= 2 && t.get(1) instanceof String d && !d.isEmpty()) {
          delimiter = Optional.of(d);
        }
      }
    }
    return delimiter;
  }

  /** LOGOUT, then the connection closed; errors on the way are of no use any more. */
  public void logout() {
    try {
      if (!c.broken()) {
        c.run(ImapCommand.of("LOGOUT").build());
      }
    } catch (FetchException ignored) {
      // the session ends anyway: nothing was waiting for this
    } finally {
      c.close();
    }
  }

  /** Whether the connection broke (or was closed): nothing more can be sent. */
  public boolean connectionBroken() {
    return c.broken();
  }

  /** Closes the connection at once (no LOGOUT). */
  @Override
  public void close() {
    c.close();
  }

  ImapConnection connection() {
    return c;
  }
}
