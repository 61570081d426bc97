package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.SkipReason;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code mailfetch poll} prints as it goes: one line per check worth telling (stdout; stderr
 * when it needs a person), naming the account as the config file does, with what needs a person
 * under it in two lines each, and a paused account once. Sizes in the command's units; with --once
 * no next check and nothing "put off", since there is no later check. Nothing under --json: the
 * object at the end says it all. Called from the checking threads.
 */
final class PollLines implements PollListener {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean quiet;
  private final boolean verbose;
  private final boolean json;
  private final boolean once;

  /**
   * What a paused account waits for besides a new authorization: a restart of the poll, or (under
   * serve) Resume on the accounts page or serve's restart.
   */
  private final String untilRestarted;

  /** An account as the poller knows it (user@host) and as the config file names it. */
  private record Named(String name, long sizeLimit, Advice advice) {}

  private final Map<String, Named> accounts = new ConcurrentHashMap<>();

  /**
   * Told of pauses and resumptions: a paused account is checked again when its authorization is
   * written anew.
   */
  private volatile AuthorizationWatch watch;

  PollLines(
      PrintWriter out,
      PrintWriter err,
      boolean quiet,
      boolean verbose,
      boolean json,
      boolean once,
      boolean resumableOnAPage) {
    this.out = out;
    this.untilRestarted =
        resumableOnAPage
            ? "until Resume is pressed on its page or serve is restarted"
            : "until the poll is restarted";
    this.err = err;
    this.quiet = quiet;
    this.verbose = verbose;
    this.json = json;
    this.once = once;
  }

  /**
   * The poller's account {@code account} is the config file's {@code name}, with its size limit and
   * advice.
   */
  void named(String account, String name, long sizeLimit, Advice advice) {
    accounts.put(account, new Named(name, sizeLimit, advice));
  }

  /** The config file's name of the poller's account (the account itself if it was not named). */
  String name(String account) {
    return of(account).name();
  }

  /** The advice for the poller's account: its remedies in the words of its config file. */
  Advice advice(String account) {
    return of(account).advice();
  }

  void watch(AuthorizationWatch w) {
    this.watch = w;
  }

  /** The size limit of the poller's account, in bytes (0 if unknown). */
  long sizeLimit(String account) {
    Named n = accounts.get(account);
    return n == null ? 0 : n.sizeLimit();
  }

  private Named of(String account) {
    return accounts.getOrDefault(account, new Named(account, 0, Advice.COMMAND_LINE));
  }

  @Override
  public void checkFinished(CheckRecord r) {
    if (json) {
      return;
    }
    boolean attention =
        r.status() != FetchResult.Status.OK || r.outcome() == CheckRecord.Outcome.PUT_OFF;
    boolean tell = verbose || attention || (!quiet && r.outcome() == CheckRecord.Outcome.NEW_MAIL);
    if (!tell || r.outcome() == CheckRecord.Outcome.PAUSED) {
      return; // a pause is told once, below
    }
    Named n = of(r.account());
    PrintWriter to = attention ? err : out;
    synchronized (this) {
      to.println(TIME.format(Instant.now()) + " " + line(r));
      r.error().ifPresent(e -> to.println("  " + Problem.of(e, n.advice()).advice()));
      TextReport.items(to, "  ", "    ", TextReport.attention(r, n.sizeLimit(), n.advice()));
      to.flush();
    }
  }

  /** Whether the check was stopped by its error (not merely had a message fail). */
  private static boolean stoppedBy(CheckRecord r) {
    return r.error().isPresent()
        && (r.outcome() == CheckRecord.Outcome.FAILED
            || r.outcome() == CheckRecord.Outcome.PUT_OFF
            || r.outcome() == CheckRecord.Outcome.PAUSED);
  }

