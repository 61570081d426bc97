package dev.mailfetch.cli;

import dev.mailfetch.api.TokenProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A mail server to deliver into, every option of it checked ({@link SinkOptions#sink}): where it
 * is, how it is secured and logged in to, and for LMTP and SMTP the envelope. {@link ServerSinks}
 * builds the sink of it; this says where its files go here.
 *
 * @param url what --to says
 * @param to --to as given (for messages)
 * @param security the TLS chosen, by the scheme or --sink-tls
 * @param port the port it is reached at (the URL's, or the default for its security)
 * @param password the password, or null
 * @param tokens the OAuth tokens, or null
 * @param allowPlaintext --sink-allow-plaintext-auth
 * @param trustPem --sink-trust-pem, or null
 * @param recipients LMTP's and SMTP's recipients (none for IMAP)
 * @param sender the envelope's sender, or null for the message's Return-Path
 * @param spec the command, for bad arguments
 */
record ServerSink(
    SinkUrl url,
    String to,
    Tls security,
    int port,
    Supplier<String> password,
    TokenProvider tokens,
    boolean allowPlaintext,
    Path trustPem,
    List<String> recipients,
    String sender,
    CommandSpec spec) {

  /** How the connection is protected: each protocol module's security enum has these values. */
  enum Tls {
    IMPLICIT,
    STARTTLS,
    NONE
  }

  /** The port of {@code kind} when the URL gives none, for {@code security}. */
  static int defaultPort(SinkUrl.Kind kind, Tls security) {
    switch (kind) {
      case IMAP:
      case IMAPS:
        return security == Tls.IMPLICIT ? 993 : 143;
      case LMTP:
        return 24;
      default:
        return security == Tls.IMPLICIT ? 465 : 25;
    }
  }

  /**
   * The server's name as a file name ({@link SinkUrl#fileName}), its port where not the default.
   */
  String fileName() {
    return url.fileName(port, defaultPort(url.kind(), security));
  }

  /** What a person reads for it: "the IMAP folder INBOX of alice at mail.example.org:993". */
  String describe() {
    return url.describe(port)
        + (recipients.isEmpty() ? "" : " for " + String.join(", ", recipients));
  }

  /**
   * The directory of this server's files when no option names one: {@code
   * ~/.mailfetch/imap/USER@HOST}, {@code ~/.mailfetch/lmtp/HOST}, {@code ~/.mailfetch/smtp/HOST}
   * (with {@code :PORT} where it is not the default), for an LMTP socket its path %-escaped.
   */
  Path directory(Map<String, String> env) {
    return GmailOptions.home(env)
        .resolve(".mailfetch")
        .resolve(url.kind().protocol.toLowerCase(Locale.ROOT))
        .resolve(fileName());
  }

  /**
   * Where an account's journal for this server is kept: in the account's own state directory, named
   * after the server (and for IMAP its folder): {@code imap-USER@HOST-FOLDER}, {@code lmtp-HOST},
   * {@code smtp-HOST}. Delivering the account elsewhere later keeps a journal of its own.
   */
  Path journal(Path accountState) {
    String name = url.kind().protocol.toLowerCase(Locale.ROOT) + "-" + fileName();
    if (url.kind().imap()) {
      name += "-" + SinkUrl.safe(url.folder());
    }
    return accountState.resolve(name);
  }
}
