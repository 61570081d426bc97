package dev.mailfetch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which faults a session plays, and the idle timeout they leave it. */
class FaultPlayerTest {
  @Test
  void forSession_keepsTheFaultsForEverySession_andThoseNamingThisOne() {
    Fault always = Fault.closeAtCommand("RETR", 1);
    Fault second = Fault.resetAtCommand("DELE", 1).inSession(2);
    List<Fault> all = List.of(always, second);
    assertEquals(List.of(always), FaultPlayer.forSession(all, 1));
    assertEquals(List.of(always, second), FaultPlayer.forSession(all, 2));
  }

  @Test
  void idleTimeout_isTheStandardOne_unlessAFaultSetsIt() {
    Duration standard = Duration.ofMinutes(10);
    assertEquals(standard, FaultPlayer.idleTimeout(standard, List.of(Fault.endlessBody())));
    assertEquals(
        Duration.ofMillis(300),
        FaultPlayer.idleTimeout(standard, List.of(Fault.idleTimeout(Duration.ofMillis(300)))));
  }
}
