package dev.mailfetch.pop3;

import dev.mailfetch.api.internal.HostNames;

/**
 * The name one POP3 account's state is kept under: the rule {@link Pop3Source#account()} follows by
 * default and the {@code mailfetch} command follows for every account, so that the library and the
 * command keep one state for one mailbox. The name is the user exactly as given (servers may tell
 * {@code Alice} from {@code alice}), {@code @}, the server's host as DNS compares it (without case
 * and without a trailing dot, an international name in ASCII, an IPv6 address in the one short form
 * of RFC 5952), and {@code :port} when the port is not one of POP3's two, 110 and 995: {@code
 * alice@mail.example.org}, {@code alice@localhost:1110}, {@code alice@[::1]:1110}.
 *
 * <p>Why the port, and why only another one: 995 (implicit TLS) and 110 (STARTTLS) reach the same
 * mailbox, so they are one account; two other ports of one host (two SSH tunnels to two servers)
 * are two mailboxes, and taking them for one would hide new mail behind ids the other one used. Not
 * the addresses a name resolves to: those change, and one address serves many domains.
 *
 * <p>The engine derives each message's delivery key from the account (a sink recognises a message
 * it holds by it), so a name that changes is a new account: see docs/state.md for what that means
 * for a state kept under an earlier version's name.
 */
public final class AccountNames {
  private AccountNames() {}

  /**
   * {@code user@host}, or {@code user@host:port} for a port other than 110 and 995 (an IPv6 address
   * then in brackets); the host as {@link #host} gives it.
   *
   * @param user the login name, exactly as the server is given it
   * @param host the server's host name or address, as typed
   * @param port the port, or 0 for "POP3's default"
   */
  public static String of(String user, String host, int port) {
    return user + "@" + (isDefaultPort(port) ? host(host) : HostNames.withPort(host, port));
  }

  /**
   * The host as an account name holds it: without surrounding blanks, case or a trailing dot; an
   * international name in ASCII (IDNA, {@code xn--}); an IPv6 address (with or without brackets) in
   * the one form RFC 5952 gives it. A name that is no valid international name is kept as typed, in
   * lower case (DNS will say it does not exist). No DNS query is made.
   */
  public static String host(String typed) {
    return HostNames.canonical(typed);
  }

  /**
   * Whether {@code port} is POP3's own, 110 or 995 (or 0, "the default"): one account whichever is
   * used.
   */
  public static boolean isDefaultPort(int port) {
    return port == 0 || port == 110 || port == 995;
  }
}
