package dev.mailfetch.testkit.imap;

import dev.mailfetch.api.internal.Require;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * An IMAP server for tests of IMAP clients that deliver mail (APPEND): on loopback, on a free port,
 * keeping its mailboxes in memory for the test to read back, and failing exactly as a test asks
 * ({@link ImapFault}).
 *
 * <pre>{@code
 * try (FakeImapServer imap = FakeImapServer.builder()
 *         .account("alice", "secret")
 *         .fault(ImapFault.okLost(2).inSession(1))
 *         .start()) {
 *   // point the client at imap.host():imap.port() ...
 *   imap.awaitSessionsEnded(Duration.ofSeconds(5));
 *   assertEquals(3, imap.messages("alice", "INBOX").size());
 * }
 * }</pre>
 *
 * <p>It speaks IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) as far as a client that appends needs:
 * the greeting with {@code [CAPABILITY]}, CAPABILITY, STARTTLS and implicit TLS, LOGIN,
 * AUTHENTICATE PLAIN (with SASL-IR, RFC 4959), ENABLE (RFC 5161), ID, LIST (and {@code LIST "" ""}
 * for the delimiter), CREATE, SELECT/EXAMINE, APPEND with synchronizing and non-synchronizing
 * literals (LITERAL+ / LITERAL-, RFC 7888), MULTIAPPEND (RFC 3502), {@code [APPENDUID]} (UIDPLUS,
 * RFC 4315), {@code [TRYCREATE]}, SEARCH/UID SEARCH, STORE/UID STORE, FETCH/UID FETCH, EXPUNGE,
 * CLOSE/UNSELECT, NOOP and LOGOUT. It honours the capabilities it lists ({@link
 * Builder#capabilities}): without LITERAL+ a {@code {n+}} literal gets {@code BYE}, without UIDPLUS
 * there is no APPENDUID, without MULTIAPPEND a second message is refused. {@link Builder#gmail()}
 * makes it behave as Gmail's IMAP ({@code X-GM-EXT-1}: labels, {@code X-GM-LABELS}).
 *
 * <p>Each session runs on its own daemon thread and every wait is bounded; {@link #close()} ends
 * every session. State lives in the instance, so servers in parallel tests do not interfere.
 */
public final class FakeImapServer implements AutoCloseable {
  /** What a client is offered unless {@link Builder#capabilities} says otherwise. */
  public static final List<String> DEFAULT_CAPABILITIES =
      List.of(
          "IMAP4rev1",
          "IMAP4rev2",
          "LITERAL+",
          "SASL-IR",
          "UIDPLUS",
          "MULTIAPPEND",
          "ENABLE",
          "UTF8=ACCEPT",
          "ID",
          "MOVE",
          "IDLE",
          "SPECIAL-USE",
          "UNSELECT",
          "AUTH=PLAIN");

  /**
   * What Gmail offers ({@link Builder#gmail()}): the list in Google's IMAP extensions guide, with
   * UIDPLUS, MOVE, SPECIAL-USE, ENABLE, UTF8=ACCEPT, SASL-IR and AUTH=PLAIN that Gmail offers as
   * well. NAMESPACE, QUOTA and XLIST are listed but not served.
   */
  public static final List<String> GMAIL_CAPABILITIES =
      List.of(
          "IMAP4rev1",
          "UNSELECT",
          "LITERAL+",
          "IDLE",
          "NAMESPACE",
          "QUOTA",
          "ID",
          "XLIST",
          "CHILDREN",
          "X-GM-EXT-1",
          "UIDPLUS",
          "MOVE",
          "SPECIAL-USE",
          "ENABLE",
          "UTF8=ACCEPT",
          "SASL-IR",
          "AUTH=PLAIN");

  private final ImapSettings settings;
  private final ServerSocket serverSocket;
  private final ImapSessions sessions;
  private final ImapSourceSide source;

  private FakeImapServer(ImapSettings settings, int port) throws IOException {
    this.settings = settings;
    this.serverSocket = new ServerSocket();
    serverSocket.setReuseAddress(true);
    serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    this.sessions = new ImapSessions(settings, serverSocket);
    this.source = new ImapSourceSide(settings, sessions);
  }

  /**
   * The server as a client that reads mail sees it: deliveries while clients run, what the clients
   * did (flags, expunged, moved), UIDVALIDITY changes, sessions in IDLE.
   */
  public ImapSourceSide source() {
    return source;
  }

  /** What storing {@code seed} asks of an account. */
  static ImapAccount.Draft draft(ImapSeed seed, ImapSettings settings) {
    return new ImapAccount.Draft(
        seed.content(),
        seed.flags(),
        seed.internalDate() != null ? seed.internalDate() : settings.clock.get(),
        seed.uid(),
        seed.labels());
  }

  /** A builder for a server with no accounts, plain text, the {@link #DEFAULT_CAPABILITIES}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The loopback address the server listens on ({@code 127.0.0.1}). */
  public String host() {
    return serverSocket.getInetAddress().getHostAddress();
  }

  /** The port the server listens on. */
  public int port() {
    return serverSocket.getLocalPort();
  }

  /** How the server secures sessions. */
  public TlsMode tlsMode() {
    return settings.tls;
  }

  /** The folders of {@code user}, in the order they were created. */
  public List<String> folders(String user) {
    List<String> names = new ArrayList<>();
    for (ImapAccount.Folder f : account(user).folders()) {
      names.add(f.name);
    }
    return names;
  }

  /**
   * The messages {@code folder} of {@code user} shows, in UID order, as stored (on Gmail: the
   * messages carrying the folder's label).
   *
   * @throws IllegalArgumentException if there is no such folder
   */
  public List<ImapMessage> messages(String user, String folder) {
    ImapAccount a = account(user);
    if (a.folder(folder) == null) {
      throw new IllegalArgumentException("no folder " + folder + " for " + user);
    }
    synchronized (a) {
      return a.in(folder).stream().map(ImapAccount.Stored::view).toList();
    }
  }

  /** Every message {@code user} has, in any folder (on Gmail: each message once). */
  public List<ImapMessage> messages(String user) {
    ImapAccount a = account(user);
    List<ImapMessage> all = new ArrayList<>();
    synchronized (a) {
      if (a.gmail) {
        a.in(ImapAccount.GMAIL_ALL_MAIL).forEach(m -> all.add(m.view()));
        a.in("[Gmail]/Spam").forEach(m -> all.add(m.view()));
        a.in("[Gmail]/Trash").forEach(m -> all.add(m.view()));
        return all;
      }
      for (ImapAccount.Folder f : a.folders()) {
        a.in(f.name).forEach(m -> all.add(m.view()));
      }
    }
    return all;
  }

  /**
   * Stores a message in {@code folder} as if another client had appended it, without a fault or a
   * quota: for a test that needs a message already there (a delivery an earlier run made).
   *
   * @return its UID
   */
  public long deliver(String user, String folder, byte[] content) {
    ImapAccount a = account(user);
    ImapAccount.Folder f = a.folder(folder);
    if (f == null || !f.selectable) {
      throw new IllegalArgumentException("no folder " + folder + " for " + user);
    }
    return a.store(
            f.name,
            List.of(new ImapAccount.Draft(content.clone(), List.of(), settings.clock.get())))
        .get(0);
  }

  /** Every session so far, in accept order. */
  public List<ImapRecordedSession> sessions() {
    return sessions.recorded();
  }

  /** Session {@code n} (from 1). */
  public ImapRecordedSession session(int n) {
    List<ImapRecordedSession> all = sessions();
    if (n < 1 || n > all.size()) {
      throw new IllegalArgumentException("no session " + n + "; there were " + all.size());
    }
    return all.get(n - 1);
  }

  /** The last session, if any. */
  public Optional<ImapRecordedSession> lastSession() {
    List<ImapRecordedSession> all = sessions();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Waits until every session so far has ended, so that what it recorded is complete.
   *
   * @throws IllegalStateException if some session still runs after {@code timeout}
   */
  public void awaitSessionsEnded(Duration timeout) {
    sessions.awaitEnded(timeout);
  }

  /** Stops listening and ends every session. Safe to call more than once. */
  @Override
  public void close() {
    sessions.close();
  }

  @Override
  public String toString() {
    return "FakeImapServer["
        + host()
        + ":"
        + port()
        + ", "
        + settings.tls
        + (settings.gmail ? ", Gmail" : "")
        + "]";
  }

  private ImapAccount account(String user) {
    ImapAccount a = settings.accounts.get(user);
    if (a == null) {
      throw new IllegalArgumentException("no account " + user);
    }
    return a;
  }

  /**
   * Builds a {@link FakeImapServer}; {@link #start()} binds it. Each setting is given once, as
   * every mailfetch builder's; accounts, folders and faults add up.
   */
  public static final class Builder {
    private final Require.Once once = new Require.Once();
    final Map<String, String> passwords = new LinkedHashMap<>();
    final Map<String, List<String>> folders = new LinkedHashMap<>();
    TlsMode tls = TlsMode.NONE;
    SSLContext sslContext;
    List<String> tlsProtocols;
    List<String> capabilities;
    String greeting;
    boolean gmail;
    char delimiter = '.';
    boolean requireTlsForLogin;
    long maxLiteral = 64L << 20;
    Duration replyDelay = Duration.ZERO;

    /** RFC 9051 §5.4: an inactivity timer of at least 30 minutes. */
    Duration idleTimeout = Duration.ofMinutes(30);

    final List<ImapFault> faults = new ArrayList<>();
    final Set<ImapQuirk> quirks = EnumSet.noneOf(ImapQuirk.class);
    Duration dropIdleAfter;
    final Map<String, Predicate<String>> tokenChecks = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> specialUse = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> uidValidities = new LinkedHashMap<>();
    private final Map<String, List<Map.Entry<String, ImapSeed>>> seeds = new LinkedHashMap<>();
    private int port;

    private Builder() {}

    /** Listen on this loopback port; default 0, a free port chosen by the system. */
    public Builder port(int port) {
      once.set("port", this.port);
      this.port = Require.range("port", port, 0, 65535);
      return this;
    }

    /** A user with a password and an empty INBOX. */
    public Builder account(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      Require.requireState(!passwords.containsKey(user), "account %s was already added", user);
      passwords.put(user, password);
      folders.put(user, new ArrayList<>());
      specialUse.put(user, new LinkedHashMap<>());
      uidValidities.put(user, new LinkedHashMap<>());
      seeds.put(user, new ArrayList<>());
      return this;
    }

    /** A folder {@code user} has from the start (its parents too). */
    public Builder folder(String user, String name) {
      Require.requireState(passwords.containsKey(user), "add the account %s first", user);
      folders.get(user).add(Require.notEmpty("name", name));
      return this;
    }

    /**
     * A folder {@code user} has from the start with a special-use attribute of RFC 6154 ({@code
     * \\Junk}, {@code \\Trash}, {@code \\Sent}, {@code \\Drafts}, {@code \\Archive}, {@code
     * \\All}), which LIST shows (and {@code LIST (SPECIAL-USE)} selects).
     */
    public Builder specialUse(String user, String name, String attribute) {
      folder(user, name);
      Require.requireArgument(
          attribute.startsWith("\\"), "a special-use attribute starts with \\: %s", attribute);
      specialUse.get(user).put(name, attribute);
      return this;
    }

    /** The UIDVALIDITY of {@code folder} (default: one from the clock, different per folder). */
    public Builder uidValidity(String user, String folder, long uidValidity) {
      Require.requireState(passwords.containsKey(user), "add the account %s first", user);
      Require.requireArgument(
          uidValidity >= 1 && uidValidity <= 0xFFFF_FFFFL,
          "UIDVALIDITY is from 1 to 4294967295: %s",
          uidValidity);
      Require.requireState(
          uidValidities.get(user).put(folder, uidValidity) == null,
          "UIDVALIDITY of %s was already given",
          folder);
      return this;
    }

    /**
     * A message in {@code folder} of {@code user} from the start (the folder is created if it is
     * not INBOX and was not added). Messages add up, in UID order per folder.
     */
    public Builder message(String user, String folder, ImapSeed seed) {
      Require.requireState(passwords.containsKey(user), "add the account %s first", user);
      seeds.get(user).add(Map.entry(folder, Objects.requireNonNull(seed, "seed")));
      return this;
    }

    /** Real-world behaviours to play (docs/quirks.md, "IMAP servers"); they add up. */
    public Builder quirk(ImapQuirk... quirks) {
      for (ImapQuirk q : quirks) {
        this.quirks.add(Objects.requireNonNull(q, "quirk"));
      }
      return this;
    }

    /**
     * End IDLE after this long by closing the connection (with {@code * BYE} first under {@link
     * ImapQuirk#I08_IDLE_BYE}), as servers and NAT gateways that drop idle connections early do.
     * Default: IDLE lasts until DONE or the {@link #idleTimeout} (1 s under I08).
     */
    public Builder dropIdleAfter(Duration after) {
      once.set("dropIdleAfter", this.dropIdleAfter);
      this.dropIdleAfter = Require.positive("dropIdleAfter", after);
      return this;
    }

    /** TLS with the test CA's valid certificate for localhost. */
    public Builder tls(TlsMode mode, TestCertificates certificates) {
      return tls(mode, certificates, TestCertificates.Profile.VALID);
    }

    /** TLS presenting the certificate of {@code profile}. {@link TlsMode#STLS} is STARTTLS. */
    public Builder tls(
        TlsMode mode, TestCertificates certificates, TestCertificates.Profile profile) {
      once.set("tls", this.tls);
      this.tls = Objects.requireNonNull(mode, "mode");
      this.sslContext = mode == TlsMode.NONE ? null : certificates.serverContext(profile);
      return this;
    }

    /** Restricts the TLS versions the server offers ({@code "TLSv1.2"}). */
    public Builder tlsProtocols(String... protocols) {
      once.set("tlsProtocols", this.tlsProtocols);
      this.tlsProtocols = List.of(protocols);
      return this;
    }

    /**
     * The capabilities listed in the greeting and CAPABILITY, instead of {@link
     * #DEFAULT_CAPABILITIES}; {@code STARTTLS} and {@code LOGINDISABLED} are added where they
     * apply. The server honours what it lists (LITERAL+, LITERAL-, UIDPLUS, MULTIAPPEND, SASL-IR,
     * AUTH=PLAIN, ENABLE and what can be enabled).
     */
    public Builder capabilities(String... capabilities) {
      once.set("capabilities", this.capabilities);
      this.capabilities = List.of(capabilities);
      return this;
    }

    /** The greeting's text after {@code * OK [CAPABILITY …]}. */
    public Builder greeting(String text) {
      once.set("greeting", this.greeting);
      this.greeting = Objects.requireNonNull(text, "text");
      return this;
    }

    /**
     * Behave as Gmail's IMAP: {@link #GMAIL_CAPABILITIES} ({@code X-GM-EXT-1}), Gmail's greeting,
     * {@code /} as delimiter, the {@code [Gmail]} folders with their special-use attributes, one
     * copy of each message with labels ({@code X-GM-LABELS} in STORE, FETCH and SEARCH; APPEND to a
     * folder labels the message with it). docs/testkit.md says where each behaviour comes from.
     */
    public Builder gmail() {
      once.set("gmail", this.gmail);
      this.gmail = true;
      return this;
    }

    /**
     * The hierarchy delimiter (default {@code .}, as Dovecot's Maildir++; Gmail's is {@code /}).
     */
    public Builder hierarchyDelimiter(char delimiter) {
      once.set("hierarchyDelimiter", this.delimiter);
      this.delimiter = delimiter;
      return this;
    }

    /** Refuse LOGIN and AUTHENTICATE before TLS, listing LOGINDISABLED (RFC 9051 §6.2.3). */
    public Builder requireTlsForLogin(boolean require) {
      once.set("requireTlsForLogin", this.requireTlsForLogin);
      this.requireTlsForLogin = require;
      return this;
    }

    /** The largest literal accepted (default 64 MiB); a larger one gets {@code [TOOBIG]}. */
    public Builder maxLiteralBytes(long bytes) {
      once.set("maxLiteralBytes", this.maxLiteral);
      this.maxLiteral = Require.positive("maxLiteralBytes", bytes);
      return this;
    }

    /**
     * Wait this long before each answer, so that a client that pipelines has sent its next commands
     * before the answer comes ({@link ImapRecordedCommand#pipelined()}).
     */
    public Builder replyDelay(Duration delay) {
      once.set("replyDelay", this.replyDelay);
      Require.requireArgument(
          !delay.isNegative() && delay.compareTo(ImapFault.MAX_WAIT) <= 0,
          "replyDelay must be from 0 to %s",
          ImapFault.MAX_WAIT);
      this.replyDelay = delay;
      return this;
    }

    /** Drop a session without a word after this long without a command (default 30 min). */
    public Builder idleTimeout(Duration idle) {
      once.set("idleTimeout", this.idleTimeout);
      this.idleTimeout = Require.positive("idleTimeout", idle);
      return this;
    }

    /**
     * Take OAuth access tokens for {@code user} (AUTHENTICATE XOAUTH2 and OAUTHBEARER, offered
     * where {@link #capabilities} is not given) that {@code valid} says are good: tokens an OAuth
     * server issues while the test runs (the fake Gmail's token endpoint), asked as a real server
     * asks its authorization server. A refused token gets Gmail's answer: its JSON error as a
     * continuation, then {@code NO [AUTHENTICATIONFAILED]} after the client's empty response.
     */
    public Builder oauthTokenCheck(String user, Predicate<String> valid) {
      Require.requireState(passwords.containsKey(user), "add the account %s first", user);
      Require.requireState(!tokenChecks.containsKey(user), "a token check for %s was given", user);
      tokenChecks.put(user, Objects.requireNonNull(valid, "valid"));
      return this;
    }

    /** Something to go wrong; see {@link ImapFault}. Faults add up. */
    public Builder fault(ImapFault fault) {
      faults.add(Objects.requireNonNull(fault, "fault"));
      return this;
    }

    /**
     * Binds to the loopback port and starts accepting.
     *
     * @throws UncheckedIOException when it cannot listen
     */
    public FakeImapServer start() {
      if (tls != TlsMode.NONE && sslContext == null) {
        throw new IllegalStateException("TLS mode " + tls + " needs certificates");
      }
      Map<String, ImapAccount> accounts = new LinkedHashMap<>();
      long uidValidity = Instant.now().getEpochSecond() % 1_000_000_000L + 1;
      for (Map.Entry<String, String> e : passwords.entrySet()) {
        ImapAccount a = new ImapAccount(e.getKey(), e.getValue(), gmail, delimiter, uidValidity);
        uidValidity += 100;
        String user = e.getKey();
        folders.get(user).forEach(f -> a.create(f, specialUse.get(user).get(f)));
        seeds.get(user).forEach(s -> a.create(s.getKey()));
        uidValidities
            .get(user)
            .forEach(
                (f, v) -> {
                  a.create(f);
                  a.folder(f).uidValidity = v;
                });
        accounts.put(user, a);
      }
      ImapSettings settings = new ImapSettings(this, accounts);
      for (Map.Entry<String, ImapAccount> e : accounts.entrySet()) {
        for (Map.Entry<String, ImapSeed> s : seeds.get(e.getKey())) {
          e.getValue().store(s.getKey(), List.of(draft(s.getValue(), settings)));
        }
      }
      try {
        return new FakeImapServer(settings, port);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot listen on loopback" + (port == 0 ? "" : " port " + port), e);
      }
    }

    @Override
    public String toString() {
      return "FakeImapServer.Builder["
          + passwords.keySet()
          + (gmail ? ", Gmail" : "")
          + ", faults "
          + faults
          + "]";
    }
  }
}
