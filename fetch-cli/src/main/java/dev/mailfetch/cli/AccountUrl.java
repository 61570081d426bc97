package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What an account's URL says ({@code pop3s://user@host[:port]} or {@code pop3://...}), before any
 * option is applied; {@code port} is 0 when the URL gives none.
 */
record AccountUrl(String scheme, String user, String host, int port) {
  /** This URL at another host (to say how to reach a known account). */
  String at(String otherHost) {
    return scheme
        + "://"
        + URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20")
        + "@"
        + otherHost
        + (port > 0 ? ":" + port : "");
  }

  /**
   * Reads {@code pop3s://user@host[:port]} or {@code pop3://...}; a message in the words of the URL
   * (as an IllegalArgumentException) when it is not one. The user name is %-decoded.
   */
  static AccountUrl parse(String url) {
    String shown = "URL \"" + FetchException.escape(url) + "\"";
    int sep = url.indexOf("://");
    String scheme = sep < 0 ? "" : url.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!scheme.equals("pop3s") && !scheme.equals("pop3")) {
      throw new IllegalArgumentException(
          shown
              + " must start with pop3s:// (implicit TLS, port 995) or pop3:// (STLS,"
              + " port 110)");
    }
    String rest = url.substring(sep + 3);
    int tail = indexOfAny(rest, "/?#");
    if (tail >= 0) {
      if (!rest.substring(tail).equals("/")) {
        throw new IllegalArgumentException(
            shown
                + " has a path or query ("
                + FetchException.escape(rest.substring(tail))
                + "): POP3 has one mailbox per user; write pop3s://user@host[:port]");
      }
      rest = rest.substring(0, tail);
    }
    int at = rest.lastIndexOf('@');
    if (at <= 0) {
      throw new IllegalArgumentException(
          shown
              + " needs a user name before the host: pop3s://user@host (write '@'"
              + " in the user name as %40)");
    }
    String user =
        user(shown, rest.substring(0, at), "--password-env NAME or --password-file FILE", "POP3");
    HostPort hp =
        hostPort(
            shown,
            rest.substring(at + 1),
            "pop3s://user@host",
            "leave it out for the default, 995 for pop3s:// and 110 for pop3://");
    return new AccountUrl(scheme, user, hp.host(), hp.port());
  }

  /**
   * The user name of a URL ({@code info}, before its '@'), %-decoded; a message in the words of the
   * URL ({@code shown}) when it holds a password (said with {@code secretOptions}, the options that
   * give one) or cannot be a user of {@code protocol}.
   */
  static String user(String shown, String info, String secretOptions, String protocol) {
    if (info.contains(":")) {
      throw new IllegalArgumentException(
          shown
              + " holds a password: secrets never go on the command line; give it"
              + " with "
              + secretOptions
              + " (write ':' in a user name as %3A)");
    }
    if (!info.chars().allMatch(c -> c > ' ' && c != 0x7F)) {
      throw new IllegalArgumentException(
          shown
              + " is not a URL: the user name holds a space or a control character;"
              + " write it %-escaped (a space as %20)");
    }
    String user = decode(shown, info, "the user name");
    if (user.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      throw new IllegalArgumentException(
          shown
              + ": the user name contains CR, LF or NUL, which would start a new "
              + protocol
              + " command");
    }
    return user;
  }

  /** {@code text} %-decoded, a '+' kept; {@code what} names it in the message when it cannot be. */
  static String decode(String shown, String text, String what) {
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          shown
              + " is not a URL: "
              + what
              + " has a '%' that is not followed by two"
              + " hexadecimal digits (write '%' as %25)");
    }
  }

  /** A URL's host and port ({@code port} 0 when it gives none). */
  record HostPort(String host, int port) {}

  /**
   * The host and port of a URL ({@code hostPort}, after its '@'); a message in the words of the URL
   * ({@code shown}) when it is not one, with {@code example} (a URL with a host) and {@code
   * defaults} (the words on the default ports).
   */
  static HostPort hostPort(String shown, String hostPort, String example, String defaults) {
    String host;
    String portText = null;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException(
            shown + " is not a URL: an IPv6 address is written in brackets, [::1]");
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      if (!after.isEmpty() && !after.startsWith(":")) {
        throw new IllegalArgumentException(
            shown + " is not a URL: after [" + host + "] only :port may follow");
      }
      portText = after.isEmpty() ? null : after.substring(1);
      if (!host.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?") || !host.contains(":")) {
        throw new IllegalArgumentException(
            shown + " is not a URL: [" + host + "] is not an IPv6 address");
      }
    } else {
      int colon = hostPort.lastIndexOf(':');
      host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      portText = colon < 0 ? null : hostPort.substring(colon + 1);
      if (!host.isEmpty()
          && !host.chars()
              .allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
        throw new IllegalArgumentException(
            shown + " is not a URL: \"" + FetchException.escape(host) + "\" is not a host name");
      }
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException(shown + " needs a host after the user: " + example);
    }
    int port = 0;
    if (portText != null) {
      if (!portText.matches("[0-9]{1,9}")) {
        throw new IllegalArgumentException(
            shown
                + ": port "
                + (portText.isEmpty() ? "(empty)" : FetchException.escape(portText))
                + " is not a number; write a port from 1 to 65535, or "
                + defaults);
      }
      port = Integer.parseInt(portText);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            shown + ": port " + port + " is not a port: ports go from 1 to 65535; " + defaults);
      }
    }
    return new HostPort(host, port);
  }

  static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
