package dev.mailfetch.cli.serve;

import dev.mailfetch.poll.PollStatus;
import java.util.List;

/**
 * {@code /healthz} and {@code /readyz}, for a service manager or a load balancer. Liveness: the
 * process answers. Readiness: the poller runs and polls accounts, and no more than the threshold's
 * share of them is failing (paused, or its last checks failed). The reason says counts only, never
 * account names: the probes answer without the password.
 */
final class HealthCheck {
  /** A probe's answer: its HTTP status and why. */
  record Answer(int status, boolean ok, String reason, int accounts, int failing) {
    String text() {
      return (ok ? "ok" : "not ready") + ": " + reason + "\n";
    }

    String json() {
      return "{\"status\":"
          + HtmlText.json(ok ? "ok" : "not ready")
          + ",\"reason\":"
          + HtmlText.json(reason)
          + ",\"accounts\":"
          + accounts
          + ",\"failing\":"
          + failing
          + "}";
    }
  }

  private final Mailboxes boxes;
  private final int failingPercent;
  private volatile boolean stopping;

  HealthCheck(Mailboxes boxes, int failingPercent) {
    this.boxes = boxes;
    this.failingPercent = failingPercent;
  }

  void stopping() {
    stopping = true;
  }

  Answer live() {
    return new Answer(200, true, "the process answers", 0, 0);
  }

  Answer ready() {
    if (stopping) {
      return new Answer(503, false, "stopping", 0, 0);
    }
    List<PollStatus> rows = boxes.statuses();
    if (rows.isEmpty()) {
      return new Answer(503, false, "no account is polled", 0, 0);
    }
    int failing = 0;
    for (PollStatus s : rows) {
      // as the page says "paused" or "failing" (a running check does not change which)
      if (s.pausedBy().isPresent() || s.failuresInARow() > 0) {
        failing++;
      }
    }
    boolean ok = failing * 100L <= (long) failingPercent * rows.size();
    String reason =
        failing
            + " of "
            + rows.size()
            + (rows.size() == 1 ? " account" : " accounts")
            + " failing"
            + (ok ? "" : ", more than " + failingPercent + "%")
            + " (paused or failing: see the accounts page)";
    return new Answer(ok ? 200 : 503, ok, reason, rows.size(), failing);
  }
}
