package dev.mailfetch.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A lease per account: taken, renewed, released, taken over only after expiry; tokens only grow.
 */
@Timeout(60)
class JdbcAccountLeasesTest {
  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
  private static ReusedConnections ds;
  private final TestDatabase.ManualClock clock = new TestDatabase.ManualClock(T0);

  @BeforeAll
  static void database() throws Exception {
    ds = TestDatabase.create("leases");
  }

  private JdbcAccountLeases leases(String owner) throws Exception {
    JdbcState state = JdbcState.builder(ds).clock(clock).open();
    return JdbcAccountLeases.builder(state).owner(owner).leaseTime(Duration.ofMinutes(2)).build();
  }

  @Test
  void aLeaseHeld_isRefusedToAnother_untilItExpires_thenTakenOverWithAGreaterToken()
      throws Exception {
    JdbcAccountLeases a = leases("instance-a");
    JdbcAccountLeases b = leases("instance-b");
    JdbcAccountLeases.Lease held = a.take("expiry@example.org").orElseThrow();
    assertEquals(T0.plus(Duration.ofMinutes(2)), held.expiresAt());
    assertEquals(Optional.empty(), b.take("expiry@example.org"), "held, not expired");
    clock.advance(Duration.ofMinutes(2).minusMillis(1));
    assertEquals(Optional.empty(), b.take("expiry@example.org"), "one millisecond before expiry");
    clock.advance(Duration.ofMillis(1));
    JdbcAccountLeases.Lease taken = b.take("expiry@example.org").orElseThrow();
    assertEquals("instance-b", taken.owner());
    assertTrue(taken.fencingToken() > held.fencingToken(), taken + " after " + held);
    assertEquals(Optional.of(taken), b.holder("expiry@example.org"));
  }

  @Test
  void renewing_keepsTheAccount_pastTheFirstExpiry() throws Exception {
    JdbcAccountLeases a = leases("instance-a");
    JdbcAccountLeases b = leases("instance-b");
    JdbcAccountLeases.Lease held = a.take("renew@example.org").orElseThrow();
    clock.advance(Duration.ofSeconds(90));
    JdbcAccountLeases.Lease renewed = a.renew(held);
    assertEquals(held.fencingToken(), renewed.fencingToken(), "the same taking");
    assertEquals(T0.plus(Duration.ofSeconds(90 + 120)), renewed.expiresAt());
    clock.advance(Duration.ofSeconds(60)); // past the first expiry, within the renewed one
    assertEquals(Optional.empty(), b.take("renew@example.org"));
  }

  @Test
  void aRenewalAfterATakeover_isRefused_namingTheNewOwner() throws Exception {
    JdbcAccountLeases a = leases("instance-a");
    JdbcAccountLeases b = leases("instance-b");
    JdbcAccountLeases.Lease held = a.take("lost@example.org").orElseThrow();
    clock.advance(Duration.ofMinutes(3)); // a was paused past its lease
    JdbcAccountLeases.Lease taken = b.take("lost@example.org").orElseThrow();
    FetchException e = assertThrows(FetchException.class, () -> a.renew(held));
    assertEquals(FetchError.LOCKED, e.error());
    assertEquals(
        "the lease of lost@example.org held by \"instance-a\" has ended: \"instance-b\" took it over"
            + " (fencing token "
            + taken.fencingToken()
            + ", this instance's "
            + held.fencingToken()
            + "); this instance writes and deletes nothing more for the account",
        e.detail());
  }

  @Test
  void aReleasedLease_isTakenAtOnce_andTheTokenStillGrows() throws Exception {
    JdbcAccountLeases a = leases("instance-a");
    JdbcAccountLeases b = leases("instance-b");
    JdbcAccountLeases.Lease first = a.take("release@example.org").orElseThrow();
    a.release(first);
    JdbcAccountLeases.Lease second = b.take("release@example.org").orElseThrow();
    assertEquals(first.fencingToken() + 1, second.fencingToken());
    a.release(first); // too late: changes nothing
    assertEquals(Optional.of(second), b.holder("release@example.org"));
    JdbcAccountLeases.Lease again = b.take("release@example.org").orElseThrow();
    assertEquals(second.fencingToken() + 1, again.fencingToken(), "the same owner: a new token");
  }

  @Test
  void manyInstancesTakingOneFreeAccountAtOnce_oneGetsIt_andEveryTokenIsNew() throws Exception {
    List<JdbcAccountLeases> instances = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      instances.add(leases("racer-" + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(6);
    Set<Long> tokens = new HashSet<>();
    try {
      for (int round = 0; round < 5; round++) {
        List<Future<Optional<JdbcAccountLeases.Lease>>> tries = new ArrayList<>();
        for (JdbcAccountLeases l : instances) {
          tries.add(pool.submit(() -> l.take("race@example.org")));
        }
        List<JdbcAccountLeases.Lease> winners = new ArrayList<>();
        for (Future<Optional<JdbcAccountLeases.Lease>> f : tries) {
          f.get().ifPresent(winners::add);
        }
        assertEquals(1, winners.size(), "round " + round + ": " + winners);
        assertTrue(tokens.add(winners.get(0).fencingToken()), "a token never given twice");
        clock.advance(Duration.ofMinutes(3)); // the winner dies: next round takes over
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(5, tokens.size());
  }

  @Test
  void theLeasesBuilder_refusesASettingTwice_andAnOwnerThatCouldBreakALine() throws Exception {
    JdbcAccountLeases.Builder b = JdbcAccountLeases.builder(JdbcState.open(ds)).owner("x");
    assertEquals(
        "owner was already set to x",
        assertThrows(IllegalStateException.class, () -> b.owner("y")).getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> JdbcAccountLeases.builder(JdbcState.open(ds)).owner("a\r\nb"));
    assertThrows(
        IllegalArgumentException.class,
        () -> JdbcAccountLeases.builder(JdbcState.open(ds)).leaseTime(Duration.ofMillis(10)));
  }
}
