package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MailPush;
import dev.mailfetch.api.Remedy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one folder with IDLE (RFC 2177) on a connection of its own: log in, EXAMINE (read-only,
 * so watching changes no flag), then IDLE until the server reports a new message ({@code EXISTS}
 * above the count known, or {@code RECENT}), ending each IDLE after {@link
 * dev.mailfetch.imap.ImapLimits#idleRenewal()} with {@code DONE}, a {@code NOOP} that proves the
 * connection alive, and IDLE again. A broken connection is opened again after {@link IdleBackoff}'s
 * wait, and then the listener hears {@code arrived}: mail may have come while nobody watched. It
 * gives up ({@code ended}) where the server does not offer IDLE, on an error a person must fix, or
 * when {@link IdleBackoff} says the connection keeps failing. {@code FETCH} (a flag changed) and
 * {@code EXPUNGE} bring no new mail and only keep the count right.
 *
 * <p>One thread runs it (blocked in a read nearly all the time); {@link #close()} may come from any
 * thread and closes the socket under it.
 */
final class IdleWatch implements MailPush.Watch, Runnable {
  private static final Logger log = LoggerFactory.getLogger(IdleWatch.class);

  private final ImapSettings settings;
  private final String mailbox;
  private final MailPush.Listener listener;
  private final IdleBackoff backoff = new IdleBackoff(System::nanoTime);
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile boolean watching;
  private volatile ImapSession session;

  IdleWatch(ImapSettings settings, String mailbox, MailPush.Listener listener) {
    this.settings = settings;
    this.mailbox = mailbox;
    this.listener = listener;
  }

  /** Starts {@code thread}, which runs this watch. */
  void runIn(Thread thread) {
    thread.start();
  }

  @Override
  public String mailbox() {
    return mailbox;
  }

  @Override
  public boolean watching() {
    return watching && !closed;
  }

  @Override
  public void close() {
    closed = true;
    closing.countDown();
    ImapSession s = session;
    if (s != null) {
      s.close(); // the read it is blocked in ends at once
    }
  }

  @Override
  public void run() {
    boolean again = false;
    while (!closed) {
      boolean reachedIdle = false;
      try (ImapSession s = ImapSession.open(settings, ImapFailures.Role.SOURCE)) {
        session = s;
        if (closed) {
          return;
        }
        s.login();
        if (!s.capabilities().has("IDLE")) {
          end(notOffered());
          return;
        }
        long exists = count(s.commands().examine(mailbox).untagged("EXISTS"), 0);
        reachedIdle = true;
        watching = true;
        backoff.watching();
        listener.watching(mailbox);
        if (again) {
          listener.arrived(mailbox); // the gap: what came while nobody watched
        }
        again = true;
        idle(s, exists);
      } catch (FetchException e) {
        watching = false;
        session = null;
        if (closed) {
          return;
        }
        if (!e.error().retryable() && e.error() != FetchError.PROTOCOL) {
          end(e); // a person must act (a password, a certificate, a folder that is not there)
          return;
        }
        Optional<Duration> wait = backoff.next(reachedIdle);
        if (wait.isEmpty()) {
          end(e);
          return;
        }
        log.debug(
            "{} {} - IDLE broke, again in {} ms: {}",
            settings.account(),
            mailbox,
            wait.get().toMillis(),
            e.getMessage());
        listener.interrupted(mailbox, e);
        try {
          if (closing.await(wait.get().toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      } catch (RuntimeException e) {
        watching = false;
        log.warn("{} {} - the IDLE watch failed unexpectedly", settings.account(), mailbox, e);
        end(new FetchException(FetchError.PROTOCOL, "the IDLE watch of " + mailbox + " failed"));
        return;
      } finally {
        watching = false;
      }
    }
  }

  /** IDLE, renewed, until the connection breaks (thrown) or the watch is closed (returns). */
  private void idle(ImapSession s, long known) throws FetchException {
    ImapConnection c = s.connection();
    long exists = known;
    while (!closed) {
      String tag = c.send(ImapCommand.of("IDLE").build());
      ImapLine go = c.continuation(tag);
      if (go.kind() != ImapLine.Kind.CONTINUATION) {
        TaggedReply refused = c.await(tag);
        throw new FetchException(
            FetchError.SERVER_PERMANENT,
            "the server " + c.server() + " refused IDLE on " + mailbox,
            refused.line().wire(),
            null,
            checkedOnSchedule());
      }
      long renewAt = System.nanoTime() + settings.limits().idleRenewal().toNanos();
      int seen = 0;
      while (!closed) {
        Optional<ImapLine> line = c.idleResponse(renewAt);
        if (line.isEmpty()) {
          break; // time to renew
        }
        seen++;
        exists = onResponse(line.get(), exists);
      }
      if (closed) {
        return;
      }
      c.sendDone();
      TaggedReply done = s.ok(c.await(tag));
      List<ImapLine> late = done.untagged();
      for (ImapLine l : late.subList(Math.min(seen, late.size()), late.size())) {
        exists = onResponse(l, exists);
      }
      for (ImapLine l : s.ok(s.commands().noop()).untagged()) {
        exists = onResponse(l, exists); // some servers tell of new mail only here
      }
    }
  }

  /** What a response says of the folder: the new count of messages, and whether mail came. */
  private long onResponse(ImapLine l, long exists) {
    if (l.kind() != ImapLine.Kind.UNTAGGED) {
      return exists;
    }
    switch (l.name()) {
      case "EXISTS" -> {
        long n = l.number();
        if (n > exists) {
          listener.arrived(mailbox);
        }
        return n;
      }
      case "RECENT" -> {
        if (l.number() > 0) {
          listener.arrived(mailbox);
        }
        return exists;
      }
      case "EXPUNGE" -> {
        return Math.max(0, exists - 1);
      }
      default -> {
        return exists;
      }
    }
  }

  private static long count(List<ImapLine> existsLines, long none) {
    long n = none;
    for (ImapLine l : existsLines) {
      n = l.number();
    }
    return n;
  }

  private void end(FetchException why) {
    watching = false;
    if (!closed) {
      log.info(
          "{} {} - push ended, checked on schedule: {}",
          settings.account(),
          mailbox,
          why.getMessage());
      listener.ended(mailbox, why);
    }
  }

  private FetchException notOffered() {
    return new FetchException(
        FetchError.SERVER_PERMANENT,
        "the server "
            + settings.server()
            + " does not offer IDLE (RFC 2177): new mail in "
            + mailbox
            + " is found by the regular checks",
        null,
        null,
        checkedOnSchedule());
  }

  private static Remedy checkedOnSchedule() {
    return Remedy.of(
        "Nothing to do: the account is checked on its schedule.",
        "Nothing to do: the Poller checks the account on its schedule; Poller.Builder.push(false)"
            + " stops trying push.");
  }
}
