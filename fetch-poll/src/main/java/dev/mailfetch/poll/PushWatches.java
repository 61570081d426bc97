package dev.mailfetch.poll;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MailPush;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push watches of a {@link Poller}'s accounts: how many connections each server host holds (at
 * most {@code maxPerHost}; an account whose watches would not fit waits, polled, for room in the
 * order added), and the watches themselves. The bookkeeping is guarded by the poller's lock; the
 * watches are opened and closed outside it.
 */
final class PushWatches {
  private static final Logger log = LoggerFactory.getLogger(Poller.class);

  /** After push ended, it is tried again at the first check that works after this long. */
  static final Duration RETRY_AFTER = Duration.ofMinutes(15);

  private final boolean enabled;
  private final int maxPerHost;
  private final ThreadFactory threads;
  private final Map<String, Integer> byHost = new HashMap<>();
  private final Set<AccountState> waiting = new LinkedHashSet<>();
  private final Poller poller;

  PushWatches(boolean enabled, int maxPerHost, ThreadFactory threads, Poller poller) {
    this.enabled = enabled;
    this.maxPerHost = maxPerHost;
    this.threads = threads != null ? threads : defaultThreads();
    this.poller = poller;
  }

  boolean enabled() {
    return enabled;
  }

  /**
   * Under the lock: takes room at its host for all of {@code a}'s watches, or puts it in the
   * waiting line; true if the watches may open.
   */
  boolean reserve(AccountState a) {
    if (a.push == null || a.removed || !a.entries.isEmpty()) {
      return false;
    }
    int n = a.push.mailboxes().size();
    if (byHost.getOrDefault(a.host, 0) + n > maxPerHost) {
      waiting.add(a);
      return false;
    }
    waiting.remove(a);
    byHost.merge(a.host, n, Integer::sum);
    for (String mailbox : a.push.mailboxes()) {
      a.entries.add(new Entry(a, mailbox));
    }
    a.pushRetryAt = null;
    return true;
  }

  /**
   * Under the lock: gives back the room of one watch that ended (or all of a removed account's);
   * returns the waiting accounts that fit now, their room taken: the caller opens their watches.
   */
  List<AccountState> release(AccountState a, List<Entry> ended) {
    int n = 0;
    for (Entry e : ended) {
      if (!e.done) {
        e.done = true;
        n++;
      }
      a.entries.remove(e);
    }
    if (n > 0) {
      byHost.merge(a.host, -n, Integer::sum);
      byHost.remove(a.host, 0);
    }
    waiting.remove(a);
    List<AccountState> admitted = new ArrayList<>();
    for (AccountState w : List.copyOf(waiting)) {
      if (w.host.equals(a.host) && reserve(w)) { // reserve takes it out of the line
        admitted.add(w);
      }
    }
    return admitted;
  }

  /** Watch connections held to {@code host}. */
  int watching(String host) {
    return byHost.getOrDefault(host, 0);
  }

  /**
   * Under the lock, after a check of {@code a} ended: mail that a watch announced while it ran asks
   * for another check; push that ended is tried again after a check that worked, {@link
   * #RETRY_AFTER} after it ended. True if watches were reserved: the caller opens them.
   */
  boolean afterCheck(AccountState a, CheckRecord record, Instant ended) {
    if (a.pushPending && a.pausedBy == null) {
      a.want(CheckRecord.Cause.PUSHED);
    }
    a.pushPending = false;
    return a.pushRetryAt != null
        && !ended.isBefore(a.pushRetryAt)
        && (record.outcome() == CheckRecord.Outcome.NEW_MAIL
            || record.outcome() == CheckRecord.Outcome.NOTHING_NEW)
        && reserve(a);
  }

  /** Outside the lock: opens the watches reserved for {@code a}. */
  void open(AccountState a) {
    List<Entry> entries;
    poller.lock.lock();
    try {
      entries = List.copyOf(a.entries);
    } finally {
      poller.lock.unlock();
    }
    for (Entry e : entries) {
      try {
        MailPush.Watch w = a.push.watch(e.mailbox, new Events(e), threads);
        e.watch = w;
        if (a.removed || poller.closing) {
          w.close(); // removed while it opened: the remover may not have seen it
        }
      } catch (RuntimeException bug) {
        log.warn("{} - the source's push failed to start; the account is polled", a.name, bug);
        ended(e, null);
      }
    }
  }

