package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.api.internal.sasl.Password;
import dev.mailfetch.api.internal.tls.PemTrust;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The connection settings of an {@code ImapSource.Builder}, {@code ImapAppendSink.Builder} or
 * {@code ImapDoctor.Builder} while they are given: where, how secured, as whom, with which trust
 * and limits. Each is checked when given and refused the second time ({@link Require.Once}); the
 * three public builders delegate here, so the rules are written once (as fetch-smtp's {@code
 * SettingsDraft} does for its two sinks).
 */
public final class ConnectionDraft {
  private final Require.Once once = new Require.Once();
  private String host;
  private int port;
  private ImapSecurity security = ImapSecurity.IMPLICIT_TLS;
  private String user;
  private Supplier<String> password;
  private TokenProvider tokens;
  private boolean allowPlaintext;
  private SSLContext sslContext;
  private Path pemFile;
  private PemTrust pem;
  private ImapLimits limits = ImapLimits.defaults();
  private String takenFrom;

  public void host(String host) {
    given("host");
    once.set("host", this.host);
    this.host = clean("host", host).toLowerCase(Locale.ROOT);
  }

  public void port(int port) {
    given("port");
    once.set("port", this.port);
    this.port = Require.range("port", port, 1, 65535);
  }

  public void security(ImapSecurity security) {
    given("security");
    once.set("security", this.security);
    this.security = Objects.requireNonNull(security, "security");
  }

  public void user(String user) {
    given("user");
    once.set("user", this.user);
    this.user = clean("user", user);
  }

  public void password(Supplier<String> password) {
    given("password");
    once.setSecret("password");
    this.password = Objects.requireNonNull(password, "password");
  }

  public void oauthTokens(TokenProvider tokens) {
    given("oauthTokens");
    once.setSecret("oauthTokens");
    this.tokens = Objects.requireNonNull(tokens, "oauthTokens");
  }

  public void allowPlaintextAuthentication(boolean allow) {
    given("allowPlaintextAuthentication");
    once.set("allowPlaintextAuthentication", this.allowPlaintext);
    this.allowPlaintext = allow;
  }

  public void sslContext(SSLContext context) {
    given("sslContext");
    Require.requireState(
        !once.isSet("trustPem"), "sslContext cannot be combined with trustPem (%s)", pemFile);
    once.set("sslContext", this.sslContext);
    this.sslContext = Objects.requireNonNull(context, "sslContext");
  }

  /** Read at once: an unreadable file is refused here, naming it. */
  public void trustPem(Path pemFile) {
    given("trustPem");
    Require.requireState(
        !once.isSet("sslContext"), "trustPem cannot be combined with sslContext (%s)", sslContext);
    once.set("trustPem", this.pemFile);
    this.pem = PemTrust.load(Objects.requireNonNull(pemFile, "trustPem"));
    this.pemFile = pemFile;
  }

  public void limits(ImapLimits limits) {
    given("limits");
    once.set("limits", this.limits);
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * From now on the connection comes from elsewhere ({@code ImapDoctor.Builder.source}): any
   * setting given before or after is refused, naming {@code what}.
   */
  public void takeFrom(String what) {
    Require.requireState(
        !anyGiven(),
        "%s cannot be combined with the connection settings given already (host, port, user…):"
            + " the source's are examined",
        what);
    this.takenFrom = what;
  }

  private void given(String name) {
    Require.requireState(
        takenFrom == null,
        "%s cannot be combined with %s: its connection settings are examined",
        name,
        takenFrom);
  }

  private boolean anyGiven() {
    for (String name :
        new String[] {
          "host",
          "port",
          "security",
          "user",
          "password",
          "oauthTokens",
          "allowPlaintextAuthentication",
          "sslContext",
          "trustPem",
          "limits"
        }) {
      if (once.isSet(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * What a source and a sink need before they are built: where, as whom, with a secret, and the
   * plain-text opt-in where nothing is encrypted.
   *
   * @throws IllegalStateException naming what is missing or contradicts
   */
  public void requireLogin() {
    Require.requireState(host != null && user != null, "host and user are required");
    Require.requireState(
        password != null || tokens != null, "a password or an OAuth token provider is required");
    requirePlaintextOptIn();
  }

  /**
   * What the doctor needs: a host, and the plain-text opt-in only where a secret would cross an
   * unencrypted connection (without one it only looks).
   */
  public void requireHost() {
    Require.requireState(host != null, "host is required");
    if (password != null || tokens != null) {
      requirePlaintextOptIn();
    }
  }

  private void requirePlaintextOptIn() {
    Require.requireState(
        security != ImapSecurity.NONE || allowPlaintext,
        "ImapSecurity.NONE sends the password in plain text; call"
            + " allowPlaintextAuthentication(true) to accept that, or use IMPLICIT_TLS or STARTTLS");
  }

  /** The port given, else the security's usual one (993 with implicit TLS, 143 otherwise). */
  public int port() {
    return port != 0 ? port : security == ImapSecurity.IMPLICIT_TLS ? 993 : 143;
  }

  public String host() {
    return host;
  }

  public String user() {
    return user;
  }

  public ImapSecurity security() {
    return security;
  }

  public ImapLimits limits() {
    return limits;
  }

  /** The trust manager of {@code trustPem}, or null: the doctor describes a chain by it. */
  public X509ExtendedTrustManager pemTrust() {
    return pem != null && pem.trustManager() instanceof X509ExtendedTrustManager x ? x : null;
  }

  /**
   * The settings of a session, as given.
   *
   * @param account the name in the trace and logs (and a source's state)
   * @param role whose server it is: the remedies name that role's options
   */
  public ImapSettings settings(String account, ImapFailures.Role role) {
    return settings(limits, account, role);
  }

  /** As {@link #settings(String, ImapFailures.Role)} with other limits (the doctor's bounded). */
  public ImapSettings settings(ImapLimits limits, String account, ImapFailures.Role role) {
    Supplier<String> pw = password;
    Password secret = pw == null ? null : pw::get;
    return new ImapSettings(
        host,
        port(),
        security,
        pem != null ? pem.context() : sslContext,
        limits,
        user,
        secret,
        tokens,
        allowPlaintext,
        account,
        role);
  }

  /** A name or value that goes into an IMAP command: not empty, no CR, LF or NUL. */
  public static String clean(String name, String value) {
    Require.notEmpty(name, value);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      Require.requireArgument(
          c != '\r' && c != '\n' && c != '\0',
          "%s must not contain CR, LF or NUL (they would start a new IMAP command): %s",
          name,
          FetchException.escape(value));
    }
    return value;
  }
}
