package dev.mailfetch.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mail arriving while clients fetch: every {@code every}, one new message in the mailbox of a user
 * drawn at random (seeded), each with a Message-ID of its own ({@code <a17.alice@arrival.test>}),
 * and the UID {@code a17}, so that a test can tell from a destination which messages arrived, and
 * how often each. Runs on a daemon thread until {@link #close()}.
 *
 * <pre>{@code
 * try (MailArrival arrival = MailArrival.start(boxes, Duration.ofMillis(50), 21)) {
 *   // clients fetch, processes die ...
 * }
 * Map<String, List<String>> sent = arrival.sent(); // user -> Message-IDs, in arrival order
 * }</pre>
 */
public final class MailArrival implements AutoCloseable {
  private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:\\s*(<[^>\\r\\n]*>)");

  private final Map<String, FakeMailbox> boxes;
  private final List<String> users;
  private final Duration every;
  private final Random random;
  private final Map<String, List<String>> sent = new LinkedHashMap<>();
  private final Thread thread;
  private volatile boolean stopped;
  private int count;

  private MailArrival(Map<String, FakeMailbox> boxes, Duration every, long seed) {
    this.boxes = Map.copyOf(boxes);
    this.users = new ArrayList<>(boxes.keySet());
    this.users.sort(null);
    this.every = every;
    this.random = new Random(seed);
    for (String u : users) {
      sent.put(u, new ArrayList<>());
    }
    this.thread = new Thread(this::loop, "mail-arrival");
    thread.setDaemon(true);
  }

  /** Starts delivering one message every {@code every} into the mailboxes (user to mailbox). */
  public static MailArrival start(Map<String, FakeMailbox> boxes, Duration every, long seed) {
    if (boxes.isEmpty() || every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("needs mailboxes and an interval above 0");
    }
    MailArrival a = new MailArrival(boxes, every, seed);
    a.thread.start();
    return a;
  }

  /** Adds one message to {@code user}'s mailbox now, as the thread does; returns its Message-ID. */
  public synchronized String deliver(String user) {
    FakeMailbox box = boxes.get(user);
    if (box == null) {
      throw new IllegalArgumentException("no mailbox for " + user);
    }
    count++;
    String id = "<a" + count + "." + user + "@arrival.test>";
    String text =
        "Message-ID: "
            + id
            + "\r\nFrom: sender@arrival.test\r\nTo: "
            + user
            + "@arrival.test\r\nSubject: arrival "
            + count
            + "\r\nDate: Sun, 06 Dec 2026 12:00:00 +0000\r\n\r\nMessage "
            + count
            + " for "
            + user
            + ".\r\n";
    box.add("a" + count, text.getBytes(StandardCharsets.US_ASCII));
    sent.get(user).add(id);
    return id;
  }

  /** Every message sent so far: user to its Message-IDs, in the order they arrived. */
  public synchronized Map<String, List<String>> sent() {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    sent.forEach((u, ids) -> copy.put(u, List.copyOf(ids)));
    return copy;
  }

  /** How many messages arrived so far. */
  public synchronized int count() {
    return count;
  }

  /** The Message-ID of a message's bytes ({@code <…>}), or null if its header has none. */
  public static String messageIdOf(byte[] message) {
    Matcher m = MESSAGE_ID.matcher(new String(message, StandardCharsets.ISO_8859_1));
    return m.find() ? m.group(1) : null;
  }

  /** Stops the arrivals and waits for the thread; safe to call more than once. */
  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    while (!stopped) {
      try {
        TimeUnit.NANOSECONDS.sleep(every.toNanos());
      } catch (InterruptedException e) {
        return;
      }
      if (!stopped) {
        String user;
        synchronized (this) {
          user = users.get(random.nextInt(users.size()));
        }
        deliver(user);
      }
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "MailArrival[%d mailboxes, %d sent]", users.size(), count());
  }
}
