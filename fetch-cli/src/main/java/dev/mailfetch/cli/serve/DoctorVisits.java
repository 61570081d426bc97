package dev.mailfetch.cli.serve;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The doctor, run from the account page: off the request thread (an examination takes seconds, a
 * page must not), one at a time per account and two at once in all, each given up after its time:
 * its thread is interrupted, and the desk's doctor ends then (a process of its own, ended). The
 * last report of each account is kept for its page.
 */
final class DoctorVisits implements AutoCloseable {
  /** Examinations at once, over all accounts: each opens connections to a server. */
  static final int AT_ONCE = 2;

  /** One account's last examination: under way (report null) or done. */
  record Visit(Instant started, String report, boolean failed) {
    boolean running() {
      return report == null;
    }
  }

  private final ServeSite.Desk desk;
  private final Duration limit;
  private final ExecutorService doctors;
  private final ScheduledExecutorService timer;
  private final Map<String, Visit> visits = new ConcurrentHashMap<>();

  DoctorVisits(ServeSite.Desk desk, Duration limit) {
    this.desk = desk;
    this.limit = limit;
    this.doctors =
        Executors.newFixedThreadPool(
            AT_ONCE,
            r -> {
              Thread t = new Thread(r, "mailfetch-serve-doctor");
              t.setDaemon(true);
              return t;
            });
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mailfetch-serve-doctor-timer");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts an examination of the account unless one runs; false if one was already running. */
  boolean start(String account) {
    Visit running = new Visit(Instant.now(), null, false);
    boolean[] started = {false};
    visits.compute(
        account,
        (k, v) -> {
          if (v != null && v.running()) {
            return v;
          }
          started[0] = true;
          return running;
        });
    if (!started[0]) {
      return false;
    }
    Future<?> f =
        doctors.submit(
            () -> {
              String report;
              boolean failed = false;
              try {
                report = desk.doctor(account);
              } catch (InterruptedException e) {
                report = "The doctor was stopped after " + limit.toSeconds() + " s.";
                failed = true;
              } catch (Exception e) {
                report = "The doctor could not run: " + e.getMessage();
                failed = true;
              }
              visits.replace(account, running, new Visit(running.started(), report, failed));
            });
    var unused =
        timer.schedule(
            () -> {
              if (!f.isDone()) {
                f.cancel(true);
                visits.replace(
                    account,
                    running,
                    new Visit(
                        running.started(),
                        "The doctor was given up after "
                            + limit.toSeconds()
                            + " s: the server answers too slowly, or not at all.",
                        true));
              }
            },
            limit.toMillis(),
            TimeUnit.MILLISECONDS);
    return true;
  }

  /** The account's last examination, if any. */
  Visit last(String account) {
    return visits.get(account);
  }

  /**
   * Stops the examinations under way (each is interrupted, which ends its process) and waits a
   * little for them, so that none outlives a serve that stops.
   */
  @Override
  public void close() {
    doctors.shutdownNow();
    timer.shutdownNow();
    try {
      doctors.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
