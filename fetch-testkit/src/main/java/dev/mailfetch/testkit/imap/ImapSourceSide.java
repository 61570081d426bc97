package dev.mailfetch.testkit.imap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link FakeImapServer} as a client that READS mail sees it ({@link FakeImapServer#source()}):
 * messages put in folders while clients run (waking the clients in IDLE), what the clients did to
 * them (flags, expunged UIDs, moves and copies), UIDVALIDITY changes, and the sessions in IDLE.
 *
 * <pre>{@code
 * try (FakeImapServer imap = FakeImapServer.builder()
 *         .account("alice", "secret")
 *         .uidValidity("alice", "INBOX", 1733500000L)
 *         .message("alice", "INBOX", ImapSeed.of(bytes).uid(42).flags("\\Seen"))
 *         .quirk(ImapQuirk.I01_UNSOLICITED_EXPUNGE_DURING_FETCH)
 *         .start()) {
 *   // run the IMAP source against imap.host():imap.port() ...
 *   assertEquals(List.of(42L), imap.source().expunged("alice", "INBOX"));
 * }
 * }</pre>
 */
public final class ImapSourceSide {
  private final ImapSettings settings;
  private final ImapSessions sessions;

  ImapSourceSide(ImapSettings settings, ImapSessions sessions) {
    this.settings = settings;
    this.sessions = sessions;
  }

  /**
   * Puts a message in {@code folder} as the server's delivery would; a session in IDLE on the
   * folder hears {@code * n EXISTS} at once, others at their next command.
   *
   * @return its UID
   */
  public long deliver(String user, String folder, ImapSeed seed) {
    ImapAccount a = account(user);
    ImapAccount.Folder f = a.folder(folder);
    if (f == null || !f.selectable) {
      throw new IllegalArgumentException("no folder " + folder + " for " + user);
    }
    long uid = a.store(f.name, List.of(FakeImapServer.draft(seed, settings))).get(0);
    return uid;
  }

  /** The flags of message {@code uid} of {@code folder}, or empty if it is not there (any more). */
  public Optional<Set<String>> flags(String user, String folder, long uid) {
    ImapAccount a = account(user);
    synchronized (a) {
      for (ImapAccount.Stored m : a.in(folder)) {
        if (m.uid == uid) {
          return Optional.of(Set.copyOf(m.flags));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The UIDs clients expunged from {@code folder} (EXPUNGE, UID EXPUNGE, CLOSE, MOVE), in order.
   */
  public List<Long> expunged(String user, String folder) {
    return account(user).expunged(folder);
  }

  /** The messages clients moved (MOVE, UID MOVE), in order. */
  public List<ImapMove> moved(String user) {
    return account(user).moved();
  }

  /** The messages clients copied (COPY, UID COPY), in order. */
  public List<ImapMove> copied(String user) {
    return account(user).copied();
  }

  /** The UIDs {@code folder} holds now, in order. */
  public List<Long> uids(String user, String folder) {
    List<Long> uids = new ArrayList<>();
    ImapAccount a = account(user);
    synchronized (a) {
      a.in(folder).forEach(m -> uids.add(m.uid));
    }
    return uids;
  }

  /** The folder's UIDVALIDITY now. */
  public long uidValidity(String user, String folder) {
    ImapAccount a = account(user);
    synchronized (a) {
      return folderOf(a, folder).uidValidity;
    }
  }

  /** The folder's UIDNEXT now. */
  public long uidNext(String user, String folder) {
    ImapAccount a = account(user);
    synchronized (a) {
      return folderOf(a, folder).uidNext;
    }
  }

  /**
   * Gives {@code folder} a new UIDVALIDITY and its messages new UIDs from 1, as a server that lost
   * its index does (docs/quirks.md I10).
   *
   * @return the new UIDVALIDITY
   */
  public long renumber(String user, String folder) {
    ImapAccount a = account(user);
    folderOf(a, folder);
    return a.renumber(folder);
  }

  /** How many sessions are in IDLE now (between the {@code +} and DONE). */
  public int idling() {
    return settings.idling.size();
  }

  /**
   * Waits until at least {@code sessions} sessions are in IDLE, so that a message delivered next is
   * pushed to them.
   *
   * @throws IllegalStateException if they are not after {@code timeout}
   */
  public void awaitIdling(int sessions, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (idling() < sessions) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            idling() + " sessions in IDLE after " + timeout + ", not " + sessions);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /**
   * Ends every session in IDLE now, closing its connection without a word ({@code bye} false) or
   * after {@code * BYE} ({@code bye} true); the number ended.
   */
  public int dropIdleSessions(boolean bye) {
    int n = 0;
    for (ImapIdle idle : List.copyOf(settings.idling)) {
      if (idle.drop(bye)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "ImapSourceSide[" + sessions.recorded().size() + " sessions, " + idling() + " idling]";
  }

  private ImapAccount account(String user) {
    ImapAccount a = settings.accounts.get(user);
    if (a == null) {
      throw new IllegalArgumentException("no account " + user);
    }
    return a;
  }

  private static ImapAccount.Folder folderOf(ImapAccount a, String folder) {
    ImapAccount.Folder f = a.folder(folder);
    if (f == null) {
      throw new IllegalArgumentException("no folder " + folder + " for " + a.user);
    }
    return f;
  }
}
