package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What an account's URL says ({@code pop3s://user@host[:port]}, {@code pop3://...}, {@code
 * imaps://user@host[:port][/folder]} or {@code imap://...}), before any option is applied; {@code
 * port} is 0 when the URL gives none, {@code folder} null when it names none (IMAP only: RFC 5092's
 * mailbox, %-decoded).
 */
record AccountUrl(String scheme, String user, String host, int port, String folder) {
  /** The schemes of an account to fetch from. */
  private static final List<String> SCHEMES = List.of("pop3s", "pop3", "imaps", "imap");

  /** The IMAP schemes: imaps:// (implicit TLS, 993) and imap:// (STARTTLS required, 143). */
  boolean imap() {
    return scheme.startsWith("imap");
  }

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
   * Reads {@code pop3s://user@host[:port]}, {@code pop3://...}, {@code
   * imaps://user@host[:port][/folder]} or {@code imap://...}; a message in the words of the URL (as
   * an IllegalArgumentException) when it is not one. The user name and folder are %-decoded.
   */
  static AccountUrl parse(String url) {
    String shown = "URL \"" + FetchException.escape(withoutPassword(url)) + "\"";
    int sep = url.indexOf("://");
    String scheme = sep < 0 ? "" : url.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(scheme)) {
      throw new IllegalArgumentException(
          shown
              + " must start with pop3s:// (implicit TLS, port 995), pop3:// (STLS,"
              + " port 110), imaps:// (implicit TLS, port 993) or imap:// (STARTTLS, port 143)"
              + meant(withoutPassword(url)));
    }
    boolean imap = scheme.startsWith("imap");
    String rest = url.substring(sep + 3);
    String secretOptions = "--password-env NAME or --password-file FILE";
    refusePassword(shown, rest, secretOptions);
    String folder = null;
    int tail = indexOfAny(rest, imap ? "?#" : "/?#");
    if (imap && tail < 0) {
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        folder = imapFolder(shown, rest.substring(slash + 1));
        rest = rest.substring(0, slash);
      }
    } else if (tail >= 0) {
      if (imap) {
        throw new IllegalArgumentException(
            shown
                + " has a query or fragment"
                + piece(url, rest.substring(tail))
                + ": write imaps://user@host[:port][/folder]");
      }
      if (!rest.substring(tail).equals("/")) {
        throw new IllegalArgumentException(
            shown
                + " has a path or query"
                + piece(url, rest.substring(tail))
                + ": POP3 has one mailbox per user; write pop3s://user@host[:port]");
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
    String user = user(shown, rest.substring(0, at), secretOptions, imap ? "IMAP" : "POP3");
    HostPort hp =
        hostPort(
            shown,
            rest.substring(at + 1),
            imap ? "imaps://user@host" : "pop3s://user@host",
            imap
                ? "leave it out for the default, 993 for imaps:// and 143 for imap://"
                : "leave it out for the default, 995 for pop3s:// and 110 for pop3://");
    return new AccountUrl(scheme, user, hp.host(), hp.port(), folder);
  }

  /**
   * The folder of an IMAP URL's path, %-decoded (a '/' in it is the hierarchy as the user writes
   * it); null for none. A path that names a message (RFC 5092's {@code ;UID=}) is refused: a fetch
   * reads folders.
   */
  private static String imapFolder(String shown, String path) {
    if (path.isEmpty()) {
      return null;
    }
    if (path.contains(";")) {
      throw new IllegalArgumentException(
          shown
              + " names a message or a folder's version (;UID=, ;UIDVALIDITY=): give the folder only,"
              + " imaps://user@host/FOLDER");
    }
    String folder = decode(shown, path, "the folder");
    if (folder.chars().anyMatch(c -> c < ' ' || c == 0x7F)) {
      throw new IllegalArgumentException(
          shown + ": the folder contains a control character (CR, LF, NUL...)");
    }
    return folder;
  }

  /**
   * The user name of a URL ({@code info}, before its '@'), %-decoded; a message in the words of the
   * URL ({@code shown}) when it holds a password (said with {@code secretOptions}, the options that
   * give one) or cannot be a user of {@code protocol}.
   */
  static String user(String shown, String info, String secretOptions, String protocol) {
    if (info.contains(":")) {
      throw passwordRefused(shown, secretOptions);
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

  /**
   * The URL meant, where a slip is plain: a scheme one letter off ({@code pop3ss://}, {@code
   * pops://}), a slash missing ({@code pop3s:/alice@host}), or no scheme ({@code alice@host}: POP3
   * over TLS, the command's first kind). {@code shown} is already without a password.
   */
  static String meant(String shown) {
    int sep = shown.indexOf("://");
    if (sep < 0) {
      int colon = shown.indexOf(':');
      String scheme = colon < 0 ? "" : shown.substring(0, colon).toLowerCase(Locale.ROOT);
      if (SCHEMES.contains(scheme)) {
        String rest = shown.substring(colon + 1).replaceFirst("^/*", "");
        return "; did you mean " + scheme + "://" + rest + "?";
      }
      int at = shown.indexOf('@');
      return at > 0 && (colon < 0 || colon > at)
          ? "; did you mean pop3s://" + shown + " (or imaps://" + shown + ")?"
          : "";
    }
    String scheme = shown.substring(0, sep).toLowerCase(Locale.ROOT);
    for (String known : SCHEMES) {
      if (oneEditApart(scheme, known)) {
        return "; did you mean " + known + shown.substring(sep) + "?";
      }
    }
    return "";
  }

  /** Whether {@code a} becomes {@code b} by one letter added, removed, changed or two swapped. */
  private static boolean oneEditApart(String a, String b) {
    if (a.equals(b) || Math.abs(a.length() - b.length()) > 1) {
      return false;
    }
    int i = 0;
    while (i < Math.min(a.length(), b.length()) && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    String ra = a.substring(Math.min(i + 1, a.length()));
    String rb = b.substring(Math.min(i + 1, b.length()));
    if (a.length() == b.length()) {
      boolean swapped =
          i + 1 < a.length()
              && a.charAt(i) == b.charAt(i + 1)
              && a.charAt(i + 1) == b.charAt(i)
              && a.substring(i + 2).equals(b.substring(i + 2));
      return ra.equals(rb) || swapped;
    }
    return a.length() > b.length()
        ? a.substring(i + 1).equals(b.substring(i))
        : a.substring(i).equals(b.substring(i + 1));
  }

  /**
   * {@code url} as a message may show it. What may be a password ({@code user:password@host}, which
   * is refused) is shown as ***: from the first ':' after the scheme's "//" (the first ':' in a URL
   * without "//") to the last '@'. A refusal must not print the secret it refuses into a terminal's
   * scroll-back, a log or a cron mail. It may hide more than the password (a port before an IMAP
   * folder with an '@'): this is what a message shows, never what is parsed.
   */
  static String withoutPassword(String url) {
    int sep = url.indexOf("://");
    int from = sep < 0 ? afterScheme(url) : sep + 3;
    int lastAt = url.lastIndexOf('@');
    int colon = url.indexOf(':', from);
    if (lastAt < from || colon < 0 || colon > lastAt) {
      return url;
    }
    return url.substring(0, colon + 1) + "***" + url.substring(lastAt);
  }

  /**
   * Where the user part of a URL written without "//" starts: after a scheme followed by a slash
   * ({@code pop3s:/alice@host}) or after a scheme the command knows ({@code imap:alice@host}), else
   * at the start ({@code alice:password@host}, whose "alice:" is no scheme).
   */
  private static int afterScheme(String url) {
    int colon = url.indexOf(':');
    if (colon <= 0 || !url.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      return 0;
    }
    int end = colon + 1;
    while (end < url.length() && url.charAt(end) == '/') {
      end++;
    }
    String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
    boolean known =
        SCHEMES.contains(scheme)
            || Arrays.stream(SinkUrl.Kind.values()).anyMatch(k -> k.scheme.equals(scheme));
    return end > colon + 1 || known ? end : 0;
  }

  /**
   * Refuses a URL whose user part ({@code afterSlashes}: the URL after "//", up to its first '@')
   * holds a ':', before any other check could show a piece of what follows it: a password, even one
   * with a '/', '?' or '#' in it.
   */
  static void refusePassword(String shown, String afterSlashes, String secretOptions) {
    int at = afterSlashes.indexOf('@');
    if (at > 0 && afterSlashes.lastIndexOf(':', at) >= 0) {
      throw passwordRefused(shown, secretOptions);
    }
  }

  private static IllegalArgumentException passwordRefused(String shown, String secretOptions) {
    return new IllegalArgumentException(
        shown
            + " holds a password: secrets never go on the command line (the password is not"
            + " shown here); give it with "
            + secretOptions
            + " (write ':' in a user name as %3A)");
  }

  /**
   * A piece of {@code url} for a message, in parentheses; nothing when the URL may hold a password
   * ({@link #withoutPassword}), of which the piece could be a part.
   */
  static String piece(String url, String piece) {
    return withoutPassword(url).equals(url) ? " (" + FetchException.escape(piece) + ")" : "";
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
