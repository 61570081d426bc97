package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.smtp.SmtpLimits;
import dev.mailfetch.smtp.SmtpSecurity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The settings of an {@code LmtpSink.Builder} or {@code SmtpSink.Builder} while they are given:
 * each checked when given and refused the second time ({@link Require.Once}), the whole checked in
 * {@link #build}. The two public builders delegate here, so the rules are written once.
 */
public final class SettingsDraft {
  private final boolean lmtp;
  private String host;
  private int port;
  private Path socket;
  private SmtpSecurity security;
  private String user;
  private Supplier<String> password;
  private TokenProvider tokens;
  private boolean allowPlaintext;
  private SSLContext sslContext;
  private Path pemFile;
  private List<String> recipients;
  private String sender;
  private Path journal;
  private SmtpLimits limits = SmtpLimits.defaults();
  private String heloName;
  private final Require.Once once = new Require.Once();

  public SettingsDraft(boolean lmtp) {
    this.lmtp = lmtp;
    this.security = lmtp ? SmtpSecurity.NONE : SmtpSecurity.STARTTLS;
  }

  public void host(String host) {
    Require.requireState(!once.isSet("socket"), "host cannot be combined with socket (%s)", socket);
    once.set("host", this.host);
    this.host = clean("host", host);
  }

  public void port(int port) {
    Require.requireState(!once.isSet("socket"), "port cannot be combined with socket (%s)", socket);
    once.set("port", this.port);
    this.port = Require.range("port", port, 1, 65535);
  }

  public void socket(Path socket) {
    Require.requireState(
        !once.isSet("host") && !once.isSet("port"),
        "socket cannot be combined with host and port (%s:%d)",
        host,
        port);
    once.set("socket", this.socket);
    this.socket = Objects.requireNonNull(socket, "socket");
  }

  public void security(SmtpSecurity security) {
    once.set("security", this.security);
    this.security = Objects.requireNonNull(security, "security");
  }

  public void user(String user) {
    once.set("user", this.user);
    this.user = clean("user", user);
  }

  public void password(Supplier<String> password) {
    once.setSecret("password");
    this.password = Objects.requireNonNull(password, "password");
  }

  public void oauthTokens(TokenProvider tokens) {
    once.setSecret("oauthTokens");
    this.tokens = Objects.requireNonNull(tokens, "oauthTokens");
  }

  public void allowPlaintextAuthentication(boolean allow) {
    once.set("allowPlaintextAuthentication", this.allowPlaintext);
    this.allowPlaintext = allow;
  }

  public void sslContext(SSLContext context) {
    Require.requireState(
        !once.isSet("trustPem"), "sslContext cannot be combined with trustPem (%s)", pemFile);
    once.set("sslContext", this.sslContext);
    this.sslContext = Objects.requireNonNull(context, "sslContext");
  }

  public void trustPem(Path pemFile) {
    Require.requireState(
        !once.isSet("sslContext"), "trustPem cannot be combined with sslContext (%s)", sslContext);
    once.set("trustPem", this.pemFile);
    this.sslContext = Tls.trustingPem(Objects.requireNonNull(pemFile, "trustPem"));
    this.pemFile = pemFile;
  }

  public void recipients(String... recipients) {
    once.set("recipients", this.recipients);
    Require.requireArgument(recipients.length > 0, "recipients needs at least one address");
    List<String> list = new ArrayList<>();
    for (String r : recipients) {
      list.add(
          lmtp ? Addresses.checkLmtpRecipient("recipients", r) : Addresses.check("recipients", r));
    }
    this.recipients = List.copyOf(list);
  }

  public void sender(String sender) {
    once.set("sender", this.sender);
    this.sender = Addresses.check("sender", sender);
  }

  public void journal(Path journal) {
    once.set("journal", this.journal);
    this.journal = Objects.requireNonNull(journal, "journal");
  }

  public void limits(SmtpLimits limits) {
    once.set("limits", this.limits);
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public void heloName(String name) {
    once.set("heloName", this.heloName);
    Require.requireArgument(
        name != null && name.matches("[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]"),
        "heloName must be a domain name or an address literal: %s",
        name);
    this.heloName = name;
  }

  /**
   * The settings as a whole.
   *
   * @throws IllegalStateException when something required is missing or settings contradict
   */
  public Settings build() {
    Require.requireState(
        host != null || socket != null,
        lmtp ? "host (with port) or socket is required" : "host is required");
    Require.requireState(recipients != null, "recipients are required");
    if (socket != null) {
      Require.requireState(
          security == SmtpSecurity.NONE,
          "a Unix socket is local: it takes SmtpSecurity.NONE, not %s",
          security);
    }
    Require.requireState(
        (password == null && tokens == null) || user != null,
        "a password or token provider needs user(...) as well");
    Require.requireState(
        user == null || password != null || tokens != null,
        "user %s needs a password or an OAuth token provider",
        user);
    if (user != null && security == SmtpSecurity.NONE && socket == null) {
      Require.requireState(
          allowPlaintext,
          "SmtpSecurity.NONE sends the password in plain text; call"
              + " allowPlaintextAuthentication(true) to accept that, or use IMPLICIT_TLS or STARTTLS");
    }
    int thePort = port != 0 ? port : defaultPort(lmtp, security);
    String helo = heloName != null ? heloName : "localhost";
    return new Settings(
        lmtp,
        host,
        socket == null ? thePort : 0,
        socket,
        security,
        user,
        password,
        tokens,
        allowPlaintext,
        sslContext,
        recipients,
        sender,
        journal,
        limits,
        helo);
  }

  private static int defaultPort(boolean lmtp, SmtpSecurity security) {
    if (security == SmtpSecurity.IMPLICIT_TLS) {
      return 465;
    }
    return lmtp ? 24 : 25;
  }

  private static String clean(String name, String value) {
    Require.notEmpty(name, value);
    Require.requireArgument(
        value.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0),
        "%s must not contain CR, LF or NUL",
        name);
    return value;
  }
}
