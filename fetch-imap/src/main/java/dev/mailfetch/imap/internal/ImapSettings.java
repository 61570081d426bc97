package dev.mailfetch.imap.internal;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.sasl.Password;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Everything one IMAP session needs: where, how secured, with which credentials and limits. Nothing
 * secret in {@link #toString()}.
 *
 * @param host the server's host name or address
 * @param port its port (993 with implicit TLS, else 143, where 0 is given)
 * @param security how the connection is protected
 * @param sslContext the trust to use; null for the JDK's default
 * @param limits caps and deadlines
 * @param user the login name; null for a session that only looks (the doctor's first steps)
 * @param password the password, or null with {@code tokens}
 * @param tokens the OAuth access tokens (XOAUTH2, OAUTHBEARER), or null with {@code password}
 * @param allowPlaintextAuthentication whether credentials may cross a connection without TLS
 * @param account the name in the trace and logs (user@host where null)
 * @param role whose server this is: a sink's destination or a source; the errors' remedies name
 *     that role's options ({@link ImapAdvice})
 */
public record ImapSettings(
    String host,
    int port,
    ImapSecurity security,
    SSLContext sslContext,
    ImapLimits limits,
    String user,
    Password password,
    TokenProvider tokens,
    boolean allowPlaintextAuthentication,
    String account,
    ImapFailures.Role role) {

  /** Settings of a sink's destination ({@link ImapFailures.Role#DESTINATION}). */
  public ImapSettings(
      String host,
      int port,
      ImapSecurity security,
      SSLContext sslContext,
      ImapLimits limits,
      String user,
      Password password,
      TokenProvider tokens,
      boolean allowPlaintextAuthentication,
      String account) {
    this(
        host,
        port,
        security,
        sslContext,
        limits,
        user,
        password,
        tokens,
        allowPlaintextAuthentication,
        account,
        ImapFailures.Role.DESTINATION);
  }

  public ImapSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(role, "role");
    if (port <= 0) {
      port = security == ImapSecurity.IMPLICIT_TLS ? 993 : 143;
    }
    if (account == null) {
      account = (user == null ? "" : user + "@") + host;
    }
  }

  /** The options and builder calls the remedies name, for this server's role. */
  public ImapAdvice advice() {
    return ImapAdvice.of(role);
  }

  /** host:port, as the words of every error name the server. */
  public String server() {
    return host + ":" + port;
  }

  @Override
  public String toString() {
    return "ImapSettings[" + account + " at " + server() + ", " + security + "]";
  }
}
