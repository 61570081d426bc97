package dev.mailfetch.imap.internal;

/** How a session logs in: the LOGIN command, or AUTHENTICATE with one SASL mechanism. */
public enum LoginMethod {
  /** AUTHENTICATE PLAIN (RFC 4616), the initial response with the command where SASL-IR allows. */
  AUTHENTICATE_PLAIN,
  /** AUTHENTICATE LOGIN: the user name, then the password, each on request. */
  AUTHENTICATE_LOGIN,
  /** The LOGIN command (RFC 9051 §6.2.3), refused where the server says LOGINDISABLED. */
  LOGIN,
  /** AUTHENTICATE XOAUTH2 with an OAuth access token (Gmail, Outlook). */
  XOAUTH2,
  /** AUTHENTICATE OAUTHBEARER (RFC 7628) with an OAuth access token. */
  OAUTHBEARER,
  /**
   * None: the server greeted with {@code * PREAUTH} (RFC 9051 §7.1.4), the session is logged in
   * already (a server started for this user, or one that knows the client by other means).
   */
  PREAUTH;

  /** How a person reads it: "LOGIN", "AUTHENTICATE PLAIN". */
  public String words() {
    return switch (this) {
      case LOGIN -> "LOGIN";
      case PREAUTH -> "the server's PREAUTH greeting (no login needed)";
      default -> "AUTHENTICATE " + saslName();
    };
  }

  /** The SASL mechanism's name; null for LOGIN. */
  String saslName() {
    return switch (this) {
      case AUTHENTICATE_PLAIN -> "PLAIN";
      case AUTHENTICATE_LOGIN -> "LOGIN";
      case XOAUTH2 -> "XOAUTH2";
      case OAUTHBEARER -> "OAUTHBEARER";
      case LOGIN, PREAUTH -> null;
    };
  }
}
