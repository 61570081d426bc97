package dev.mailfetch.testkit;

import dev.mailfetch.api.internal.Require;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * A POP3 server for tests: on loopback, on a free port, serving mailboxes from exact bytes, and
 * misbehaving exactly as a test asks.
 *
 * <pre>{@code
 * FakeMailbox inbox = FakeMailbox.create().add("Subject: hi\r\n\r\nHello.\r\n");
 * try (FakePop3Server server = FakePop3Server.builder()
 *         .account("alice", "secret", inbox)
 *         .fault(Fault.resetAtCommand("RETR", 1).inSession(1))
 *         .start()) {
 *   // connect a client to server.host():server.port() ...
 *   server.awaitSessionsEnded(Duration.ofSeconds(5));
 *   assertFalse(server.session(1).sentInPlaintext("secret"));
 * }
 * }</pre>
 *
 * <p>It speaks RFC 1939 with CAPA (RFC 2449), STLS (RFC 2595), SASL (RFC 5034: PLAIN, LOGIN,
 * XOAUTH2 and OAUTHBEARER), APOP, and the response codes of RFC 2449 and RFC 3206. Deletions take
 * effect only when QUIT succeeds; a maildrop is locked while a session has it open. Everything the
 * client sends is recorded per session ({@link #sessions()}).
 *
 * <p>Each session runs on its own daemon thread and every wait is bounded, so a test that forgets a
 * client cannot hang; {@link #close()} ends every session. State lives in the instance, never in
 * static fields, so servers in parallel tests do not interfere.
 */
public final class FakePop3Server implements AutoCloseable {
  /** Where in a session a capability list is asked for. */
  public enum CapaPhase {
    /** Before TLS (or in a session without TLS) and before login. */
    BEFORE_TLS,
    /** After TLS, before login. */
    AFTER_TLS,
    /** After login. */
    AFTER_LOGIN
  }

  /** What the server does after sending a scripted reply ({@link Builder#respond}). */
  public enum After {
    /** Carries on in the same state, as if the command had not been acted on. */
    CONTINUE,
    /** Closes the connection. */
    CLOSE,
    /** Starts a TLS handshake (for a scripted STLS reply). */
    START_TLS,
    /** Says nothing more for 30 s, then closes. */
    STALL
  }

  /** The server's configuration, fixed when it starts. */
  static final class Settings {
    final TlsMode tls;
    final SSLContext sslContext;
    final List<String> tlsProtocols;
    final Map<String, Account> accounts;
    final String greeting;
    final boolean apopTimestamp;
    final List<String> mechanisms;
    final boolean userCommand;
    final boolean pipelining;

    /** The commands quirk Q21 stalls or drops after (upper case); empty: every command. */
    final Set<String> pipeliningFaultVerbs;

    final String expire;
    final Integer loginDelay;
    final boolean respCodes;
    final boolean requireTlsForAuth;
    final boolean xoauth2TwoStepOnly;
    final Map<CapaPhase, List<String>> capaOverrides;
    final Segmentation segmentation;
    final Duration replyDelay;
    final boolean maildropLock;
    final int maxSessions;
    final Duration idleTimeout;
    final List<Fault> faults;
    final Set<Quirk> quirks;
    final int port;
    final Map<String, Response> responses;
    final String rawGreeting;
    final boolean endlessSaslChallenges;
    final boolean extraReplyWhenPipelined;
    final IntFunction<String> identifyClients; // null: sessions' clients are not named
    final boolean deleImmediately;

    /** Messages some session has sent whole, so a later DELE of them is not judged unsent. */
    final Set<FakeMailbox.Message> sentWhole =
        Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    Settings(Builder b) {
      this.tls = b.tls;
      this.sslContext = b.sslContext;
      this.tlsProtocols = b.tlsProtocols;
      this.accounts = Map.copyOf(b.accounts);
      this.greeting = b.greeting;
      this.apopTimestamp = b.apopTimestamp;
      this.mechanisms = List.copyOf(b.mechanisms);
      this.userCommand = b.userCommand;
      this.pipelining = b.pipelining;
      this.pipeliningFaultVerbs = Set.copyOf(b.pipeliningFaultVerbs);
      this.expire = b.expire;
      this.loginDelay = b.loginDelay;
      this.respCodes = b.respCodes;
      this.requireTlsForAuth = b.requireTlsForAuth;
      this.xoauth2TwoStepOnly = b.xoauth2TwoStepOnly;
      this.capaOverrides = Map.copyOf(b.capaOverrides);
      this.segmentation = b.segmentation;
      this.replyDelay = b.replyDelay;
      this.maildropLock = b.maildropLock;
      this.maxSessions = b.maxSessions;
      this.idleTimeout = b.idleTimeout;
      this.faults = List.copyOf(b.faults);
      this.quirks = b.quirks.isEmpty() ? Set.of() : EnumSet.copyOf(b.quirks);
      this.port = b.port;
      this.responses = Map.copyOf(b.responses);
      this.rawGreeting = b.rawGreeting;
      this.endlessSaslChallenges = b.endlessSaslChallenges;
      this.extraReplyWhenPipelined = b.extraReplyWhenPipelined;
      this.deleImmediately = b.deleImmediately;
      this.identifyClients = b.identifyClients;
    }
  }

  private final Settings settings;
  private final ServerSocket serverSocket;
  private final SessionThreads sessions;

  private FakePop3Server(Settings settings) throws IOException {
    this.settings = settings;
    this.serverSocket = new ServerSocket();
    serverSocket.setReuseAddress(true);
    serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port), 50);
    this.sessions = new SessionThreads(settings, serverSocket);
  }

  /** A builder for a server with no accounts, plain text, standard behaviour. */
  public static Builder builder() {
    return new Builder();
  }

  /** The loopback address the server listens on, as a host name string ({@code 127.0.0.1}). */
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

  /** The mailbox of {@code user}. */
  public FakeMailbox mailbox(String user) {
    Account a = settings.accounts.get(user);
    if (a == null) {
      throw new IllegalArgumentException("no account " + user);
    }
    return a.mailbox;
  }

  /** Every session so far, in accept order. */
  public List<RecordedSession> sessions() {
    return sessions.recorded();
  }

  /** Session {@code n} (from 1). */
  public RecordedSession session(int n) {
    List<RecordedSession> all = sessions();
    if (n < 1 || n > all.size()) {
      throw new IllegalArgumentException("no session " + n + "; there were " + all.size());
    }
    return all.get(n - 1);
  }

  /** The last session, if any. */
  public Optional<RecordedSession> lastSession() {
    List<RecordedSession> all = sessions();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Waits until every session so far has ended (the server side is done with it), so that what it
   * recorded is complete.
   *
   * @throws IllegalStateException if some session is still running after {@code timeout}
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
    return "FakePop3Server[" + host() + ":" + port() + ", " + settings.tls + "]";
  }

  /**
   * Builds a {@link FakePop3Server}; {@link #start()} binds it. Each setting is given once ({@link
   * #respond} once per command, {@link #capabilities} per phase), as every mailfetch builder's;
   * accounts, tokens, faults and quirks add up.
   */
  public static final class Builder {
    private final Require.Once once = new Require.Once();
    private TlsMode tls = TlsMode.NONE;
    private SSLContext sslContext;
    private List<String> tlsProtocols;
    private final Map<String, Account> accounts = new LinkedHashMap<>();
    private String greeting = "mailfetch testkit POP3 server ready";
    private boolean apopTimestamp;
    private List<String> mechanisms = List.of("PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER");
    private boolean userCommand = true;
    private boolean pipelining = true;
    private final Set<String> pipeliningFaultVerbs = new HashSet<>();
    private String expire;
    private Integer loginDelay;
    private boolean respCodes = true;
    private boolean requireTlsForAuth;
    private boolean xoauth2TwoStepOnly;
    private final Map<CapaPhase, List<String>> capaOverrides = new LinkedHashMap<>();
    private Segmentation segmentation = Segmentation.WHOLE;
    private Duration replyDelay = Duration.ZERO;
    private boolean maildropLock = true;
    private int maxSessions = 32;

    /** RFC 1939 §3: an autologout timer "MUST be of at least 10 minutes' duration". */
    private Duration idleTimeout = Duration.ofMinutes(10);

    private final List<Fault> faults = new ArrayList<>();
    private final Set<Quirk> quirks = EnumSet.noneOf(Quirk.class);
    private int port;
    private final Map<String, Response> responses = new LinkedHashMap<>();
    private String rawGreeting;
    private boolean endlessSaslChallenges;
    private boolean extraReplyWhenPipelined;
    private boolean deleImmediately;
    private final Map<String, byte[]> extraMessages = new LinkedHashMap<>();
    private IntFunction<String> identifyClients;

    private Builder() {}

    /** Autologout after this idle time (default 10 min); short, it ends a SIGSTOPped client's. */
    public Builder idleTimeout(Duration idle) {
      once.set("idleTimeout", this.idleTimeout);
      this.idleTimeout = Require.positive("idleTimeout", idle);
      return this;
    }

    /** Names each session's client at its first DELE, from its port: {@link LoopbackClients}. */
    public Builder identifyClients(IntFunction<String> byClientPort) {
      once.set("identifyClients", this.identifyClients);
      this.identifyClients = Objects.requireNonNull(byClientPort, "byClientPort");
      return this;
    }

    /**
     * Instead of its own reply to {@code verb}, the server sends exactly {@code raw} (each char one
     * byte, ISO-8859-1, line ends included), then does what {@code after} says. For scripting
     * hostile servers: {@code respond("STAT", "+OK -1 0\r\n", After.CONTINUE)}.
     */
    public Builder respond(String verb, String raw, After after) {
      Objects.requireNonNull(raw, "raw");
      String v = verb.toUpperCase(Locale.ROOT);
      once.set("respond(" + v + ")", responses.get(v));
      responses.put(v, new Response(raw, Objects.requireNonNull(after, "after")));
      return this;
    }

    /** Instead of its greeting, the server sends exactly {@code raw} (line ends included). */
    public Builder rawGreeting(String raw) {
      once.set("rawGreeting", this.rawGreeting);
      this.rawGreeting = Objects.requireNonNull(raw, "raw");
      return this;
    }

    /** AUTH answers every client line with another challenge, up to 10,000 rounds (case A-05). */
    Builder endlessSaslChallenges() {
      this.endlessSaslChallenges = true;
      return this;
    }

    /** Every reply to a pipelined command is followed by an extra {@code +OK} line (case N-12). */
    Builder extraReplyWhenPipelined() {
      this.extraReplyWhenPipelined = true;
      return this;
    }

    /** Messages added to every mailbox when the server starts. */
    Builder extraMessage(String uid, byte[] content) {
      extraMessages.put(uid, content);
      return this;
    }

    /** Listen on this loopback port; default 0, a free port chosen by the system. */
    public Builder port(int port) {
      once.set("port", this.port);
      this.port = Require.range("port", port, 0, 65535);
      return this;
    }

    /** A user with a password and a mailbox. */
    public Builder account(String user, String password, FakeMailbox mailbox) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(mailbox, "mailbox");
      Require.requireState(!accounts.containsKey(user), "account %s was already added", user);
      accounts.put(user, new Account(user, password, mailbox));
      return this;
    }

    /** An OAuth access token that logs {@code user} in (XOAUTH2, OAUTHBEARER). */
    public Builder oauthToken(String user, String token) {
      requireAccount(user).tokens.add(Objects.requireNonNull(token, "token"));
      return this;
    }

    /**
     * Decides, at each login, a token given neither by {@link #oauthToken} nor by {@link
     * #expiredOauthToken}: {@code true} logs {@code user} in, {@code false} refuses it as expired.
     * For tokens an OAuth server issues while the test runs (the fake Gmail's token endpoint), as a
     * real server asks its authorization server (Dovecot's oauth2 introspection).
     */
    public Builder oauthTokenCheck(String user, Predicate<String> valid) {
      requireAccount(user).tokenCheck = Objects.requireNonNull(valid, "valid");
      return this;
    }

    /** A token the server knows but refuses as expired, with the JSON error Google sends. */
    public Builder expiredOauthToken(String user, String token) {
      requireAccount(user).expiredTokens.add(Objects.requireNonNull(token, "token"));
      return this;
    }

    /** TLS with the test CA's valid certificate for localhost. */
    public Builder tls(TlsMode mode, TestCertificates certificates) {
      return tls(mode, certificates, TestCertificates.Profile.VALID);
    }

    /** TLS presenting the certificate of {@code profile}. */
    public Builder tls(
        TlsMode mode, TestCertificates certificates, TestCertificates.Profile profile) {
      once.set("tls", this.tls);
      this.tls = Objects.requireNonNull(mode, "mode");
      this.sslContext = mode == TlsMode.NONE ? null : certificates.serverContext(profile);
      return this;
    }

    /**
     * Restricts the TLS versions the server offers, for example {@code "TLSv1", "TLSv1.1"} for a
     * server a modern client must refuse (case T-06). The JDK's own disabled-algorithms list still
     * applies: on JDK 17 a server limited to TLS 1.0/1.1 cannot complete any handshake.
     */
    public Builder tlsProtocols(String... protocols) {
      once.set("tlsProtocols", this.tlsProtocols);
      this.tlsProtocols = List.of(protocols);
      return this;
    }

    /** The greeting's text after {@code +OK }. */
    public Builder greeting(String text) {
      once.set("greeting", this.greeting);
      this.greeting = Objects.requireNonNull(text, "text");
      return this;
    }

    /** Add an APOP timestamp ({@code <pid.clock@host>}) to the greeting and accept APOP. */
    public Builder apop(boolean offer) {
      once.set("apop", this.apopTimestamp);
      this.apopTimestamp = offer;
      return this;
    }

    /**
     * The SASL mechanisms offered, in order; empty for none. PLAIN, LOGIN, XOAUTH2, OAUTHBEARER and
     * CRAM-MD5 are accepted; any other name is listed but refused.
     */
    public Builder saslMechanisms(String... mechanisms) {
      once.set("saslMechanisms", this.mechanisms);
      List<String> upper = new ArrayList<>();
      for (String m : mechanisms) {
        upper.add(m.toUpperCase(Locale.ROOT));
      }
      this.mechanisms = upper;
      return this;
    }

    /** Whether USER/PASS is offered (the {@code USER} capability). Default true. */
    public Builder userPass(boolean offer) {
      once.set("userPass", this.userCommand);
      this.userCommand = offer;
      return this;
    }

    /** Whether PIPELINING is advertised. Default true. */
    public Builder pipelining(boolean advertise) {
      once.set("pipelining", this.pipelining);
      this.pipelining = advertise;
      return this;
    }

    /**
     * Quirk Q21 (stalls, or drops what was queued) only at these commands ({@code "RETR"}, {@code
     * "DELE"}), so that a test can reach a pipelined retrieval or deletion with a listing that
     * worked.
     */
    public Builder pipeliningFaultsOnlyAt(String... verbs) {
      for (String v : verbs) {
        pipeliningFaultVerbs.add(v.toUpperCase(Locale.ROOT));
      }
      return this;
    }

    /** Advertise {@code EXPIRE value} ({@code "0"}, {@code "30"}, {@code "NEVER"}). */
    public Builder expire(String value) {
      once.set("expire", this.expire);
      this.expire = value;
      return this;
    }

    /** Advertise {@code LOGIN-DELAY seconds}. */
    public Builder loginDelay(int seconds) {
      once.set("loginDelay", this.loginDelay);
      this.loginDelay = seconds;
      return this;
    }

    /** Whether replies carry RFC 2449/3206 response codes ({@code [AUTH]}, {@code [IN-USE]}…). */
    public Builder responseCodes(boolean send) {
      once.set("responseCodes", this.respCodes);
      this.respCodes = send;
      return this;
    }

    /** Refuse USER, PASS, APOP and AUTH before TLS, as Dovecot's disable_plaintext_auth does. */
    public Builder requireTlsForAuth(boolean require) {
      once.set("requireTlsForAuth", this.requireTlsForAuth);
      this.requireTlsForAuth = require;
      return this;
    }

    /** Refuse XOAUTH2 with an initial response: Microsoft 365 wants two steps (quirk Q41). */
    public Builder xoauth2TwoStepOnly(boolean twoStep) {
      once.set("xoauth2TwoStepOnly", this.xoauth2TwoStepOnly);
      this.xoauth2TwoStepOnly = twoStep;
      return this;
    }

    /**
     * Send exactly these capability lines for CAPA in {@code phase}, instead of the derived ones.
     */
    public Builder capabilities(CapaPhase phase, String... lines) {
      once.set("capabilities(" + phase + ")", capaOverrides.get(phase));
      capaOverrides.put(phase, List.of(lines));
      return this;
    }

    /** How replies are cut into writes; default {@link Segmentation#WHOLE}. */
    public Builder segmentation(Segmentation segmentation) {
      once.set("segmentation", this.segmentation);
      this.segmentation = Objects.requireNonNull(segmentation, "segmentation");
      return this;
    }

    /**
     * Wait this long before each reply. Makes pipelining observable: a client that pipelines has
     * sent its next commands before the reply comes ({@link RecordedCommand#pipelined()}).
     */
    public Builder replyDelay(Duration delay) {
      once.set("replyDelay", this.replyDelay);
      Require.requireArgument(
          !delay.isNegative() && delay.compareTo(Fault.MAX_WAIT) <= 0,
          "replyDelay must be from 0 to %s",
          Fault.MAX_WAIT);
      this.replyDelay = delay;
      return this;
    }

    /**
     * DELE removes the message from the mailbox at once, not at QUIT: a session that breaks
     * afterwards has still deleted it, against RFC 1939 §6 (servers that "throw the queue away",
     * fetchmail FAQ D2). Default false.
     */
    public Builder deleImmediately(boolean immediately) {
      once.set("deleImmediately", this.deleImmediately);
      this.deleImmediately = immediately;
      return this;
    }

    /** Whether a maildrop is locked while a session has it open. Default true. */
    public Builder maildropLock(boolean lock) {
      once.set("maildropLock", this.maildropLock);
      this.maildropLock = lock;
      return this;
    }

    /** Most sessions at once; more get {@code -ERR [SYS/TEMP]} and are closed. Default 32. */
    public Builder maxSessions(int n) {
      once.set("maxSessions", this.maxSessions);
      Require.requireArgument(n >= 1, "maxSessions must be 1 or more: %d", n);
      this.maxSessions = n;
      return this;
    }

    /** Something to go wrong; see {@link Fault}. */
    public Builder fault(Fault fault) {
      faults.add(Objects.requireNonNull(fault, "fault"));
      return this;
    }

    /**
     * Behave like the real servers of a catalogue entry; see {@link Quirk}. Quirks compose. The
     * content quirks (Q07–Q09) add their messages to every mailbox when the server starts.
     */
    public Builder quirk(Quirk... quirks) {
      for (Quirk q : quirks) {
        this.quirks.add(Objects.requireNonNull(q, "quirk"));
      }
      return this;
    }

    /**
     * Binds to the loopback port (a free one unless {@link #port(int)} chose one) and starts
     * accepting.
     *
     * @throws UncheckedIOException when it cannot listen; its cause is a {@link
     *     java.net.BindException} when the port chosen is in use
     */
    public FakePop3Server start() {
      if (tls != TlsMode.NONE && sslContext == null) {
        throw new IllegalStateException(
            "TLS mode " + tls + " needs certificates: tls(mode, certificates)");
      }
      Set<FakeMailbox> boxes = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Account a : accounts.values()) {
        if (boxes.add(a.mailbox)) {
          for (Quirk q : quirks) {
            QuirkContent.of(q).forEach(a.mailbox::add);
          }
          extraMessages.forEach(a.mailbox::add);
        }
      }
      try {
        return new FakePop3Server(new Settings(this));
      } catch (BindException e) {
        // The usual cause by far: another program listens there, or a connection just closed on it.
        throw new UncheckedIOException(
            port == 0
                ? "cannot listen on loopback: no free port"
                : "cannot listen on loopback port " + port + ": the port is in use",
            e);
      } catch (SocketException e) {
        throw new UncheckedIOException("cannot listen on loopback", e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private Account requireAccount(String user) {
      Account a = accounts.get(user);
      if (a == null) {
        throw new IllegalStateException("add the account " + user + " first");
      }
      return a;
    }
  }
}
