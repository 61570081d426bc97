package dev.mailfetch.api;

import dev.mailfetch.api.internal.Require;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's session as a run calls it: whatever a faulty source throws becomes a {@link
 * FetchException} with what the run was doing, and a session that failed is remembered as broken,
 * so that the run sends it nothing more (no deletions, no QUIT).
 */
final class RunSession {
  // Named after the public class: users configure logging by the names they know.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  private final FetchSession session;
  private final String account;
  private boolean broken;
  private String server;
  private Capabilities capabilities;

  private RunSession(FetchSession session, String account) {
    this.session = session;
    this.account = account;
  }

  static RunSession open(FetchSource source, String account) throws FetchException {
    try {
      FetchSession session = source.open();
      if (session == null) {
        throw new FetchException(FetchError.PROTOCOL, "the source returned no session");
      }
      return new RunSession(session, account);
    } catch (RuntimeException e) {
      throw new FetchException(FetchError.PROTOCOL, "the source failed to open: " + e, e);
    }
  }

  /** The session itself, for what only reads it (DeletionWords). */
  FetchSession source() {
    return session;
  }

  boolean broken() {
    return broken;
  }

  /** The session failed in a way its own calls did not see (a batch the handler left). */
  void broke() {
    broken = true;
  }

  /** The server's name, once {@link #describe()} read it; else null. */
  String server() {
    return server;
  }

  /** The server's capabilities, once {@link #describe()} read them; else null. */
  Capabilities capabilities() {
    return capabilities;
  }

  /** Reads the server's name and capabilities, which a faulty source might fail to give. */
  Capabilities describe() throws FetchException {
    try {
      server = session.server();
      Capabilities caps = session.capabilities();
      if (server == null || caps == null) {
        throw new IllegalStateException("no server name or capabilities");
      }
      capabilities = caps;
      return caps;
    } catch (RuntimeException e) {
      broken = true;
      throw new FetchException(
          FetchError.PROTOCOL, "the source failed to describe its session: " + e, e);
    }
  }

  void list(ListingHandler handler) throws FetchException {
    try {
      session.list(handler);
    } catch (FetchException e) {
      broken = true;
      throw e;
    } catch (RuntimeException e) {
      broken = true;
      throw new FetchException(FetchError.PROTOCOL, "the source failed while listing: " + e, e);
    }
  }

  /**
   * The header sections of {@code refs} (POP3 TOP n 0), each cut at {@code max} bytes, or null if
   * the source cannot read them alone.
   */
  Map<MessageRef, HeaderBlock> headers(List<MessageRef> refs, int max) throws FetchException {
    HeaderCollector collected = new HeaderCollector(max);
    try {
      Optional<HeaderReading> reading = session.headerReading();
      if (reading.isEmpty()) {
        return null;
      }
      reading.get().readHeaders(refs, collected);
    } catch (FetchException e) {
      broken = true;
      throw e;
    } catch (RuntimeException e) {
      broken = true;
      throw new FetchException(
          FetchError.PROTOCOL, "the source failed while reading header sections: " + e, e);
    }
    return collected.headers;
  }

  /**
   * Retrieves one batch into {@code receiver}, telling the source what follows it; returns the
   * failure that ended the batch early (the session's, or the receiver's when it left the batch),
   * or null.
   */
  FetchException retrieve(Retrieval request, BatchReceiver receiver) {
    FetchException error = null;
    try {
      session.retrieve(request, receiver);
    } catch (FetchException e) {
      error = e;
    } catch (BatchReceiver.LeaveBatch e) {
      // The session is dropped mid-batch: nothing deleted this time.
      error = e.why();
    } catch (RuntimeException e) {
      error =
          new FetchException(FetchError.PROTOCOL, "the source failed while retrieving: " + e, e);
    }
    if (error != null) {
      broken = true;
    }
    return error;
  }

  /** Marks {@code due} for deletion; returns the ones the server accepted. */
  Set<MessageRef> delete(List<MessageRef> due) throws FetchException {
    try {
      return session.delete(due);
    } catch (FetchException e) {
      broken = true;
      throw e;
    } catch (RuntimeException e) {
      broken = true;
      throw new FetchException(FetchError.PROTOCOL, "the source failed while deleting: " + e, e);
    }
  }

  /**
   * Where the source found each message, or null for a source without ({@link
   * FetchSession#sourceLabels()}); a source that fails to say offers none.
   */
  SourceLabels sourceLabels() {
    try {
      return session.sourceLabels().orElse(null);
    } catch (RuntimeException e) {
      log.warn(
          "{} - the source could not say where it found its messages: {}", account, e.toString());
      return null;
    }
  }

