package dev.mailfetch.imap;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.MailPush;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.HostNames;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.imap.internal.ConnectionDraft;
import dev.mailfetch.imap.internal.IdlePush;
import dev.mailfetch.imap.internal.ImapFailures;
import dev.mailfetch.imap.internal.ImapSettings;
import dev.mailfetch.imap.internal.SourceOptions;
import dev.mailfetch.imap.internal.SourceSession;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedTrustManager;

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
  // ImapDoctor.Builder.source examines exactly these: the connection, trustPem's trust manager
  // (a refused chain is described by it), and the folders
  final ImapSettings settings;
  final X509ExtendedTrustManager pemTrust;
  final SourceOptions options;
  private final String description;

  private ImapSource(Builder b) {
    ConnectionDraft c = b.connection;
    String account = b.account != null ? b.account : accountName(c.user(), c.host(), c.port());
    this.settings = c.settings(account, ImapFailures.Role.SOURCE);
    this.pemTrust = c.pemTrust();
    this.options =
        new SourceOptions(b.deletion, b.markSeen, b.folders, c.limits().maxCommandsInFlight());
    this.description =
        "ImapSource[" + account + " at " + settings.server() + ", " + c.security() + "]";
  }

  /**
   * The account name a source is given by default ({@link Builder#account}), and the one the {@code
   * mailfetch} command keeps an IMAP account's state under: {@code imap:user@host}, with {@code
   * :port} when the port is neither of IMAP's own (143, 993; 0 for "the default"). The host is
   * written as POP3's account names write it (lower case, an international name in ASCII, an IPv6
   * address in RFC 5952's form, in brackets before a port). The {@code imap:} keeps the state of an
   * IMAP source apart from a POP3 source's of the same mailbox ({@code user@host}) where both share
   * one store: their message ids and marks are of different kinds. Two other ports of one host are
   * two mailboxes; 143 and 993 are one.
   *
   * @param user the login name, exactly as the server is given it
   * @param host the server's host name or address, as typed
   * @param port the port, or 0 for IMAP's default
   */
  public static String accountName(String user, String host, int port) {
    return "imap:"
        + user
        + "@"
        + (port == 0 || port == 143 || port == 993
            ? HostNames.canonical(host)
            : HostNames.withPort(host, port));
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
   * arrived (docs/imap.md, "IDLE (push)"). The folders watched are those {@link ImapFolders#named}
   * names, else INBOX, where new mail lands (all folders, or Gmail's All Mail, would hold a
   * connection per folder for mail that seldom arrives there: the schedule finds it).
   */
  @Override
  public Optional<MailPush> push() {
    ImapFolders folders = options.folders();
    List<String> watched =
        folders.choice() == ImapFolders.Choice.NAMED ? folders.names() : List.of("INBOX");
    return Optional.of(IdlePush.of(settings, watched));
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
    private final ConnectionDraft connection = new ConnectionDraft();
    private String account;
    private ImapDeletion deletion = ImapDeletion.EXPUNGE;
    private ImapFolders folders = ImapFolders.inbox();
    private boolean markSeen;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /** The server's host name (verified against its certificate). Required. */
    public Builder host(String host) {
      connection.host(host);
      return this;
    }

    /** The port; default 993 for implicit TLS, 143 otherwise. */
    public Builder port(int port) {
      connection.port(port);
      return this;
    }

    /** How the connection is protected; default {@link ImapSecurity#IMPLICIT_TLS}. */
    public Builder security(ImapSecurity security) {
      connection.security(security);
      return this;
    }

    /** The login name (often the whole e-mail address). Required. */
    public Builder user(String user) {
      connection.user(user);
      return this;
    }

    /** Where the password comes from, asked at each login (no CR, LF or NUL in it). */
    public Builder password(Supplier<String> password) {
      connection.password(password);
      return this;
    }

    /** OAuth access tokens (XOAUTH2, OAUTHBEARER), asked at each login. */
    public Builder oauthTokens(TokenProvider tokens) {
      connection.oauthTokens(tokens);
      return this;
    }

    /**
     * Allow credentials over a connection without TLS. Needed with {@link ImapSecurity#NONE}; the
     * password or token is then readable by anyone on the network path.
     */
    public Builder allowPlaintextAuthentication(boolean allow) {
      connection.allowPlaintextAuthentication(allow);
      return this;
    }

    /** Your own TLS setup: another provider, a pinned trust store. Host names are still checked. */
    public Builder sslContext(SSLContext context) {
      connection.sslContext(context);
      return this;
    }

    /**
     * Trust exactly the CA certificates in this PEM file (a private or self-signed server) instead
     * of the JDK's trust store. Host names are still checked.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read
     */
    public Builder trustPem(Path pemFile) {
      connection.trustPem(pemFile);
      return this;
    }

    /** Caps and deadlines of the session; default {@link ImapLimits#defaults()}. */
    public Builder limits(ImapLimits limits) {
      connection.limits(limits);
      return this;
    }

    /**
     * The stable account name the state is kept under, and which every delivery key holds. Default:
     * {@link ImapSource#accountName} ({@code imap:user@host}, with {@code :port} when the port is
     * not 143 or 993), as the command names it. The folders are not part of it: a message is told
     * apart by its folder in its unique id.
     */
    public Builder account(String account) {
      once.set("account", this.account);
      this.account = ConnectionDraft.clean("account", account);
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

    /**
     * Builds the source; nothing is sent over the network until it is opened.
     *
     * @throws IllegalStateException if something required is missing or the settings contradict
     *     each other
     */
    public ImapSource build() {
      connection.requireLogin();
      return new ImapSource(this);
    }
  }
}
