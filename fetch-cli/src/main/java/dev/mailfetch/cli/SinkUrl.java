package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code --to} says of a mail server to deliver into, before any option is applied: {@code
 * imap://user@host[:port]/Folder} and {@code imaps://…} (an IMAP mailbox, APPEND), {@code
 * lmtp://[user@]host[:port]} or {@code lmtp:/path/to/socket} (LMTP, over TCP or a Unix socket),
 * {@code smtp://[user@]host[:port]} and {@code smtps://…} (SMTP). {@code port} is 0 when the URL
 * gives none, {@code user} null when it names none, {@code socket} null but for {@code lmtp:/path},
 * {@code folder} null but for IMAP (INBOX when the URL names none).
 */
record SinkUrl(Kind kind, String user, String host, int port, Path socket, String folder) {
  /** The kinds of server, each with its scheme. */
  enum Kind {
    IMAP("imap", "IMAP"),
    IMAPS("imaps", "IMAP"),
    LMTP("lmtp", "LMTP"),
    SMTP("smtp", "SMTP"),
    SMTPS("smtps", "SMTP");

    final String scheme;
    final String protocol;

    Kind(String scheme, String protocol) {
      this.scheme = scheme;
      this.protocol = protocol;
    }

    /** IMAP (APPEND into a folder), or LMTP/SMTP (a transaction to recipients). */
    boolean imap() {
      return protocol.equals("IMAP");
    }

    /** Whether the scheme asks for TLS from the first byte. */
    boolean implicitTls() {
      return this == IMAPS || this == SMTPS;
    }
  }

  /** The words that say which URLs --to takes for a mail server. */
  static final String FORMS =
      "imaps://user@host[:port]/Folder, imap://user@host[:port]/Folder, lmtp://host[:port],"
          + " lmtp:/path/to/socket, smtp://[user@]host[:port] or smtps://[user@]host[:port]";

  /** The same, short enough for help text, where no word may be wider than its column. */
  static final String HELP_FORMS =
      "imaps://user@host/Folder, imap://user@host/Folder, lmtp://host[:port], lmtp:/socket,"
          + " smtp://[user@]host or smtps://[user@]host";

  /** The kind {@code to} names by its scheme (before the ':'), if it is a mail server's. */
  static Optional<Kind> kindOf(String to) {
    int colon = to.indexOf(':');
    String scheme = colon < 0 ? "" : to.substring(0, colon).toLowerCase(Locale.ROOT);
    for (Kind k : Kind.values()) {
      if (k.scheme.equals(scheme)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /**
   * Reads a mail server's URL ({@link #kindOf} names one); an IllegalArgumentException in the words
   * of {@code --to} when it is not one. The user name and the folder are %-decoded.
   */
  static SinkUrl parse(String to) {
    Kind kind =
        kindOf(to)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--to " + AccountUrl.withoutPassword(to) + ": " + FORMS));
    String shown = "--to \"" + FetchException.escape(AccountUrl.withoutPassword(to)) + "\"";
    String secretOptions = "--sink-password-env NAME or --sink-password-file FILE";
    String after = to.substring(kind.scheme.length() + 1);
    if (!after.startsWith("//")) {
      if (kind == Kind.LMTP && after.startsWith("/")) {
        return new SinkUrl(kind, null, null, 0, socket(shown, after), null);
      }
      throw new IllegalArgumentException(
          shown
              + " is not a URL: write "
              + (kind == Kind.LMTP
                  ? "lmtp://host[:port] for LMTP over TCP or lmtp:/path/to/socket for a Unix socket"
                      + " (an absolute path)"
                  : example(kind)));
    }
    String rest = after.substring(2);
    AccountUrl.refusePassword(shown, rest, secretOptions);
    if (kind == Kind.LMTP && rest.startsWith("/")) {
      throw new IllegalArgumentException(
          shown + " has no host: for a Unix socket write lmtp:/path/to/socket (one slash)");
    }
    int tail = AccountUrl.indexOfAny(rest, "/?#");
    String path = tail < 0 ? "" : rest.substring(tail);
    rest = tail < 0 ? rest : rest.substring(0, tail);
    String folder = null;
    if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          shown
              + " has a query or fragment"
              + AccountUrl.piece(to, path.substring(AccountUrl.indexOfAny(path, "?#")))
              + ": write "
              + example(kind)
              + " (a '?' or '#' in a folder's name is written %3F, %23)");
    }
    if (kind.imap()) {
      folder = path.length() <= 1 ? "INBOX" : folder(shown, path.substring(1));
    } else if (path.length() > 1) {
      throw new IllegalArgumentException(
          shown
              + " has a path"
              + AccountUrl.piece(to, path)
              + ": "
              + kind.protocol
              + " delivers to the recipients of --recipient, not into a folder; write "
              + example(kind));
    }
    int at = rest.lastIndexOf('@');
    String user = null;
    if (at == 0 || (at < 0 && kind.imap())) {
      throw new IllegalArgumentException(
          shown
              + " needs a user name before the host: "
              + example(kind)
              + " (write '@' in the user name as %40)");
    }
    if (at > 0) {
      user = AccountUrl.user(shown, rest.substring(0, at), secretOptions, kind.protocol);
    }
    AccountUrl.HostPort hp =
        AccountUrl.hostPort(shown, rest.substring(at + 1), example(kind), defaults(kind));
    return new SinkUrl(kind, user, hp.host(), hp.port(), null, folder);
  }

  /** The URL of {@code kind} written out, for a message that says how. */
  static String example(Kind kind) {
    switch (kind) {
      case IMAP:
      case IMAPS:
        return kind.scheme + "://user@host[:port]/Folder";
      case LMTP:
        return "lmtp://host[:port] or lmtp:/path/to/socket";
      default:
        return kind.scheme + "://[user@]host[:port]";
    }
  }

  private static String defaults(Kind kind) {
    switch (kind) {
      case IMAP:
      case IMAPS:
        return "leave it out for the default, 993 for imaps:// and 143 for imap://";
      case LMTP:
        return "leave it out for the default, 24";
      default:
        return "leave it out for the default, 465 for smtps:// and 25 for smtp://";
    }
  }

  /** An IMAP folder's name from a URL's path: %-decoded, never a control character. */
  private static String folder(String shown, String path) {
    String name = AccountUrl.decode(shown, path, "the folder");
    if (name.chars().anyMatch(c -> c < ' ' || c == 0x7F)) {
      throw new IllegalArgumentException(
          shown + ": the folder's name holds a control character, which no IMAP folder can have");
    }
    if (name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
      throw new IllegalArgumentException(
          shown
              + ": the folder \""
              + FetchException.escape(name)
              + "\" has an empty part; write a folder inside another as Parent/Child");
    }
    return name;
  }

  /** The Unix socket of {@code lmtp:/path}: an absolute path without anything a URL adds. */
  private static Path socket(String shown, String path) {
    if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0 || path.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException(
          shown + ": a socket's path is written as it is, without '?', '#' or NUL");
    }
    return Path.of(path);
  }

  /**
   * What a person reads for this server: "the IMAP folder INBOX of alice at mail.example.org:993",
   * "the LMTP server at /run/dovecot/lmtp", "the SMTP server at mx.example.org:25"; {@code port}
   * the port it is reached at.
   */
  String describe(int port) {
    String where = socket != null ? socket.toString() : host + ":" + port;
    return kind.imap()
        ? "the IMAP folder " + folder + " of " + user + " at " + where
        : "the " + kind.protocol + " server at " + where;
  }

  /**
   * The server's own name here (a file or directory name, safe on any file system): {@code
   * user@host[:port]} for IMAP, {@code host[:port]} or the socket's path for LMTP and SMTP, each
   * character outside letters, digits and {@code @._-} %-escaped; {@code port} only where it is not
   * {@code defaultPort}.
   */
  String fileName(int port, int defaultPort) {
    String name =
        socket != null
            ? socket.toString()
            : (user != null && kind.imap() ? user + "@" : "")
                + AccountName.host(host)
                + (port != defaultPort ? ":" + port : "");
    return safe(name);
  }

  /**
   * {@code name} as a file name on any file system: each character outside letters, digits and
   * {@code @._-} %-escaped (a '/' too), so distinct names stay distinct.
   */
  static String safe(String name) {
    StringBuilder b = new StringBuilder();
    for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xFF);
      if (c < 0x80 && (Character.isLetterOrDigit(c) || "@._-".indexOf(c) >= 0)) {
        b.append(c);
      } else {
        b.append('%').append(String.format(Locale.ROOT, "%02X", x & 0xFF));
      }
    }
    return b.toString();
  }
}