  /**
   * "alice: 3 new messages (51 kB), 1 quarantined; 1 warning; next check in 2 min", "alice: check
   * failed: CONNECTION_RESET: …; next check in 4 min", "alice: nothing new, 1 failed: READ_ERROR:
   * …".
   */
  String line(CheckRecord r) {
    StringBuilder sb = new StringBuilder(of(r.account()).name()).append(": ");
    boolean stopped = stoppedBy(r);
    if (stopped) {
      // A check that did not finish: its error says why; what it stored before is said too.
      boolean putOff = r.outcome() == CheckRecord.Outcome.PUT_OFF && !once;
      sb.append(putOff ? "put off" : "check failed");
      if (r.delivered() > 0) {
        sb.append(" after ").append(newMail(r));
      }
      FetchException e = r.error().get();
      sb.append(": ").append(e.error()).append(": ").append(e.detail());
    } else {
      switch (r.outcome()) {
        case NEW_MAIL:
          sb.append(newMail(r));
          break;
        case NOTHING_NEW:
          sb.append("nothing new");
          break;
        default:
          sb.append("stopped");
      }
      if (r.failedMessages() > 0) {
        sb.append(", ").append(Units.count(r.failedMessages(), "message")).append(" failed");
        r.error()
            .ifPresent(
                e ->
                    sb.append(" (the first: ")
                        .append(e.error())
                        .append(": ")
                        .append(e.detail())
                        .append(')'));
      }
    }
    int quarantined = r.heldBack(SkipReason.QUARANTINED);
    if (quarantined > 0) {
      sb.append(", ").append(quarantined).append(" quarantined");
    }
    int tooLarge = r.heldBack(SkipReason.MESSAGE_SIZE_LIMIT);
    if (tooLarge > 0) {
      sb.append(", ").append(tooLarge).append(" over the size limit");
    }
    if (!r.warnings().isEmpty()) {
      sb.append("; ").append(Units.count(r.warnings().size(), "warning"));
    }
    if (!once) {
      r.next()
          .ifPresent(
              n -> sb.append("; next check in ").append(Units.duration(r.interval().toSeconds())));
    }
    return sb.toString();
  }

  private static String newMail(CheckRecord r) {
    return Units.count(r.delivered(), "new message") + " (" + Units.size(r.bytes()) + ")";
  }

  @Override
  public void accountPaused(String account, FetchException why) {
    AuthorizationWatch w = watch;
    if (w != null) {
      w.paused(account);
    }
    if (json) {
      return;
    }
    Named n = of(account);
    List<Path> files = w == null ? List.of() : w.filesOf(account);
    synchronized (this) {
      err.println(
          TIME.format(Instant.now())
              + " "
              + n.name()
              + ": "
              + (once
                  ? "check failed: "
                  : files.isEmpty()
                      ? "paused, not checked again " + untilRestarted + ": "
                      : "paused, checked again when "
                          + String.join(" or ", files.stream().map(Object::toString).toList())
                          + " is written anew (mailfetch oauth), otherwise not "
                          + untilRestarted
                          + ": ")
              + why.error()
              + ": "
              + why.detail());
      err.println("  " + Problem.of(why, n.advice()).advice());
      err.flush();
    }
  }

  @Override
  public void accountResumed(String account) {
    AuthorizationWatch w = watch;
    if (w != null) {
      w.resumed(account);
    }
    if (json || once || quiet) {
      return; // nothing a person must do
    }
    synchronized (this) {
      out.println(
          TIME.format(Instant.now()) + " " + of(account).name() + ": works again, taken up again");
      out.flush();
    }
  }

  /** Said once a watch starts (and after it reconnected), unless quiet: mail now comes at once. */
  @Override
  public void pushWatching(String account, String mailbox) {
    if (json || once || quiet) {
      return;
    }
    synchronized (this) {
      out.println(
          TIME.format(Instant.now())
              + " "
              + of(account).name()
              + ": watching "
              + mailbox
              + " (IMAP IDLE): new mail is fetched as it arrives");
      out.flush();
    }
  }

  /** Said when push ended: the account is checked on its schedule until push works again. */
  @Override
  public void pushEnded(String account, String mailbox, FetchException why) {
    if (json || once || quiet) {
      return;
    }
    synchronized (this) {
      out.println(
          TIME.format(Instant.now())
              + " "
              + of(account).name()
              + ": no push for "
              + mailbox
              + " ("
              + why.detail()
              + "); checked on its schedule instead");
      out.flush();
    }
  }
}
