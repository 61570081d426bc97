package dev.mailfetch.api.internal;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * A server's host as an account name holds it, for every protocol's default account name (POP3's
 * {@code AccountNames}, IMAP's {@code ImapSource.accountName}): one rule, so that a host typed two
 * ways names one account, and {@code host:port} cannot be read two ways.
 */
public final class HostNames {
  private HostNames() {}

  /**
   * The host without surrounding blanks, case or a trailing dot; an international name in ASCII
   * (IDNA, {@code xn--}); an IPv6 address (with or without brackets) in the one form RFC 5952 gives
   * it. A name that is no valid international name is kept as typed, in lower case (DNS will say it
   * does not exist). No DNS query is made.
   */
  public static String canonical(String typed) {
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
   * {@code host:port} with the host as {@link #canonical} gives it, an IPv6 address in brackets
   * ({@code [::1]:1110}), so that the port cannot be taken for a part of the address.
   */
  public static String withPort(String typedHost, int port) {
    String h = canonical(typedHost);
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
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
