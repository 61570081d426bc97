package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Tolerance;

/**
 * What the POP3 client's errors advise, in the two forms of {@link Remedy}: the {@code mailfetch}
 * options for a person at the command line, the builder calls for a developer. An error's detail
 * says what happened in words; the advice lives here, so that nothing a person reads names an
 * identifier they cannot type. (The limits have their own: {@link Limit#remedy}.)
 */
final class Advice {
  private Advice() {}

  /** Nothing listens on {@code port}: a wrong port, or a service that is down. */
  static Remedy refused(int port) {
    return Remedy.of(
        "Check the port: port "
            + port
            + " was tried; POP3 over TLS uses 995 (pop3s://), POP3 with STARTTLS 110"
            + " (pop3://), and a :PORT in the URL overrides them. If the port is right, the mail service is down:"
            + " try again later, or ask the provider.",
        "Check the port given to the source's builder (port(int); "
            + port
            + " was tried; 995 for"
            + " Security.IMPLICIT_TLS, 110 for Security.STARTTLS). If it is right, the mail service is down: try"
            + " again later, or ask the provider.");
  }

  /** STLS agreed, then no TLS (quirk Q23, case N-04): the words of the doctor's STLS_FAILED. */
  static Remedy stlsBroken() {
    return Remedy.of(
        "Use implicit TLS (a pop3s:// URL, usually port 995) if the server has it; tell the provider"
            + " their STARTTLS is broken (mailfetch doctor URL shows what it answers, to send them).",
        "Use Security.IMPLICIT_TLS (usually port 995) if the server has it; tell the provider their STARTTLS is"
            + " broken (Pop3Doctor shows what it answers, to send them).");
  }

  /** Implicit TLS was spoken to a port that greets in plain text. */
  static Remedy plainTextPort(int port) {
    return Remedy.of(
        "Port "
            + port
            + " expects STARTTLS or no encryption: use a pop3:// URL (or --tls starttls) on it, or"
            + " implicit TLS (pop3s://) on port 995.",
        "Port "
            + port
            + " expects STARTTLS or no encryption: use security(Security.STARTTLS) on it, or"
            + " Security.IMPLICIT_TLS on port 995.");
  }

  /**
   * Bytes came between the server's STLS reply and the handshake ({@code what}): injected on the
   * way (the STARTTLS command-injection attack) or a broken STARTTLS (quirk Q23). Either way
   * nothing before TLS can be trusted, and implicit TLS leaves nothing to inject into.
   */
  static FetchException injectedBeforeTls(String server, String what) {
    return new FetchException(
        FetchError.TLS_FAILED,
        server
            + " sent "
            + what
            + " after its"
            + " STLS reply and before TLS began: something on the way may be injecting replies (an attack on STARTTLS),"
            + " or the server's STARTTLS is broken (quirk "
            + QuirkId.Q23
            + "); the session stops, and no credentials were sent",
        null,
        null,
        Remedy.of(
            "Use implicit TLS if the server offers it (a pop3s:// URL, or --tls implicit, usually port 995): it"
                + " leaves nothing to inject into. Otherwise do not fetch over this network, and tell the provider"
                + " their STARTTLS answer was followed by stray data.",
            "Use Security.IMPLICIT_TLS if the server offers it (usually port 995): it leaves nothing to inject into."
                + " Otherwise do not fetch over this network, and tell the provider their STARTTLS answer was followed"
                + " by stray data."));
  }

  /**
   * STLS answered {@code r}, a {@code -ERR}. A server that lists STLS in CAPA ({@code listed}), or
   * answers with a response code, knows STLS and refused it (for now, with {@code [SYS/TEMP]}); one
   * whose CAPA failed and that answers without a code may not have it at all.
   */
  static FetchException stlsRefused(String server, Reply r, boolean listed) {
    if (!listed && r.code() == null) {
      return new FetchException(
          FetchError.TLS_REQUIRED_NOT_OFFERED,
          server
              + " refused STLS, and"
              + " as its CAPA failed it did not say whether it offers it; no credentials were sent",
          r.line(),
          null);
    }
    boolean forNow = r.code() != null && r.code().startsWith("SYS/TEMP");
    String never = " mailfetch never falls back to sending the password unencrypted.";
    Remedy remedy =
        forNow
            ? Remedy.of(
                "The server has STARTTLS but cannot start it right now: try again later. If it keeps refusing,"
                    + " use implicit TLS if the server offers it (a pop3s:// URL, or --tls implicit, usually port 995), or"
                    + " tell the provider."
                    + never,
                "The server has STARTTLS but cannot start it right now: try again later. If it keeps refusing, use"
                    + " Security.IMPLICIT_TLS if the server offers it (usually port 995), or tell the provider."
                    + never)
            : Remedy.of(
                "The server has STARTTLS but refuses it: use implicit TLS if the server offers it (a pop3s://"
                    + " URL, or --tls implicit, usually port 995), or tell the provider their STARTTLS is broken."
                    + never,
                "The server has STARTTLS but refuses it: use Security.IMPLICIT_TLS if the server offers it (usually port"
                    + " 995), or tell the provider their STARTTLS is broken."
                    + never);
    return new FetchException(
        FetchError.TLS_FAILED,
        server
            + " refused STLS"
            + (listed ? ", which it lists," : "")
            + (forNow ? " for now" : "")
            + "; no credentials were sent",
        r.line(),
        null,
        remedy);
  }

