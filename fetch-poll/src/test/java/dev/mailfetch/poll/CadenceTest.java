package dev.mailfetch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The adaptive schedule against scripted arrival patterns, under simulated time: nothing sleeps.
 */
class CadenceTest {
  private static final PollSchedule S = PollSchedule.defaults();
  private static final Duration MIN = S.minInterval();
  private static final Duration MAX = S.maxInterval();

  private static boolean within(Duration d, Duration lo, Duration hi) {
    return d.compareTo(lo) >= 0 && d.compareTo(hi) <= 0;
  }

  private static double minutes(Duration d) {
    return d.toMillis() / 60_000.0;
  }

  @Property(tries = 200)
  void neverOutsideTheBounds_whateverArrivesAndWhateverFails(
      @ForAll @Size(max = 60) List<@IntRange(min = -2, max = 50) Integer> script) {
    Cadence c = new Cadence(S, "prop");
    Instant t = Arrivals.T0;
    for (int step : script) {
      Cadence.Decision d =
          step == -1
              ? c.afterTransient(t)
              : step == -2
                  ? c.afterPutOff(t, Optional.empty())
                  : c.afterSuccess(t, t, step, Optional.empty());
      assertTrue(within(d.interval(), MIN, MAX), d::toString);
      assertEquals(d.next(), t.plus(d.interval()));
      t = d.next();
    }
  }

  @Test
  void steadyMail_theIntervalSettlesAtTheGapBetweenMessages() {
    List<Arrivals.Check> checks =
        Arrivals.run(
            S,
            "steady",
            Arrivals.steady(Duration.ofMinutes(10), Duration.ofHours(12)),
            Duration.ofHours(12));
    List<Double> late = new ArrayList<>();
    for (Arrivals.Check c : checks) {
      if (c.at().isAfter(Arrivals.T0.plus(Duration.ofHours(3)))) {
        late.add(minutes(c.interval()));
      }
    }
    double mean = late.stream().mapToDouble(x -> x).average().orElseThrow();
    assertTrue(
        mean > 8 && mean < 12.5,
        "a message every 10 minutes, checked about every " + mean + " min");
  }

  @Test
  void burst_checksSoonerWhileMailFlows_thenBacksOffToTheMaximum() {
    Duration at = Duration.ofHours(4);
    List<Arrivals.Check> checks =
        Arrivals.run(
            S, "bursty", Arrivals.burst(at, 30, Duration.ofMinutes(20)), Duration.ofHours(12));
    Instant burst = Arrivals.T0.plus(at);
    Arrivals.Check lastBefore =
        checks.stream().filter(c -> c.at().isBefore(burst)).reduce((a, b) -> b).orElseThrow();
    assertEquals(
        (double) MAX.toMinutes(),
        (double) Math.round(minutes(lastBefore.interval()) / (1 + S.jitter() * 0)),
        6.0,
        "four silent hours bring the interval to the maximum: " + lastBefore);
    Arrivals.Check firstFind = checks.stream().filter(c -> c.found() > 0).findFirst().orElseThrow();
    assertTrue(
        minutes(firstFind.interval()) <= 12, "mail found: the next check comes soon: " + firstFind);
    List<Arrivals.Check> after =
        checks.stream()
            .filter(
                c ->
                    c.at().isAfter(firstFind.at())
                        && c.at().isBefore(firstFind.at().plus(Duration.ofMinutes(30))))
            .toList();
    assertTrue(after.size() >= 3, "several checks while the burst lasts: " + after);
    Arrivals.Check end = checks.get(checks.size() - 1);
    assertTrue(
        minutes(end.interval()) >= 0.9 * 60, "backed off to the maximum hours later: " + end);
  }

  @Test
  void silence_backsOffAtMostDoublingEachTime_toTheMaximum_andStaysThere() {
    List<Arrivals.Check> checks = Arrivals.run(S, "silent", List.of(), Duration.ofHours(24));
    double jitter = S.jitter();
    for (int i = 1; i < checks.size(); i++) {
      double ratio = minutes(checks.get(i).interval()) / minutes(checks.get(i - 1).interval());
      assertTrue(
          ratio <= 2 * (1 + jitter) / (1 - jitter) + 1e-9, "grew by " + ratio + " at check " + i);
    }
    assertTrue(checks.size() < 40, "a silent day costs few checks: " + checks.size());
    for (Arrivals.Check c : checks.subList(8, checks.size())) {
      assertTrue(minutes(c.interval()) >= 60 * (1 - jitter) - 1e-9, "at the maximum: " + c);
    }
  }

