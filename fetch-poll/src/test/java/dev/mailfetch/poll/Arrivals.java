package dev.mailfetch.poll;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Scripted arrival patterns, and a run of one account's {@link Cadence} against one of them. */
final class Arrivals {
  static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z"); // a Monday, midnight

  /** One check of the simulation: when, what it found, and the interval it chose. */
  record Check(Instant at, int found, Duration interval) {}

  private Arrivals() {}

  /** A message every {@code every}, from T0 for {@code span}. */
  static List<Instant> steady(Duration every, Duration span) {
    List<Instant> out = new ArrayList<>();
    for (Instant t = T0.plus(every); !t.isAfter(T0.plus(span)); t = t.plus(every)) {
      out.add(t);
    }
    return out;
  }

  /**
   * Silence, then {@code count} messages within {@code within} starting at {@code at}, then
   * silence.
   */
  static List<Instant> burst(Duration at, int count, Duration within) {
    List<Instant> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(T0.plus(at).plus(within.multipliedBy(i).dividedBy(count)));
    }
    return out;
  }

  /**
   * Working hours 08:00–18:00 with a message every {@code every}, nights silent, for {@code days}.
   */
  static List<Instant> daily(int days, Duration every) {
    List<Instant> out = new ArrayList<>();
    for (int d = 0; d < days; d++) {
      Instant open = T0.plus(Duration.ofDays(d)).plus(Duration.ofHours(8));
      for (Instant t = open; t.isBefore(open.plus(Duration.ofHours(10))); t = t.plus(every)) {
        out.add(t);
      }
    }
    return out;
  }

  /** Runs the schedule from T0 for {@code span} against the arrivals; every check works. */
  static List<Check> run(
      PollSchedule schedule, String account, List<Instant> arrivals, Duration span) {
    Cadence c = new Cadence(schedule, account);
    List<Check> checks = new ArrayList<>();
    Instant t = c.first(T0);
    int next = 0;
    while (t.isBefore(T0.plus(span))) {
      int found = 0;
      while (next < arrivals.size() && !arrivals.get(next).isAfter(t)) {
        next++;
        found++;
      }
      Cadence.Decision d = c.afterSuccess(t, t, found, Optional.empty());
      checks.add(new Check(t, found, d.interval()));
      t = d.next();
    }
    return checks;
  }
}
