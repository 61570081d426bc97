package dev.mailfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntFunction;

/**
 * What one client connection did on a {@link FakePop3Server}: every command, whether TLS was
 * established, the host name it asked for (SNI), and every byte it sent in plain text, so a test
 * can assert "no password crossed a plaintext channel", "no DELE for message 7" or "the RETRs were
 * pipelined".
 *
 * <p>Thread-safe: it is filled in while the session runs. At most {@link #MAX_PLAINTEXT_RECORDED}
 * plain-text bytes are kept.
 */
public final class RecordedSession {
  /** The most plain-text bytes recorded per session. */
  public static final int MAX_PLAINTEXT_RECORDED = 1 << 20;

  private final int number;
  private final List<RecordedCommand> commands = new ArrayList<>();
  private final ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
  private boolean tls;
  private String sni;
  private String tlsProtocol;
  private boolean ended;
  private String user;
  private final Instant started = Instant.now();
  private Instant endedAt;
  private final List<String> unlisted = new ArrayList<>();
  private final List<String> deletedUnsent = new ArrayList<>();

  // When it began and ended on this JVM's monotonic clock (System.nanoTime), so that sessions of
  // one account can be compared with each other and with moments the test notes (a SIGKILL).
  private final long acceptedNanos = System.nanoTime();
  private long endedNanos = -1;
  private long firstDeleNanos = -1;
  private int clientPort;
  private String client;
  private final List<String> removedUids = new ArrayList<>();

  RecordedSession(int number) {
    this.number = number;
  }

  RecordedSession(int number, int clientPort) {
    this.number = number;
    this.clientPort = clientPort;
  }

  /** When the server accepted the connection, on this JVM's {@link System#nanoTime()} clock. */
  public long acceptedNanos() {
    return acceptedNanos;
  }

  /**
   * When the session was over for the client, on {@link System#nanoTime()}: just before the reply
   * to its QUIT (after the UPDATE), or when the connection closed without one; empty while it runs.
   * A client that waits for the QUIT reply cannot start anything after the session before this.
   */
  public synchronized OptionalLong endedNanos() {
    return endedNanos < 0 ? OptionalLong.empty() : OptionalLong.of(endedNanos);
  }

  /** When the session's first DELE arrived, on {@link System#nanoTime()}; empty if none did. */
  public synchronized OptionalLong firstDeleNanos() {
    return firstDeleNanos < 0 ? OptionalLong.empty() : OptionalLong.of(firstDeleNanos);
  }

  /** The client's TCP port (its end of the connection), 0 if unknown. */
  public int clientPort() {
    return clientPort;
  }

  /**
   * Who the client was, as the server's {@code identifyClients} function named it at the session's
   * first DELE; empty if the session sent none or no function was given.
   */
  public synchronized Optional<String> client() {
    return Optional.ofNullable(client);
  }

  /** The unique ids of the messages this session's UPDATE removed from the mailbox, in order. */
  public synchronized List<String> removedUids() {
    return List.copyOf(removedUids);
  }

  /** A DELE arrived: the first one notes the time and asks {@code identify} who the client is. */
  void deleReceived(IntFunction<String> identify) {
    synchronized (this) {
      if (firstDeleNanos >= 0) {
        return;
      }
      firstDeleNanos = System.nanoTime();
    }
    if (identify != null) {
      String who = identify.apply(clientPort); // outside the lock: it may read /proc
      synchronized (this) {
        client = who;
      }
    }
  }

  synchronized void removed(List<String> uids) {
    removedUids.addAll(uids);
  }

  /** The session is over for the client (its QUIT is about to be answered). */
  synchronized void finishing() {
    if (endedNanos < 0) {
      endedNanos = System.nanoTime();
    }
  }

  /** How long the session lasted, or has lasted so far. */
  public synchronized Duration duration() {
    return Duration.between(started, endedAt != null ? endedAt : Instant.now());
  }

