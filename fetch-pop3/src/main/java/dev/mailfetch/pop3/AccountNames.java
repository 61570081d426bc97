package dev.mailfetch.pop3;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

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
    String h = host(host);
    if (isDefaultPort(port)) {
      return user + "@" + h;
    }
    return user + "@" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
  }

  /**
   * The host as an account name holds it: without surrounding blanks, case or a trailing dot; an
   * international name in ASCII (IDNA, {@code xn--}); an IPv6 address (with or without brackets) in
   * the one form RFC 5952 gives it. A name that is no valid international name is kept as typed, in
   * lower case (DNS will say it does not exist). No DNS query is made.
   */
  public static String host(String typed) {
    String h = typed.strip();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".") && h.length() > 1) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.contains(":")) {
      return ipv6(h);
    }
    if (!h.chars().allMatch(c -> c < 128)) {
      try {
        h = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED);
      } catch (IllegalArgumentException e) {
        // not a valid international name: compared as typed (lower case), and DNS will say no
      }
    }
    return h.toLowerCase(Locale.ROOT);
  }

  /**
   * Whether {@code port} is POP3's own, 110 or 995 (or 0, "the default"): one account whichever is
   * used.
   */
  public static boolean isDefaultPort(int port) {
    return port == 0 || port == 110 || port == 995;
  }

  /**
   * An IPv6 literal in the one form RFC 5952 gives it (lower case, the longest run of zeros as ::).
   */
  private static String ipv6(String literal) {
    byte[] a;
    try {
      a = InetAddress.getByName("[" + literal + "]").getAddress(); // a literal: no DNS query
    } catch (UnknownHostException | SecurityException e) {
      return literal.toLowerCase(Locale.ROOT);
    }
    if (a.length != 16) {
      return literal.toLowerCase(Locale.ROOT);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLength = 1; // RFC 5952 §4.2.2: a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append(i == 0 ? "::" : ":");
        i += bestLength - 1;
        continue;
      }
      sb.append(Integer.toHexString(groups[i]));
      if (i < 7) {
        sb.append(':');
      }
    }
    return sb.toString();
  }
}