  /** Plain text (STARTTLS or none) was spoken to a port that expects TLS from the first byte. */
  static Remedy tlsPort() {
    return Remedy.of(
        "Use implicit TLS on this port: a pop3s:// URL, or --tls implicit.",
        "Use security(Security.IMPLICIT_TLS) on this port.");
  }

  /**
   * The connection ended outside any message, while {@code doing}: there is no message that was cut
   * off (the code's own advice), and nothing was committed.
   */
  static Remedy closedOutsideAMessage(String doing) {
    String what =
        "The server closed the connection while "
            + doing
            + ", outside any message: nothing was"
            + " half-received and nothing was deleted. Try again later; if it happens at every run at the same point,"
            + " ask the provider";
    return Remedy.of(
        what + " (mailfetch doctor shows where the session breaks).",
        what + " (Pop3Doctor shows where the session breaks).");
  }

  /**
   * A server habit the client refuses by default and {@code t} accepts: accept it by name where the
   * server is trusted, else have the provider fix it.
   */
  static Remedy tolerate(Tolerance t) {
    String library =
        "If you trust this server, accept this habit with the source builder's tolerate(Tolerance."
            + t.name()
            + "); otherwise tell the provider: their server breaks RFC 1939.";
    if (t == Tolerance.UNORDERED_LISTING) {
      return Remedy.of(
          "mailfetch sorts an out-of-order listing unless --strict is given: leave out --strict (or"
              + " give --quirk "
              + quirkId(t)
              + "), or tell the provider: their server breaks RFC 1939.",
          library);
    }
    return Remedy.of(
        "If you trust this server, accept this habit with --quirk "
            + quirkId(t)
            + "; otherwise tell"
            + " the provider: their server breaks RFC 1939.",
        library);
  }

  /** The server did not answer in time, mid-session. */
  static Remedy slowServer() {
    return Remedy.of(
        "If the server is slow but working, give it more time with --timeout SECONDS; otherwise try again later,"
            + " and if it keeps happening at the same point, ask the provider.",
        "If the server is slow but working, raise Pop3Limits.Builder.readTimeout (silence between reads) and"
            + " commandTimeout (one whole reply); otherwise try again later, and if it keeps happening at the same"
            + " point, ask the provider.");
  }

  /**
   * A message whose end marker is glued to its last line (quirk Q03): nothing on this side can tell
   * it from data, so no setting helps; the engine sets such a message aside after repeated
   * failures.
   */
  static Remedy gluedTerminator() {
    return Remedy.of(
        "Tell the provider: their server glues the end marker to a message without a final line end, and no"
            + " setting can tell that from the message's own text. The message stays on the server; after a few"
            + " failed runs mailfetch sets it aside and the mail after it flows again.",
        "Tell the provider: their server glues the end marker to a message without a final line end, and no"
            + " setting can tell that from the message's own text. The message stays on the server; after"
            + " Fetcher.Builder.quarantineAfter failed runs it is set aside and the mail after it flows again.");
  }

  /**
   * A stray end marker after a message (quirk Q11), which no setting can tell from a lone '.'
   * (Q04).
   */
  static Remedy strayTerminator() {
    String why =
        "Tell the provider: after a message their server sends a stray end marker (an empty line and a"
            + " lone '.'), which cannot be told from a message whose last lines hold a lone '.' left unescaped, so no"
            + " setting mends it. The message stays on the server; after ";
    return Remedy.of(
        why + "a few failed runs mailfetch sets it aside and the mail after it flows again.",
        why
            + "Fetcher.Builder.quarantineAfter failed runs it is set aside and the mail after it flows again.");
  }

  /** The catalogue ID the command's {@code --quirk} takes for {@code t} (docs/quirks.md). */
  static String quirkId(Tolerance t) {
    return t.quirk().name();
  }

  /** A security mode in words, as both readers know it. */
  static String words(Security security) {
    switch (security) {
      case IMPLICIT_TLS:
        return "implicit TLS";
      case STARTTLS:
        return "STARTTLS";
      default:
        return "no encryption";
    }
  }
}
