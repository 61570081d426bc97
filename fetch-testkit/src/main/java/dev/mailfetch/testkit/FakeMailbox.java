package dev.mailfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

    /**
     * Its size as RFC 1939 counts it: the bytes, plus the CRLF the server adds if they do not end
     * in one.
     */
    public long size() {
      return (long) content.length + (endsWithLineEnd(content) ? 0 : 2);
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
      uid = String.format(Locale.ROOT, "uid-%06d", nextUid++);
    } while (uids().contains(uid));
    return add(uid, content);
  }

  /** Adds a message with its text encoded as UTF-8, exactly as given (use CRLF line ends). */
  public FakeMailbox add(String content) {
    return add(content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Adds a message under a given unique id. Any id is accepted, even one that breaks RFC 1939 (a
   * quirk test may want one); two messages may share an id (RFC 1939 §7 allows it).
   */
  public synchronized FakeMailbox add(String uid, byte[] content) {
    Objects.requireNonNull(uid, "uid");
    messages.add(new Message(uid, content.clone()));
    return this;
  }

  /**
   * A mailbox holding the messages of a Maildir ({@code new/} then {@code cur/}, each sorted by
   * file name), with LF line ends turned into CRLF as a POP3 server does; each file's name up to
   * its first ':' is its unique id.
   */
  public static FakeMailbox fromMaildir(Path maildir) throws IOException {
    FakeMailbox box = create();
    for (String sub : new String[] {"new", "cur"}) {
      Path dir = maildir.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      List<Path> files;
      try (Stream<Path> list = Files.list(dir)) {
        files = list.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
      }
      for (Path f : files) {
        String name = f.getFileName().toString();
        int colon = name.indexOf(':');
        box.add(colon < 0 ? name : name.substring(0, colon), toCrlf(Files.readAllBytes(f)));
      }
    }
    return box;
  }

  /** Bare LF line ends made CRLF; CRLF stays as it is. */
  static byte[] toCrlf(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + b.length / 32);
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r')) {
        out.write('\r');
      }
      out.write(b[i]);
    }
    return out.toByteArray();
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

  /**
   * Removes these messages, as another client deleting them would (or the server's own expiry):
   * sessions that start afterwards no longer list them.
   */
  public synchronized void remove(Collection<Message> gone) {
    Set<Message> set = Collections.newSetFromMap(new IdentityHashMap<>());
    set.addAll(gone);
    messages.removeIf(set::contains);
  }

  /** As {@link #remove}, returning the unique ids of those that were still there. */
  synchronized List<String> removeReturningUids(Collection<Message> gone) {
    Set<Message> set = Collections.newSetFromMap(new IdentityHashMap<>());
    set.addAll(gone);
    List<String> removed = new ArrayList<>();
    messages.removeIf(
        m -> {
          if (set.contains(m)) {
            removed.add(m.uid);
            return true;
          }
          return false;
        });
    return removed;
  }

  boolean tryLock() {
    return locked.compareAndSet(false, true);
  }

  void unlock() {
    locked.set(false);
  }

  /**
   * Whether the bytes end in CRLF (or are empty), so the server adds no line end before the
   * terminator.
   */
  static boolean endsWithLineEnd(byte[] b) {
    return b.length == 0 || (b.length >= 2 && b[b.length - 1] == '\n' && b[b.length - 2] == '\r');
  }
}
