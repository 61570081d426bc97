package dev.mailfetch.imap;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.imap.internal.AppendCore;
import dev.mailfetch.imap.internal.AppendServer;
import dev.mailfetch.imap.internal.ConnectionDraft;
import dev.mailfetch.imap.internal.ImapFailures;
import dev.mailfetch.imap.internal.ImapSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Delivers fetched mail into a folder of any IMAP server (Dovecot, Fastmail, Outlook.com, Gmail
 * over IMAP) with {@code APPEND}, exactly once across crashes. See docs/sinks.md, "ImapAppendSink".
 *
 * <pre>{@code
 * ImapAppendSink imap = ImapAppendSink.builder()
 *     .host("imap.example.com")                    // port 993, TLS, host name checked
 *     .user("alice@example.com")
 *     .password(() -> System.getenv("IMAP_PASSWORD"))
 *     .journal(Path.of("state/imap-journal"))       // deliveries in doubt after a crash
 *     .build();
 * Fetcher.builder().source(pop3).sink(imap).uidStore(store).build().run();
 * }</pre>
 *
 * <p><b>What the server gets.</b> Each message as it was fetched, with one header line prepended:
 * {@value #KEY_HEADER}{@code : } and the delivery's key (64 hex digits), so the sink can find a
 * message it appended with {@code UID SEARCH HEADER} after a crash. Its {@code INTERNALDATE} is the
 * message's {@code Date:} header, or the time it was fetched where there is none or it cannot be
 * read. It goes into {@link Builder#folder} (INBOX by default), and a copy into a folder per label
 * ({@code Lists/Work} is {@code Work} inside {@code Lists}, with the server's hierarchy delimiter),
 * created when the server answers {@code [TRYCREATE]}. An archived message is not put into {@link
 * Builder#folder}: only into its label folders, or into {@code Archive} when it has none. On
 * Gmail's IMAP ({@code X-GM-EXT-1}) there is one copy, and labels are set on it with {@code
 * X-GM-LABELS}.
 *
 * <p><b>A destination that answers later.</b> {@link Delivery#complete} spools the message (in
 * memory up to {@value #MEMORY_SPOOL_BYTES} bytes, beyond that in a temporary file, because an
 * {@code APPEND} announces the size first) and journals the intent. {@link #sync()} sends every
 * pending {@code APPEND} at once, pipelined, and returns when the server answered {@code OK} for
 * each: that is the barrier. A message the server refused alone is named in a {@link
 * DeliveriesFailed} with {@link FetchError#SINK_REJECTED}; a full mailbox ({@code [OVERQUOTA]}) or
 * a server that cannot be reached stops the run with {@link FetchError#SINK_FAILED} and the
 * server's words, and the messages stay on the source server.
 *
 * <p>Safe for concurrent use (calls are serialized). No password or token appears in a log, an
 * exception, a protocol trace or {@link #toString()}.
 */
public final class ImapAppendSink implements MessageSink {
  /** The header line prepended to each message, carrying its delivery key. */
  public static final String KEY_HEADER = "X-Mailfetch-Key";

  /** Bytes of a message kept in memory before its spool goes to a temporary file (1 MiB). */
  public static final int MEMORY_SPOOL_BYTES = 1024 * 1024;

  private final String description;
  private final String folder;
  private final AppendServer server;
  private final AppendCore core;

  private ImapAppendSink(Builder b) {
    ConnectionDraft c = b.connection;
    ImapSettings settings = c.settings(c.user() + "@" + c.host(), ImapFailures.Role.DESTINATION);
    this.folder = b.folder;
    this.description =
        "ImapAppendSink["
            + c.user()
            + "@"
            + c.host()
            + ":"
            + settings.port()
            + "/"
            + b.folder
            + "]";
    String header = b.keyHeader ? KEY_HEADER : null;
    Path spoolDir =
        b.journal != null
            ? b.journal.toAbsolutePath().getParent()
            : Path.of(System.getProperty("java.io.tmpdir"));
    this.server = new AppendServer(settings, header);
    this.core =
        new AppendCore(
            new AppendCore.Options(b.folder, b.journal, header, spoolDir, MEMORY_SPOOL_BYTES),
            server);
  }

  /** A builder; {@link Builder#host} and {@link Builder#user} and a credential are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects, secures, logs in and checks the folder, without appending anything: what {@code
   * mailfetch doctor} shows for an IMAP destination.
   *
   * @return the steps that passed, in plain words ("connected to mail.example.com:993 over
   *     TLSv1.3", "logged in as alice with AUTHENTICATE PLAIN", "folder INBOX exists", "the server
   *     offers UIDPLUS, LITERAL+")
   * @throws FetchException the typed error of the first step that failed
   */
  public List<String> check() throws FetchException {
    List<String> steps = new ArrayList<>();
    check(steps::add);
    return steps;
  }

  /**
   * As {@link #check()}, each step told to {@code passed} as it passes: a failure then still shows
   * what worked before it (the server reached over TLS, the login), as {@code mailfetch doctor
   * --to} prints it.
   *
   * @throws FetchException the typed error of the first step that failed, after the steps before it
   *     were told
   */
  public void check(Consumer<String> passed) throws FetchException {
    Objects.requireNonNull(passed, "passed");
    synchronized (core) {
      server.check(folder, passed);
    }
  }

  /**
   * {@link LineEnding#LF}: the engine hands this sink each message with LF line ends, and the sink
   * sends each line ended by CRLF, as IMAP carries mail. So a server that stores LF (Dovecot's
   * Maildir) keeps exactly the bytes handed over, a bare LF of the original included, which a
   * message sent as received (a bare LF among CRLFs) could not promise.
   */
  @Override
  public LineEnding lineEnding() {
    return LineEnding.LF;
  }

  /**
   * Starts a delivery. The first call connects, logs in and settles the deliveries an earlier run
   * left in doubt (each is looked up on the server).
   */
  @Override
  public Delivery begin(Envelope envelope) throws IOException {
    return core.begin(envelope);
  }

  /**
   * True while the message is on its way and once the server took it; a delivery left in doubt by a
   * crash is looked up on the server first.
   */
  @Override
  public boolean contains(DeliveryKey key) throws IOException {
    return core.contains(key);
  }

  /**
   * Sends every APPEND completed since the last call, pipelined, and returns when the server
   * answered each: the barrier.
   *
   * @throws DeliveriesFailed naming each message the server refused alone ({@link
   *     FetchError#SINK_REJECTED}, its words quoted)
   * @throws FetchException {@link FetchError#SINK_FAILED} with the server's words where the mailbox
   *     is full or cannot take mail now; the connection's error where it broke twice
   */
  @Override
  public void sync() throws IOException {
    core.sync();
  }

  /**
   * Messages the server stored with their header changed ({@code SINK_ALTERED}: fewer 8-bit header
   * bytes than were sent, as Cyrus's default {@code munge8bit} does), found by reading back the
   * header of each message appended with 8-bit header bytes where the session has no {@code
   * UTF8=ACCEPT}; one warning for all found since the last call (docs/sinks.md).
   */
  @Override
  public List<FetchException> takeWarnings() {
    return core.takeWarnings();
  }

  /**
   * Files a message the sink holds under more labels: on Gmail's IMAP its labels, elsewhere a copy
   * ({@code UID COPY}) into each label's folder that does not hold it yet.
   */
  @Override
  public boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
    return core.addLabels(key, labels);
  }

  /**
   * The folder and UID the server gave the message of {@code key} (UIDPLUS), where this sink knows
   * it: for a look at it with an IMAP client, and for tests.
   *
   * @return "folder/uidvalidity/uid"; a UID of 0 where the server has no UIDPLUS
   */
  public Optional<String> placement(DeliveryKey key) {
    return core.placed(key).map(p -> p.folder() + "/" + p.uidValidity() + "/" + p.uid());
  }

  /** Logs out, closes the journal, and discards what was completed but never synced. */
  @Override
  public void close() throws IOException {
    core.close();
  }

  /** The server and folder, never a credential. */
  @Override
  public String toString() {
    return description;
  }

  /** Settings of an {@link ImapAppendSink}; each may be given once, and is checked when given. */
  public static final class Builder {
    private final ConnectionDraft connection = new ConnectionDraft();
    private String folder = "INBOX";
    private Path journal;
    private boolean keyHeader = true;
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

    /**
     * The folder mail goes into; default {@code INBOX}. An archived message is the one that does
     * not go here. Use the server's hierarchy delimiter for a folder inside another.
     */
    public Builder folder(String folder) {
      once.set("folder", this.folder);
      this.folder = ConnectionDraft.clean("folder", folder);
      return this;
    }

    /**
     * The file where the sink records each delivery before its {@code APPEND} is sent and after the
     * server took it, so that after a crash a delivery in doubt is looked up on the server instead
     * of appended twice. Without it, a crash between an {@code APPEND} and the state store's record
     * can leave a duplicate. The command keeps it in the account's state directory.
     */
    public Builder journal(Path journal) {
      once.set("journal", this.journal);
      this.journal = Objects.requireNonNull(journal, "journal");
      Require.requireArgument(
          !Files.isDirectory(journal), "journal must be a file, not the directory %s", journal);
      return this;
    }

    /** Caps and deadlines of the session; default {@link ImapLimits#defaults()}. */
    public Builder limits(ImapLimits limits) {
      connection.limits(limits);
      return this;
    }

    /**
     * Whether to prepend the {@value ImapAppendSink#KEY_HEADER} header (default true). Without it a
     * delivery in doubt is looked up by its {@code Message-ID}, which a message may lack or share.
     */
    public Builder keyHeader(boolean keyHeader) {
      once.set("keyHeader", this.keyHeader);
      this.keyHeader = keyHeader;
      return this;
    }

    /**
     * Builds the sink; nothing is sent over the network until it is used.
     *
     * @throws IllegalStateException if something required is missing or the settings contradict
     *     each other
     */
    public ImapAppendSink build() {
      connection.requireLogin();
      return new ImapAppendSink(this);
    }
  }
}
