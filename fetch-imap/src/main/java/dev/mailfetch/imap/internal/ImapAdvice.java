package dev.mailfetch.imap.internal;

import dev.mailfetch.api.Remedy;
import java.time.Duration;

/**
 * What a person can type, and what a developer can call, about the IMAP server in its {@link
 * ImapFailures.Role}: a sink's destination is configured with {@code --sink-…} options and {@code
 * ImapAppendSink.builder()}, a source with the source's options. Every remedy of the IMAP client
 * that names a setting takes it from here, so that no error advises an option the person did not
 * use.
 *
 * @param tls the option choosing the security ("--sink-tls")
 * @param plaintextAuth the option allowing a password without TLS
 * @param trust the option naming the CA certificates to trust, with its argument
 * @param secret the options giving the secret, in words
 * @param doctor how a person runs the doctor on this server
 * @param timeout the option that gives slow servers more time, or null where there is none
 * @param builder the library's builder call, the start of every library remedy
 * @param check the library's doctor for this server
 */
public record ImapAdvice(
    String tls,
    String plaintextAuth,
    String trust,
    String secret,
    String doctor,
    String timeout,
    String builder,
    String check) {

  /** The words for the destination of {@code ImapAppendSink} (the CLI's {@code --to imap…}). */
  public static final ImapAdvice DESTINATION =
      new ImapAdvice(
          "--sink-tls",
          "--sink-allow-plaintext-auth",
          "--sink-trust-pem FILE",
          "--sink-password-env NAME (or --sink-password-file, --sink-oauth-token-env,"
              + " --sink-oauth-token-file, --sink-oauth-grant-file)",
          "mailfetch doctor --to URL",
          null,
          "ImapAppendSink.builder()",
          "ImapAppendSink.check()");

  /** The words for an IMAP server fetched from (the source of the next issue). */
  public static final ImapAdvice SOURCE =
      new ImapAdvice(
          "--tls",
          "--allow-plaintext-auth",
          "--ca-file FILE",
          "--password-env NAME (or --password-file, --oauth-token-env, --oauth-token-file)",
          "mailfetch doctor URL",
          "--timeout SECONDS",
          "the IMAP source's builder",
          "the IMAP source's check");

  /** The words for {@code role}. */
  public static ImapAdvice of(ImapFailures.Role role) {
    return role == ImapFailures.Role.SOURCE ? SOURCE : DESTINATION;
  }

  /** Plain text instead of STARTTLS: the opt-out, and only on a network the person trusts. */
  Remedy noStartTls() {
    return Remedy.of(
        "Use implicit TLS (an imaps:// URL, port 993) if the server has it; "
            + tls
            + " none only on a network you trust.",
        "Use "
            + builder
            + ".security(ImapSecurity.IMPLICIT_TLS) (port 993) if the server has it;"
            + " security(ImapSecurity.NONE) only on a network you trust.");
  }

  /** Credentials refused on a connection without TLS. */
  Remedy plaintextRefused() {
    return Remedy.of(
        "Use imaps:// or STARTTLS; "
            + tls
            + " none with "
            + plaintextAuth
            + " only on a network you trust.",
        "Use "
            + builder
            + ".security(ImapSecurity.IMPLICIT_TLS) or STARTTLS;"
            + " allowPlaintextAuthentication(true) only on a network you trust.");
  }

  /** The server's certificate is signed by an authority not trusted here. */
  Remedy untrusted() {
    return Remedy.of(
        "If this is your own or a private server, trust its authority with "
            + trust
            + " (that authority's certificate as PEM); otherwise do not connect.",
        "If this is your own or a private server, trust its authority with "
            + builder
            + ".trustPem(Path) (that authority's certificate as PEM); otherwise do not connect.");
  }

  /** The user name or password was refused. */
  Remedy wrongCredentials(String server) {
    return Remedy.of(
        "Check the user name in the URL and the password (or app password) given with "
            + secret
            + " for "
            + server
            + ".",
        "Check the user(String) and password(Supplier) given to "
            + builder
            + " for "
            + server
            + ".");
  }

  /** No login method fits the credentials given. */
  Remedy noLoginMethod() {
    return Remedy.of(
        "Give a password or an OAuth token the server accepts ("
            + secret
            + "); over STARTTLS, some servers offer login only after TLS.",
        "Give "
            + builder
            + " a password(Supplier) or oauthTokens(TokenProvider) the server accepts; over"
            + " STARTTLS, some servers offer login only after TLS.");
  }

  /** A limit of {@code ImapLimits} was reached. */
  Remedy raiseLimit(String setting, Object now) {
    return Remedy.of(
        "If the server is yours and this is expected, its answers are larger than mailfetch"
            + " accepts; otherwise tell the provider: such a server is broken or hostile.",
        "Raise it with "
            + builder
            + ".limits(ImapLimits.builder()."
            + setting
            + "(…)) (now "
            + now
            + ") if this is expected.");
  }

  /** A deadline of {@code ImapLimits} passed ({@code now} in words). */
  Remedy slowServer(String setting, String now) {
    return Remedy.of(
        timeout == null
            ? "Try again later; if it keeps happening, tell the provider (or, for your own server,"
                + " its administrator) that the server is slow to answer."
            : "Try again later; if it keeps happening, tell the provider, or give a slow server more"
                + " time with "
                + timeout
                + " (now "
                + now
                + ").",
        "Try again later; if the server is slow but working, raise it with "
            + builder
            + ".limits(ImapLimits.builder()."
            + setting
            + "(…)) (now "
            + now
            + ").");
  }

  /** The TLS handshake did not finish within {@code allowed}. */
  Remedy slowHandshake(Duration allowed) {
    return slowServer("handshakeTimeout", allowed.toSeconds() + " s");
  }
}