  /** Outside the lock: opens the watches of accounts that got room. */
  void openAll(List<AccountState> admitted) {
    for (AccountState w : admitted) {
      open(w);
    }
  }

  /**
   * A watch says mail may have arrived: a check starts as soon as the bounds allow, or follows the
   * one running. A burst makes one check; a paused account waits for a person.
   */
  void arrived(AccountState a) {
    poller.lock.lock();
    try {
      if (poller.closing || a.removed || a.pausedBy != null) {
        return;
      }
      if (a.current != null) {
        a.pushPending = true; // it may have listed before the mail came
        return;
      }
      if (!a.want(CheckRecord.Cause.PUSHED)) {
        return;
      }
      poller.due.file(a);
      poller.changed();
    } finally {
      poller.lock.unlock();
    }
    if (poller.timer == null) {
      poller.tick();
    }
  }

  /** A watch ended by itself ({@code why}; null if it failed to start): its room goes on. */
  void ended(Entry e, FetchException why) {
    AccountState a = e.account;
    List<AccountState> admitted;
    poller.lock.lock();
    try {
      if (e.done) {
        return;
      }
      admitted = release(a, List.of(e));
      if (a.entries.isEmpty() && !a.removed) {
        a.pushRetryAt = poller.clock.instant().plus(RETRY_AFTER);
      }
    } finally {
      poller.lock.unlock();
    }
    close(List.of(e));
    if (why != null) {
      poller.listener.pushEnded(a.name, e.mailbox, why);
    }
    openAll(admitted);
  }

  void watching(Entry e) {
    poller.listener.pushWatching(e.account.name, e.mailbox);
  }

  /**
   * Under the lock, as {@code a} is removed: gives its room back; returns what closes its watches
   * and opens those of accounts that got room, to run outside the lock.
   */
  Runnable removed(AccountState a) {
    List<Entry> closed = List.copyOf(a.entries);
    List<AccountState> admitted = release(a, closed);
    return () -> {
      close(closed);
      openAll(admitted);
    };
  }

  /** Under the lock: the watches of these accounts. */
  static List<Entry> entries(Collection<AccountState> accounts) {
    List<Entry> all = new ArrayList<>();
    for (AccountState a : accounts) {
      all.addAll(a.entries);
    }
    return all;
  }

  /** Outside the lock: closes watches. */
  static void close(List<Entry> entries) {
    for (Entry e : entries) {
      MailPush.Watch w = e.watch;
      if (w != null) {
        w.close();
      }
    }
  }

  /** One watched mailbox of an account; {@code done} once its room was given back. */
  static final class Entry {
    final AccountState account;
    final String mailbox;
    volatile MailPush.Watch watch;
    boolean done;

    Entry(AccountState account, String mailbox) {
      this.account = account;
      this.mailbox = mailbox;
    }
  }

  /** What one watch tells the poller. */
  private final class Events implements MailPush.Listener {
    private final Entry entry;

    Events(Entry entry) {
      this.entry = entry;
    }

    @Override
    public void arrived(String mailbox) {
      PushWatches.this.arrived(entry.account);
    }

    @Override
    public void ended(String mailbox, FetchException why) {
      PushWatches.this.ended(entry, why);
    }

    @Override
    public void watching(String mailbox) {
      PushWatches.this.watching(entry);
    }
  }

  /**
   * Virtual threads where the runtime has them (Java 21 and later: a watch then costs a few
   * kilobytes of heap), else daemon platform threads with a small stack (a watch waits in one
   * socket read, a shallow stack).
   */
  static ThreadFactory defaultThreads() {
    try {
      Object builder =
          MethodHandles.publicLookup()
              .findStatic(
                  Thread.class,
                  "ofVirtual",
                  MethodType.methodType(Class.forName("java.lang.Thread$Builder$OfVirtual")))
              .invoke();
      Object factory =
          MethodHandles.publicLookup()
              .findVirtual(
                  Class.forName("java.lang.Thread$Builder"),
                  "factory",
                  MethodType.methodType(ThreadFactory.class))
              .invoke(builder);
      return (ThreadFactory) factory;
    } catch (Throwable noVirtualThreads) { // Java 17 to 20: no Thread.ofVirtual
      return r -> {
        Thread t = new Thread(null, r, "mailfetch-idle", SMALL_STACK);
        t.setDaemon(true);
        return t;
      };
    }
  }

  /** The stack of a platform thread that runs a watch. */
  private static final long SMALL_STACK = 256 * 1024;
}
