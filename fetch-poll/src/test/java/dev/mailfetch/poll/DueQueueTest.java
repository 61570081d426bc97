package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The order checks start in, and the time to the next one, without a poller. */
class DueQueueTest {
  private static final Instant T = Instant.parse("2026-03-02T09:00:00Z");
  private final ScriptedServer server = new ScriptedServer();
  private final DueQueue queue = new DueQueue();
  private long added;

  private AccountState account(String name, String host, Instant next) {
    Fetcher f =
        Fetcher.builder()
            .source(server.source(name))
            .sink(InMemorySink.create())
            .uidStore(InMemoryUidStore.create())
            .build();
    AccountState a = new AccountState(host, f, PollSchedule.defaults(), 5, added++, false);
    a.next = next;
    queue.file(a);
    return a;
  }

  private static List<String> names(List<AccountState> accounts) {
    return accounts.stream().map(a -> a.name).collect(Collectors.toList());
  }

  @Test
  void dueAccountsStart_earliestFirst_andTheAddedOrderBreaksTies() {
    account("late", "h", T.plusSeconds(30));
    account("early", "h", T.minusSeconds(30));
    account("first", "h", T);
    account("second", "h", T);
    account("notYet", "h", T.plusSeconds(60));
    List<AccountState> taken = queue.takeDue(T.plusSeconds(30), new Slots(10, 10));
    assertEquals(List.of("early", "first", "second", "late"), names(taken));
    assertEquals(1, queue.size(), "the one not due stays");
  }

  @Test
  void anAccountAskedFor_startsFirst_evenWhenNotDue() {
    account("due", "h", T);
    AccountState wanted = account("wanted", "h", T.plus(Duration.ofHours(1)));
    wanted.wanted = new CompletableFuture<>();
    queue.file(wanted);
    assertEquals(List.of("wanted", "due"), names(queue.takeDue(T, new Slots(10, 10))));
  }

  @Test
  void aDueAccountWhoseHostIsFull_keepsItsPlace_andOthersGoPast() {
    account("a1", "a", T.minusSeconds(3));
    AccountState a2 = account("a2", "a", T.minusSeconds(2));
    account("b1", "b", T.minusSeconds(1));
    List<AccountState> taken = queue.takeDue(T, new Slots(10, 1));
    assertEquals(List.of("a1", "b1"), names(taken));
    assertTrue(queue.contains(a2), "waits for a's slot, first in line");
    assertEquals(List.of("a2"), names(queue.takeDue(T, new Slots(10, 1))));
  }

  @Test
  void noneIsTaken_onceEverySlotIsTaken() {
    account("x", "a", T);
    account("y", "b", T);
    Slots slots = new Slots(1, 1);
    assertEquals(List.of("x"), names(queue.takeDue(T, slots)));
    assertTrue(queue.takeDue(T, slots).isEmpty());
    assertEquals(1, queue.size());
  }

  @Test
  void theNextDueCheck_skipsThoseWaitingForASlot_andThoseAskedFor() {
    assertEquals(Optional.empty(), queue.nextDueAfter(T));
    account("waitingForASlot", "h", T.minusSeconds(5));
    AccountState wanted = account("wanted", "h", T.plusSeconds(5));
    wanted.wanted = new CompletableFuture<>();
    queue.file(wanted);
    assertEquals(Optional.empty(), queue.nextDueAfter(T));
    account("later", "h", T.plusSeconds(90));
    account("soon", "h", T.plusSeconds(20));
    assertEquals(Optional.of(T.plusSeconds(20)), queue.nextDueAfter(T));
  }

  @Test
  void pausedRunningAndRemovedAccounts_areNotInTheQueue_andRefilingMovesOne() {
    AccountState a = account("a", "h", T);
    a.pausedBy = new FetchException(FetchError.AUTH_FAILED, "wrong password (test)");
    queue.file(a);
    assertFalse(queue.contains(a), "paused");
    a.wanted = new CompletableFuture<>();
    queue.file(a);
    assertTrue(queue.contains(a), "a paused account asked for is checked");
    var unused = a.start();
    queue.file(a);
    assertFalse(queue.contains(a), "running");
    a.current = null;
    a.pausedBy = null;
    a.next = T.plusSeconds(10);
    queue.file(a);
    assertEquals(Optional.of(T.plusSeconds(10)), queue.nextDueAfter(T), "filed under its new time");
    a.removed = true;
    queue.file(a);
    assertEquals(0, queue.size(), "removed");
  }
}
