package dev.mailfetch.testkit.imap;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What one client connection did on a {@link FakeImapServer}: every command, whether TLS was
 * established, who logged in, and every byte the client sent before TLS, so that a test can assert
 * "no password crossed a plaintext channel" or "the APPENDs were pipelined".
 *
 * <p>Thread-safe: it is filled in while the session runs. At most {@link #MAX_PLAINTEXT_RECORDED}
 * plain-text bytes are kept.
 */
public final class ImapRecordedSession {
  /** The most plain-text bytes recorded per session. */
  public static final int MAX_PLAINTEXT_RECORDED = 1 << 20;

  private final int number;
  private final List<ImapRecordedCommand> commands = new ArrayList<>();
  private final ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
  private String tlsProtocol;
  private String sni;
  private String user;
  private String endedBy;
  private boolean ended;

  ImapRecordedSession(int number) {
    this.number = number;
  }

  /** The session's number, from 1, in accept order. */
  public int number() {
    return number;
  }

  /** Every command received, in order. */
  public synchronized List<ImapRecordedCommand> commands() {
    return List.copyOf(commands);
  }

  /** The commands with this verb ({@code "APPEND"}, {@code "UID SEARCH"}), any case, in order. */
  public synchronized List<ImapRecordedCommand> commands(String verb) {
    String v = verb.toUpperCase(Locale.ROOT);
    List<ImapRecordedCommand> out = new ArrayList<>();
    for (ImapRecordedCommand c : commands) {
      if (c.verb().equals(v)) {
        out.add(c);
      }
    }
    return out;
  }

  /** The verbs received, in order (SASL response lines left out). */
  public synchronized List<String> verbs() {
    List<String> out = new ArrayList<>();
    for (ImapRecordedCommand c : commands) {
      if (!c.verb().isEmpty()) {
        out.add(c.verb());
      }
    }
    return out;
  }

  /** Whether TLS was established (implicitly or by STARTTLS). */
  public synchronized boolean tlsEstablished() {
    return tlsProtocol != null;
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

  /**
   * Why the server ended the session, when a fault or the server did ({@code "OK_LOST at APPEND
   * #2"}, {@code "LOGOUT"}); empty when the client closed first or the session runs.
   */
  public synchronized Optional<String> endedBy() {
    return Optional.ofNullable(endedBy);
  }

  /** The bytes the client sent before TLS (or all of them, in a session without TLS). */
  public synchronized byte[] plaintextBytes() {
    return plaintext.toByteArray();
  }

  /**
   * Whether {@code secret} crossed the wire in plain text: as it is, or inside a base64 argument
   * (AUTHENTICATE PLAIN sends credentials base64-encoded).
   */
  public synchronized boolean sentInPlaintext(String secret) {
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    if (indexOf(plaintext.toByteArray(), needle) >= 0) {
      return true;
    }
    for (ImapRecordedCommand c : commands) {
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

  @Override
  public synchronized String toString() {
    return "session " + number + (ended ? " (ended)" : " (running)") + ": " + commands;
  }

  synchronized void command(ImapRecordedCommand c) {
    commands.add(c);
  }

  synchronized void plaintext(byte[] b, int off, int len) {
    int room = MAX_PLAINTEXT_RECORDED - plaintext.size();
    if (room > 0) {
      plaintext.write(b, off, Math.min(room, len));
    }
  }

  synchronized void tls(String protocol, String sniHost) {
    this.tlsProtocol = protocol;
    this.sni = sniHost;
  }

  synchronized void loggedIn(String name) {
    this.user = name;
  }

  synchronized void endedBy(String why) {
    if (endedBy == null) {
      endedBy = why;
    }
  }

  synchronized void markEnded() {
    ended = true;
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
}
