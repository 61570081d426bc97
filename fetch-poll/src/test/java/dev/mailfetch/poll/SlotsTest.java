package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SlotsTest {

  @Test
  void aHostsBound_holds_whileOtherHostsStillGetPermits() {
    Slots s = new Slots(5, 2);
    assertTrue(s.tryAcquire("a"));
    assertTrue(s.tryAcquire("a"));
    assertFalse(s.tryAcquire("a"), "a third against one host");
    assertTrue(s.tryAcquire("b"));
    assertEquals(3, s.running());
    assertEquals(2, s.running("a"));
    s.release("a");
    assertTrue(s.tryAcquire("a"), "the permit given back is free again");
  }

  @Test
  void theOverallBound_holds_whateverTheHost() {
    Slots s = new Slots(2, 2);
    assertTrue(s.tryAcquire("a"));
    assertTrue(s.tryAcquire("b"));
    assertTrue(s.full());
    assertFalse(s.tryAcquire("c"));
    s.release("b");
    assertFalse(s.full());
    assertEquals(0, s.running("b"));
    assertTrue(s.tryAcquire("c"));
  }

  @Test
  void givingBackAPermitNeverTaken_isABug() {
    Slots s = new Slots(2, 2);
    assertThrows(IllegalStateException.class, () -> s.release("a"));
    assertEquals(0, s.running());
  }
}