  /** How the session's server renumbers mailboxes, or null; one that fails to say does not. */
  Renumbering renumbering() {
    try {
      return session.renumbering().orElse(null);
    } catch (RuntimeException e) {
      log.warn("{} - the source could not say how it renumbers: {}", account, e.toString());
      return null;
    }
  }

  /**
   * Those of {@code gone} the source says were renumbered (Renumbering#renumbered); a source that
   * fails to say renumbered none, and whatever it names that is not gone is left out.
   */
  Set<String> renumbered(Renumbering renumbering, Set<String> gone) {
    Set<String> said;
    try {
      said = renumbering.renumbered(Set.copyOf(gone));
    } catch (RuntimeException e) {
      log.warn("{} - the source could not say what it renumbered: {}", account, e.toString());
      return Set.of();
    }
    if (said == null || said.isEmpty()) {
      return Set.of();
    }
    Set<String> renumbered = new HashSet<>();
    for (String uid : said) {
      if (uid != null && gone.contains(uid)) {
        renumbered.add(uid);
      }
    }
    return renumbered;
  }

  /** The session's mailbox marks, or null for a source without; one that fails to say has none. */
  MailboxMarks mailboxMarks() {
    try {
      return session.mailboxMarks().orElse(null);
    } catch (RuntimeException e) {
      log.warn("{} - the source could not offer mailbox marks: {}", account, e.toString());
      return null;
    }
  }

  /** Whether the mailbox is as {@code mark} describes it (MailboxMarks#unchangedSince). */
  boolean unchangedSince(MailboxMarks marks, String mark) throws FetchException {
    try {
      return marks.unchangedSince(mark);
    } catch (FetchException e) {
      broken = true;
      throw e;
    } catch (RuntimeException e) {
      broken = true;
      throw new FetchException(
          FetchError.PROTOCOL, "the source failed while checking its mailbox for changes: " + e, e);
    }
  }

  /** Offers the source an incremental listing (MailboxMarks#listOnlyNewSince); a hint only. */
  void listOnlyNewSince(MailboxMarks marks, String mark) {
    try {
      marks.listOnlyNewSince(mark);
    } catch (RuntimeException e) {
      log.warn("{} - the source refused the mark of the last check: {}", account, e.toString());
    }
  }

  /**
   * Whether the listing just made was incremental (MailboxMarks#listedOnlyNew). A source that fails
   * to say is taken at the safe word: absence from its listing proves nothing, nothing is
   * forgotten.
   */
  boolean listedOnlyNew(MailboxMarks marks) {
    try {
      return marks.listedOnlyNew();
    } catch (RuntimeException e) {
      log.warn(
          "{} - the source could not say whether it listed in full; nothing is forgotten: {}",
          account,
          e.toString());
      return true;
    }
  }

  /**
   * The mark of the listing just made, or null where the source gave none the store may keep
   * (printable ASCII, at most {@link MailboxMarks#MAX_LENGTH} characters): the next run then lists.
   */
  String listedMark(MailboxMarks marks) {
    String mark;
    try {
      mark = marks.listed();
    } catch (RuntimeException e) {
      log.warn("{} - the source gave no mark of its listing: {}", account, e.toString());
      return null;
    }
    if (!Require.keepableMark(mark)) {
      log.warn("{} - the source's mark of its listing is not one to keep; ignored", account);
      return null;
    }
    return mark;
  }

  /**
   * Undoes the server's own marks on messages retrieved but not stored, where it makes any (it may
   * throw anything).
   */
  void unmark(List<MessageRef> retrievedNotStored) throws FetchException {
    Optional<RetrievalMarks> marks = session.retrievalMarks();
    if (marks.isPresent()) {
      marks.get().unmark(retrievedNotStored);
    }
  }

  /** Ends the session; whether the server confirmed it (a failing source has not). */
  boolean quit() {
    try {
      return session.quit();
    } catch (RuntimeException e) {
      log.warn("{} - the source failed at quit: {}", account, e.toString());
      return false;
    }
  }

  /** What the session warns of, added to {@code warnings}; a source that fails to say is silent. */
  void warningsInto(List<FetchException> warnings) {
    try {
      for (FetchException w : session.warnings()) {
        if (w != null) {
          warnings.add(w);
        }
      }
    } catch (RuntimeException e) {
      log.debug("{} - the session could not say what it warns of: {}", account, e.toString());
    }
  }

  /** The quirks the session noticed, then {@code engineQuirks}. */
  Set<QuirkId> quirks(Set<QuirkId> engineQuirks) {
    Set<QuirkId> all = new LinkedHashSet<>();
    try {
      all.addAll(session.quirksNoticed());
    } catch (RuntimeException e) {
      log.debug(
          "{} - the session could not say which quirks it noticed: {}", account, e.toString());
    }
    all.addAll(engineQuirks);
    return Set.copyOf(all);
  }

  void close() {
    session.close();
  }
}