  /**
   * Commands whose message number was not one RFC 1939 allows for this session (a decimal from 1 to
   * the message count): numbers a client must not take from a broken listing.
   */
  public synchronized List<String> commandsWithUnlistedNumbers() {
    return List.copyOf(unlisted);
  }

  /**
   * DELE commands for messages the server had never finished sending, in this session or an earlier
   * one.
   */
  public synchronized List<String> deletionsOfUnsentMessages() {
    return List.copyOf(deletedUnsent);
  }

  synchronized void unlisted(String line) {
    unlisted.add(line);
  }

  synchronized void deletedUnsent(String line) {
    deletedUnsent.add(line);
  }

  /** The session's number, from 1, in accept order. */
  public int number() {
    return number;
  }

  /** Every command received, in order. */
  public synchronized List<RecordedCommand> commands() {
    return List.copyOf(commands);
  }

  /** The command lines, in order. */
  public synchronized List<String> commandLines() {
    List<String> out = new ArrayList<>(commands.size());
    for (RecordedCommand c : commands) {
      out.add(c.line());
    }
    return out;
  }

  /** The commands with this verb (any case), in order. */
  public synchronized List<RecordedCommand> commands(String verb) {
    List<RecordedCommand> out = new ArrayList<>();
    for (RecordedCommand c : commands) {
      if (c.verb().equals(verb.toUpperCase(Locale.ROOT))) {
        out.add(c);
      }
    }
    return out;
  }

  /** Whether TLS was established in this session (implicitly or by STLS). */
  public synchronized boolean tlsEstablished() {
    return tls;
  }

  /** The TLS protocol negotiated ({@code TLSv1.3}), if any. */
  public synchronized Optional<String> tlsProtocol() {
    return Optional.ofNullable(tlsProtocol);
  }

  /** The host name the client sent in the TLS handshake (SNI), if any. */
  public synchronized Optional<String> sniHostName() {
    return Optional.ofNullable(sni);
  }

  /** The user who logged in, if one did. */
  public synchronized Optional<String> loggedInUser() {
    return Optional.ofNullable(user);
  }

  /** Whether the session has ended (either side closed). */
  public synchronized boolean ended() {
    return ended;
  }

  /** The bytes the client sent before TLS (or all of them, in a session without TLS). */
  public synchronized byte[] plaintextBytes() {
    return plaintext.toByteArray();
  }

  /**
   * Whether {@code secret} crossed the wire in plain text: as it is, or inside a base64 argument
   * (SASL PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER send credentials base64-encoded).
   */
  public synchronized boolean sentInPlaintext(String secret) {
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    if (indexOf(plaintext.toByteArray(), needle) >= 0) {
      return true;
    }
    for (RecordedCommand c : commands) {
      if (c.overTls()) {
        continue;
      }
      for (String token : c.line().split(" ")) {
        try {
          if (indexOf(Base64.getDecoder().decode(token.strip()), needle) >= 0) {
            return true;
          }
        } catch (IllegalArgumentException notBase64) {
          // not a base64 token: nothing hidden in it
        }
      }
    }
    return false;
  }

  synchronized void command(String line, boolean overTls, boolean pipelined) {
    commands.add(new RecordedCommand(line, overTls, pipelined));
  }

  synchronized void plaintext(byte[] b, int off, int len) {
    int room = MAX_PLAINTEXT_RECORDED - plaintext.size();
    if (room > 0) {
      plaintext.write(b, off, Math.min(room, len));
    }
  }

  synchronized void tls(String protocol, String sniHost) {
    this.tls = true;
    this.tlsProtocol = protocol;
    this.sni = sniHost;
  }

  synchronized void loggedIn(String user) {
    this.user = user;
  }

  synchronized void markEnded() {
    this.ended = true;
    this.endedAt = Instant.now();
    finishing();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    if (needle.length == 0) {
      return 0;
    }
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public synchronized String toString() {
    return "RecordedSession#" + number + (tls ? " (TLS)" : "") + " " + commandLines();
  }
}
