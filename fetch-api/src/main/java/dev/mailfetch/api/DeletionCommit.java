package dev.mailfetch.api;

import dev.mailfetch.api.internal.Sizes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a session that did not break: messages retrieved but not stored are kept on the
 * server, every message due is marked for deletion (delivered in this run, once its barrier held;
 * met in the sink; or old ones the plan settled), QUIT commits the marks, and the state records the
 * deletions the server confirmed. Deletions the server refused or did not confirm are warnings; the
 * next run tries again.
 */
final class DeletionCommit {
  // Named after the public class: users configure logging by the names they know.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  private final RunConfig config;
  private final RunSession session;
  private final OutcomeLedger ledger;
  private final List<FetchException> warnings;
  private int deleted;
  private int unconfirmed;
  private int refused;

  DeletionCommit(
      RunConfig config, RunSession session, OutcomeLedger ledger, List<FetchException> warnings) {
    this.config = config;
    this.session = session;
    this.ledger = ledger;
    this.warnings = warnings;
  }

  /** Deletions the server confirmed at QUIT. */
  int deleted() {
    return deleted;
  }

  /** Deletions marked but not confirmed (the server did not confirm QUIT). */
  int unconfirmed() {
    return unconfirmed;
  }

  /** Deletions the server refused. */
  int refused() {
    return refused;
  }

  /**
   * Keeps, marks, quits and records; returns the failure that stopped it (the session's or the
   * state's), or null. Without the undo of a server's own marks the session ends without QUIT, so
   * that nothing is deleted this time.
   */
  FetchException commit() {
    List<MessageRef> notStored = new ArrayList<>();
    for (int at = 0; at < ledger.size(); at++) {
      RunItem item = ledger.item(at);
      if (item != null
          && item.retrieved
          && item.isSettled()
          && item.outcome().kind() == MessageOutcome.Kind.FAILED) {
        notStored.add(item.ref);
      }
    }
    if (!notStored.isEmpty()) {
      try {
        session.unmark(notStored);
      } catch (FetchException | RuntimeException e) {
        log.warn(
            "{} - could not keep {} retrieved but unstored messages on the server ({}); ending the session"
                + " without QUIT",
            config.account(),
            notStored.size(),
            e.toString());
        return e instanceof FetchException
            ? (FetchException) e
            : new FetchException(
                FetchError.PROTOCOL, "the source failed to keep messages: " + e, e);
      }
    }
    List<MessageRef> due = new ArrayList<>();
    for (int at = 0; at < ledger.size(); at++) {
      if (ledger.dueForDeletion(at)) {
        due.add(ledger.ref(at));
      }
    }
    try {
      Set<MessageRef> accepted = send(due);
      for (int at = 0; at < ledger.size() && !accepted.isEmpty(); at++) {
        if (ledger.dueForDeletion(at) && accepted.contains(ledger.ref(at))) {
          ledger.markDeleted(at);
        }
      }
    } catch (FetchException e) {
      return e;
    }
    int marked = 0;
    for (int at = 0; at < ledger.size(); at++) {
      if (ledger.markedDeleted(at)) {
        marked++;
      }
    }
    String earlier = DeletionWords.lastRefusal(session.source());
    boolean confirmed = session.quit();
    if (marked == 0) {
      return null;
    }
    config.listener().deletionsCommitted(marked, confirmed);
    if (!confirmed) {
      unconfirmed = marked;
      log.info(
          "{} - the server did not confirm the end of the session; {} not confirmed, retried next run",
          config.account(),
          Sizes.count(marked, "deletion"));
      warnings.add(
          DeletionWords.unconfirmed(marked, DeletionWords.since(earlier, session.source())));
      return null;
    }
    deleted = marked;
    return record();
  }

  /** Marks {@code due} for deletion; returns the ones the server accepted. */
  private Set<MessageRef> send(List<MessageRef> due) throws FetchException {
    if (due.isEmpty()) {
      return Set.of();
    }
    String earlier = DeletionWords.lastRefusal(session.source());
    Set<MessageRef> accepted = session.delete(due);
    int refusedNow = 0;
    MessageRef first = null;
    for (MessageRef ref : due) {
      if (!accepted.contains(ref)) {
        log.info(
            "{} - the server refused to delete message {}; it stays there",
            config.account(),
            ref.number());
        refusedNow++;
        first = first == null ? ref : first;
      }
    }
    refused += refusedNow;
    if (refusedNow > 0) {
      warnings.add(
          DeletionWords.refused(refusedNow, first, DeletionWords.since(earlier, session.source())));
    }
    return accepted;
  }

  /** Records the confirmed deletions; the state's failure, or null. */
  private FetchException record() {
    UidStore store = config.uidStore();
    try {
      for (int at = 0; at < ledger.size(); at++) {
        RunItem item = ledger.item(at);
        if (item == null) {
          if (ledger.markedDeleted(at)) {
            UidRecord rec = store.get(ledger.uid(at)).orElse(null);
            if (rec != null) {
              store.put(rec.deleted());
            }
          }
        } else if (item.deleteMarked && item.byUid && item.record != null) {
          store.put(item.record.deleted());
        }
      }
      store.sync();
      return null;
    } catch (IOException | RuntimeException e) {
      // The messages are gone from the server either way; the store catches up when it can.
      return RunFailures.state(e);
    }
  }
}
