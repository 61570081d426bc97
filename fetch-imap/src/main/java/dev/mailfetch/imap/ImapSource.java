package dev.mailfetch.imap;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.MailPush;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.api.internal.tls.PemTrust;
import dev.mailfetch.imap.internal.IdlePush;
import dev.mailfetch.imap.internal.ImapFailures;
import dev.mailfetch.imap.internal.ImapSettings;
import dev.mailfetch.imap.internal.SourceOptions;
import dev.mailfetch.imap.internal.SourceSession;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * An IMAP mailbox as a {@link FetchSource}: the folders chosen (INBOX by default), each message
 * fetched once with {@code UID FETCH BODY.PEEK[]} (so that nothing is marked {@code \Seen} unless
 * {@link Builder#markSeen} says so), pipelined and streamed to the sink without a copy per message.
 * See docs/imap.md, "The IMAP source".
 *
 * <pre>{@code
 * ImapSource source = ImapSource.builder()
 *     .host("imap.example.com")                        // implicit TLS on 993 by default
 *     .user("alice@example.com")
 *     .password(() -> System.getenv("MAIL_PASSWORD"))  // never a literal in code
 *     .build();
 * Fetcher.builder().source(source).sink(maildir).uidStore(store).build().run();
 * }</pre>
 *
 * <p><b>Identity.</b> A message's unique id is its IMAP URL path (RFC 5092): the folder,
 * percent-encoded, its {@code UIDVALIDITY} and the message's UID, {@code
 * INBOX;UIDVALIDITY=1733500000/;UID=42}. A folder whose {@code UIDVALIDITY} changed is reported as
 * renumbered ({@link FetchSession#renumbering()}), and the engine recognises what it delivered
 * under the old ids instead of fetching it again.
 *
 * <p><b>Deletion.</b> What the engine's deletion means here is {@link Builder#deletion} ({@link
 * ImapDeletion#EXPUNGE} by default); it happens only at {@link FetchSession#quit()}, only for the
 * UIDs the engine asked to delete. Keeping mail on the server changes nothing there.
 *
 * <p>Certificates and host names are always verified; credentials never cross a connection without
 * TLS unless {@link Builder#allowPlaintextAuthentication} says so, and never appear in a log line,
 * exception, trace or {@link #toString()}. Immutable and safe for concurrent use: each {@link
 * #open()} is its own connection.
 */
public final class ImapSource implements FetchSource {
  private final ImapSettings settings;
  private final SourceOptions options;
  private final String description;

  private ImapSource(Builder b) {
    SSLContext ssl = b.pemFile != null ? PemTrust.load(b.pemFile).context() : b.sslContext;
    Supplier<String> pw = b.password;
    int port = b.port();
    String account = b.account != null ? b.account : accountOf(b.user, b.host, port);
    this.settings =
        new ImapSettings(
            b.host,
            port,
            b.security,
            ssl,
            b.limits,
            b.user,
            pw == null ? null : pw::get,
            b.tokens,
            b.allowPlaintext,
            account,
            ImapFailures.Role.SOURCE);
    this.options =
        new SourceOptions(b.deletion, b.markSeen, b.folders, b.limits.maxCommandsInFlight());
    this.description =
        "ImapSource[" + account + " at " + settings.server() + ", " + b.security + "]";
  }

  /**
   * The account name by default: {@code user@host}, with {@code :port} when the port is neither of
   * IMAP's own (143, 993), as POP3's accounts are named: two other ports of one host are two
   * mailboxes.
   */
  static String accountOf(String user, String host, int port) {
    return user + "@" + host + (port == 143 || port == 993 ? "" : ":" + port);
  }

  /** A builder; {@code host}, {@code user} and a password or token provider are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String account() {
    return settings.account();
  }

  /** Connects, secures, logs in; the folders are chosen when the session lists. */
  @Override
  public FetchSession open() throws FetchException {
    return SourceSession.open(settings, options);
  }

  /**
   * IDLE (RFC 2177): one connection per watched folder tells a {@code Poller} at once that mail
   * arrived (docs/imap.md, "IDLE (push)"). The folder watched is INBOX.
   */
  @Override
  public Optional<MailPush> push() {
    return Optional.of(IdlePush.of(settings, List.of("INBOX")));
  }

  /** The server as {@code host:port}. */
  public String server() {
    return settings.server();
  }

  /** The account, server and security, never a credential. */
  @Override
  public String toString() {
    return description;
  }

  /** Settings of an {@link ImapSource}; each may be given once, and is checked when given. */
  public static final class Builder {
    private String host;
    private int port;
    private ImapSecurity security = ImapSecurity.IMPLICIT_TLS;
    private String user;
    private Supplier<String> password;
    private TokenProvider tokens;
    private boolean allowPlaintext;
    private SSLContext sslContext;
    private Path pemFile;
    private ImapLimits limits = ImapLimits.defaults();
    private String account;
    private ImapDeletion deletion = ImapDeletion.EXPUNGE;
    private ImapFolders folders = ImapFolders.inbox();
    private boolean markSeen;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /** The server's host name (verified against its certificate). Required. */
    public Builder host(String host) {
      once.set("host", this.host);
      this.host = clean("host", host).toLowerCase(Locale.ROOT);
      return this;
    }

    /** The port; default 993 for implicit TLS, 143 otherwise. */
    public Builder port(int port) {
      once.set("port", this.port);
      this.port = Require.range("port", port, 1, 65535);
      return this;
    }

    /** How the connection is protected; default {@link ImapSecurity#IMPLICIT_TLS}. */
    public Builder security(ImapSecurity security) {
      once.set("security", this.security);
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /** The login name (often the whole e-mail address). Required. */
    public Builder user(String user) {
      once.set("user", this.user);
      this.user = clean("user", user);
      return this;
    }

    /** Where the password comes from, asked at each login (no CR, LF or NUL in it). */
    public Builder password(Supplier<String> password) {
      once.setSecret("password");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /** OAuth access tokens (XOAUTH2, OAUTHBEARER), asked at each login. */
    public Builder oauthTokens(TokenProvider tokens) {
      once.setSecret("oauthTokens");
      this.tokens = Objects.requireNonNull(tokens, "oauthTokens");
      return this;
    }

    /**
     * Allow credentials over a connection without TLS. Needed with {@link ImapSecurity#NONE}; the
     * password or token is then readable by anyone on the network path.
     */
    public Builder allowPlaintextAuthentication(boolean allow) {
      once.set("allowPlaintextAuthentication", this.allowPlaintext);
      this.allowPlaintext = allow;
      return this;
    }

    /** Your own TLS setup: another provider, a pinned trust store. Host names are still checked. */
    public Builder sslContext(SSLContext context) {
      Require.requireState(
          !once.isSet("trustPem"), "sslContext cannot be combined with trustPem (%s)", pemFile);
      once.set("sslContext", this.sslContext);
      this.sslContext = Objects.requireNonNull(context, "sslContext");
      return this;
    }

    /**
     * Trust exactly the CA certificates in this PEM file (a private or self-signed server) instead
     * of the JDK's trust store. Host names are still checked.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read
     */
    public Builder trustPem(Path pemFile) {
      Require.requireState(
          !once.isSet("sslContext"),
          "trustPem cannot be combined with sslContext (%s)",
          sslContext);
      once.set("trustPem", this.pemFile);
      PemTrust.load(Objects.requireNonNull(pemFile, "trustPem")); // refused here if unreadable
      this.pemFile = pemFile;
      return this;
    }

    /** Caps and deadlines of the session; default {@link ImapLimits#defaults()}. */
    public Builder limits(ImapLimits limits) {
      once.set("limits", this.limits);
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * The stable account name the state is kept under, and which every delivery key holds. Default:
     * {@code user@host}, with {@code :port} when the port is not 143 or 993. The folders are not
     * part of it: a message is told apart by its folder in its unique id.
     */
    public Builder account(String account) {
      once.set("account", this.account);
      this.account = clean("account", account);
      return this;
    }

    /**
     * Which folders to fetch from, and how each becomes a label; default {@link
     * ImapFolders#inbox()}. The folders are found when a session lists (a named folder that does
     * not exist is refused then, in words).
     */
    public Builder folders(ImapFolders folders) {
      once.set("folders", this.folders);
      this.folders = Objects.requireNonNull(folders, "folders");
      return this;
    }

    /**
     * What the engine's deletion of a fetched message does on this server; default {@link
     * ImapDeletion#EXPUNGE}. Only used when the run deletes (a retention that deletes); keeping
     * mail changes nothing on the server whatever this says.
     */
    public Builder deletion(ImapDeletion deletion) {
      once.set("deletion", this.deletion);
      this.deletion = Objects.requireNonNull(deletion, "deletion");
      return this;
    }

    /**
     * Whether fetching a message marks it {@code \Seen} on the server ({@code BODY[]}); default
     * false ({@code BODY.PEEK[]}: the server's flags stay as they were, and folders are opened
     * read-only with {@code EXAMINE}).
     */
    public Builder markSeen(boolean markSeen) {
      once.set("markSeen", this.markSeen);
      this.markSeen = markSeen;
      return this;
    }

    int port() {
      return port != 0 ? port : security == ImapSecurity.IMPLICIT_TLS ? 993 : 143;
    }

    /**
     * Builds the source; nothing is sent over the network until it is opened.
     *
     * @throws IllegalStateException if something required is missing or the settings contradict
     *     each other
     */
    public ImapSource build() {
      Require.requireState(host != null && user != null, "host and user are required");
      Require.requireState(
          password != null || tokens != null, "a password or an OAuth token provider is required");
      Require.requireState(
          security != ImapSecurity.NONE || allowPlaintext,
          "ImapSecurity.NONE sends the password in plain text; call"
              + " allowPlaintextAuthentication(true) to accept that, or use IMPLICIT_TLS or STARTTLS");
      return new ImapSource(this);
    }

    private static String clean(String name, String value) {
      Require.notEmpty(name, value);
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        Require.requireArgument(
            c != '\r' && c != '\n' && c != '\0',
            "%s must not contain CR, LF or NUL (they would start a new IMAP command): %s",
            name,
            FetchException.escape(value));
      }
      return value;
    }
  }
}
