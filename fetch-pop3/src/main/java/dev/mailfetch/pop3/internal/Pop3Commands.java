package dev.mailfetch.pop3.internal;

/**
 * The POP3 commands this client sends (RFC 1939, 2449, 2595, 5034, 6856): the fixed ones encoded
 * once, the others built from their arguments, each with the redacted form the trace shows.
 */
final class Pop3Commands {
  private Pop3Commands() {}

  static final Pop3Command CAPA = Pop3Command.plain("CAPA");
  static final Pop3Command STLS = Pop3Command.plain("STLS");
  static final Pop3Command UTF8 = Pop3Command.plain("UTF8");
  static final Pop3Command STAT = Pop3Command.plain("STAT");
  static final Pop3Command LIST = Pop3Command.plain("LIST");
  static final Pop3Command UIDL = Pop3Command.plain("UIDL");
  static final Pop3Command NOOP = Pop3Command.plain("NOOP");
  static final Pop3Command RSET = Pop3Command.plain("RSET");
  static final Pop3Command QUIT = Pop3Command.plain("QUIT");

  /** What ends a SASL exchange from the client's side (RFC 5034 §4). */
  static final Pop3Command SASL_CANCEL = Pop3Command.plain("*");

  static Pop3Command retr(int n) {
    return Pop3Command.plain("RETR " + n);
  }

  static Pop3Command top(int n, int lines) {
    return Pop3Command.plain("TOP " + n + " " + lines);
  }

  static Pop3Command dele(int n) {
    return Pop3Command.plain("DELE " + n);
  }

  static Pop3Command uidl(int n) {
    return Pop3Command.plain("UIDL " + n);
  }

  static Pop3Command list(int n) {
    return Pop3Command.plain("LIST " + n);
  }

  static Pop3Command user(String user) {
    return Pop3Command.plain("USER " + user);
  }

  /** Shown as {@code PASS <redacted>}. */
  static Pop3Command pass(String password) {
    return Pop3Command.redacted("PASS " + password, "PASS <redacted>");
  }

  /** Shown without the digest, which a dictionary attack could use. */
  static Pop3Command apop(String user, String digest) {
    return Pop3Command.redacted("APOP " + user + " " + digest, "APOP " + user + " <redacted>");
  }

  /** {@code AUTH mechanism}, with no initial response: nothing secret. */
  static Pop3Command auth(String mechanism) {
    return Pop3Command.plain("AUTH " + mechanism);
  }

  /** {@code AUTH mechanism initial-response}, shown without the response. */
  static Pop3Command auth(String mechanism, String initialResponse) {
    return Pop3Command.redacted(
        "AUTH " + mechanism + " " + initialResponse, "AUTH " + mechanism + " <redacted>");
  }

  /** A SASL client response on its own line, shown as {@code <redacted>}. */
  static Pop3Command saslResponse(String base64) {
    return Pop3Command.redacted(base64, "<redacted>");
  }

  /**
   * The answer to a SASL error sent as a challenge (quirk Q42), shown as {@code <sasl response>}:
   * it holds nothing secret, but what it holds is the mechanism's business.
   */
  static Pop3Command saslAcknowledgement(String response) {
    return Pop3Command.redacted(response, "<sasl response>");
  }
}
