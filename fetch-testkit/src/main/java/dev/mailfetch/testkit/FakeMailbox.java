package dev.mailfetch.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The messages a {@link FakePop3Server} serves to one user, as exact bytes.
 *
 * <p>A message is stored as it should reach the client after unstuffing: lines normally end in
 * CRLF, and any byte is allowed (8-bit, NUL, lines of any length, lines that are a lone dot). The
 * server dot-stuffs on the way out; if a message does not end in a line end, the server adds CRLF
 * before the terminator, as RFC 1939 requires and real servers do.
 *
 * <p>Thread-safe: a test may add mail while a client is connected. A session sees the messages
 * present when it logged in; deletions are applied when a session's QUIT succeeds.
 */
public final class FakeMailbox {
  /** One stored message. */
  public static final class Message {
    private final String uid;
    private final byte[] content;

    Message(String uid, byte[] content) {
      this.uid = uid;
      this.content = content;
    }

    /** The unique id the server lists for it. */
    public String uid() {
      return uid;
    }

    /** A copy of its bytes. */
    public byte[] content() {
      return content.clone();
    }

    byte[] raw() {
      return content;
    }

    /** Its size as RFC 1939 counts it: the bytes, plus the CRLF the server adds if needed. */
    public long size() {
      return content.length + (endsWithLineEnd(content) ? 0 : 2);
    }

    @Override
    public String toString() {
      return "Message[" + uid + ", " + content.length + " bytes]";
    }
  }

  private final List<Message> messages = new ArrayList<>();
  private final AtomicBoolean locked = new AtomicBoolean();
  private int nextUid = 1;

  private FakeMailbox() {}

  /** An empty mailbox. */
  public static FakeMailbox create() {
    return new FakeMailbox();
  }

  /** Adds a message under the next generated unique id ({@code uid-000001}, ...). */
  public synchronized FakeMailbox add(byte[] content) {
    String uid;
    do {
      uid = String.format("uid-%06d", nextUid++);
    } while (uids().contains(uid));
    return add(uid, content);
  }

  /** Adds a message with its text encoded as UTF-8, exactly as given (use CRLF line ends). */
  public FakeMailbox add(String content) {
    return add(content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Adds a message under a given unique id. Any id is accepted, even one that breaks RFC 1939
   * (a quirk test may want one); two messages may share an id (RFC 1939 §7 allows it).
   */
  public synchronized FakeMailbox add(String uid, byte[] content) {
    Objects.requireNonNull(uid, "uid");
    messages.add(new Message(uid, content.clone()));
    return this;
  }

  /** The messages now in the mailbox, in order. */
  public synchronized List<Message> messages() {
    return List.copyOf(messages);
  }

  /** How many messages the mailbox holds. */
  public synchronized int size() {
    return messages.size();
  }

  /** The unique ids now in the mailbox, in order. */
  public synchronized Set<String> uids() {
    Set<String> out = new LinkedHashSet<>();
    for (Message m : messages) {
      out.add(m.uid);
    }
    return out;
  }

  /** Whether a message with these exact bytes is in the mailbox. */
  public synchronized boolean containsContent(byte[] content) {
    for (Message m : messages) {
      if (Arrays.equals(m.content, content)) {
        return true;
      }
    }
    return false;
  }

  synchronized List<Message> snapshot() {
    return List.copyOf(messages);
  }

  synchronized void remove(Collection<Message> gone) {
    Set<Message> set = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    set.addAll(gone);
    messages.removeIf(set::contains);
  }

  boolean tryLock() {
    return locked.compareAndSet(false, true);
  }

  void unlock() {
    locked.set(false);
  }

  static boolean endsWithLineEnd(byte[] b) {
    return b.length == 0 || b[b.length - 1] == '\n';
  }
}