  @Test
  void dailyCycle_followsTheWorkingDay_andSleepsAtNight() {
    List<Instant> arrivals = Arrivals.daily(3, Duration.ofMinutes(6));
    List<Arrivals.Check> checks = Arrivals.run(S, "office", arrivals, Duration.ofDays(3));
    List<Double> day = new ArrayList<>();
    List<Double> night = new ArrayList<>();
    for (Arrivals.Check c : checks) {
      int hour = c.at().atZone(ZoneOffset.UTC).getHour();
      if (hour >= 10 && hour < 18) {
        day.add(minutes(c.interval()));
      } else if (hour >= 22 || hour < 7) {
        night.add(minutes(c.interval()));
      }
    }
    double dayMean = day.stream().mapToDouble(x -> x).average().orElseThrow();
    double nightMean = night.stream().mapToDouble(x -> x).average().orElseThrow();
    assertTrue(dayMean < 8, "ten messages an hour by day: checked every " + dayMean + " min");
    assertTrue(nightMean > 45, "silent nights: checked every " + nightMean + " min");
  }

  @Test
  void transientErrors_backOffExponentially_fromTheMinimum_toTheMaximum() {
    Cadence c = new Cadence(PollSchedule.builder().jitter(0).build(), "flaky");
    Instant t = Arrivals.T0;
    List<Long> minutes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Cadence.Decision d = c.afterTransient(t);
      minutes.add(d.interval().toMinutes());
      t = d.next();
    }
    assertEquals(List.of(2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L), minutes);
    Cadence.Decision ok = c.afterSuccess(t, t, 0, Optional.empty());
    assertEquals(0, c.failuresInARow());
    assertTrue(within(ok.interval(), MIN, MAX));
  }

  @Test
  void theServersLoginDelay_isHonoured_evenBeyondTheMaximum() {
    Cadence c = new Cadence(PollSchedule.builder().jitter(0).build(), "delayed");
    Instant t = Arrivals.T0;
    Cadence.Decision d = c.afterSuccess(t, t, 5, Optional.of(Duration.ofMinutes(15)));
    assertEquals(Duration.ofMinutes(15), d.interval(), "LOGIN-DELAY 900 raises the floor");
    assertEquals(Cadence.Reason.SERVER_ASKED, d.reason());
    Cadence.Decision far = c.afterSuccess(d.next(), d.next(), 0, Optional.of(Duration.ofHours(3)));
    assertEquals(Duration.ofHours(3), far.interval(), "the server has the last word");
  }

  @Test
  void putOff_stretchesTheNextCheck_atLeastTwice() {
    Cadence c = new Cadence(PollSchedule.builder().jitter(0).build(), "busy");
    Instant t = Arrivals.T0;
    Cadence.Decision d1 = c.afterPutOff(t, Optional.empty());
    Cadence.Decision d2 = c.afterPutOff(d1.next(), Optional.empty());
    assertEquals(Duration.ofMinutes(4), d1.interval());
    assertEquals(Duration.ofMinutes(8), d2.interval());
    assertEquals(
        Duration.ofMinutes(30), c.afterPutOff(t, Optional.of(Duration.ofMinutes(30))).interval());
  }

  @Test
  void jitter_spreadsAccounts_yetEachIsReproducible() {
    List<Instant> none = List.of();
    List<Arrivals.Check> a = Arrivals.run(S, "alice", none, Duration.ofHours(6));
    List<Arrivals.Check> b = Arrivals.run(S, "bob", none, Duration.ofHours(6));
    assertNotEquals(a.get(3).at(), b.get(3).at(), "accounts do not poll in step");
    assertEquals(
        a,
        Arrivals.run(S, "alice", none, Duration.ofHours(6)),
        "the same account decides the same");
  }
}
