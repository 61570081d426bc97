package dev.mailfetch.imap.internal;

import dev.mailfetch.api.Capabilities;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchSession;
import dev.mailfetch.api.HeaderReading;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MailboxMarks;
import dev.mailfetch.api.MessageHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Renumbering;
import dev.mailfetch.api.Retrieval;
import dev.mailfetch.api.SourceLabels;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One session of an {@code ImapSource}: the folder plan, made once; the listing ({@link
 * FolderListing}); the retrieval, pipelined ({@link FetchPipeline}); the deletions, noted and done
 * at quit ({@link SourceDeletions}); the marks and renumbering ({@link SourceMarks}); and the
 * labels each message has from where it was found. Folders are opened read-only ({@code EXAMINE})
 * unless fetching marks {@code \Seen}; the deletions open theirs read-write at quit.
 */
public final class SourceSession implements FetchSession {
  private final ImapSession session;
  private final SourceOptions options;
  private final FolderSelection selection;
  private final FetchPipeline pipeline;
  private final SourceDeletions deletions;
  private final SourceMarks marks;
  private final List<FetchException> warnings = new ArrayList<>();
  private final Map<String, LabelDecision> messageLabels = new HashMap<>();
  private final Set<QuirkId> noticed = EnumSet.noneOf(QuirkId.class);
  private List<SourceFolder> folders;
  private String lastRefusal;
  private boolean listed;

  private SourceSession(ImapSession session, SourceOptions options) {
    this.session = session;
    this.options = options;
    this.selection = new FolderSelection(session);
    this.pipeline =
        new FetchPipeline(
            session,
            selection,
            options.markSeen(),
            options.maxCommandsInFlight(),
            this::refused,
            noticed);
    this.deletions =
        new SourceDeletions(session, selection, options.deletion(), warnings, this::refused);
    this.marks = new SourceMarks(session, this::folders);
  }

  /** Connects, secures and logs in. */
  public static SourceSession open(ImapSettings settings, SourceOptions options)
      throws FetchException {
    ImapSession s = ImapSession.open(settings, ImapFailures.Role.SOURCE);
    try {
      s.login();
    } catch (FetchException | RuntimeException e) {
      s.close();
      throw e;
    }
    return new SourceSession(s, options);
  }

  private void refused(TaggedReply r) {
    lastRefusal = r.line().wire();
  }

  /** The folders to fetch from, planned once. */
  private List<SourceFolder> folders() throws FetchException {
    if (folders == null) {
      folders = FolderPlan.of(options.folders(), session).stream().map(SourceFolder::new).toList();
    }
    return folders;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(
        true, Optional.empty(), Optional.empty(), session.capabilities().names());
  }

  @Override
  public String server() {
    return session.server();
  }

  @Override
  public void list(ListingHandler handler) throws FetchException {
    pipeline.drain();
    new FolderListing(session, selection, options.markSeen(), warnings, messageLabels, noticed)
        .list(folders(), marks, handler);
    listed = true;
  }

  @Override
  public void retrieve(Retrieval request, MessageHandler handler) throws FetchException {
    pipeline.retrieve(request.batch(), request.following(), request.lineEnding(), handler);
  }

  @Override
  public Optional<HeaderReading> headerReading() {
    return Optional.of(pipeline::headers);
  }

  @Override
  public Optional<SourceLabels> sourceLabels() {
    return Optional.of(this::labelsOf);
  }

  private LabelDecision labelsOf(MessageRef ref) {
    LabelDecision own = messageLabels.get(ref.uid());
    if (own != null) {
      return own;
    }
    Optional<MessageUrl> url = MessageUrl.parse(ref.uid());
    if (url.isPresent() && folders != null) {
      for (SourceFolder f : folders) {
        if (f.name.equals(url.get().folder())) {
          return f.labels;
        }
      }
    }
    return LabelDecision.INBOX;
  }

  @Override
  public Optional<Renumbering> renumbering() {
    return Optional.of(marks);
  }

  @Override
  public Optional<MailboxMarks> mailboxMarks() {
    return Optional.of(marks);
  }

  @Override
  public Set<MessageRef> delete(List<MessageRef> messages) throws FetchException {
    pipeline.drain();
    Map<String, Long> listedFolders = new LinkedHashMap<>();
    if (listed) {
      for (SourceFolder f : folders) {
        if (f.listedValidity != SourceFolder.UNKNOWN) {
          listedFolders.put(f.name, f.listedValidity);
        }
      }
    }
    return deletions.note(messages, listedFolders);
  }

  /**
   * Does the deletions noted, then LOGOUT; true only when the server confirmed every step. Never
   * throws: a broken connection is a false.
   */
  @Override
  public boolean quit() {
    boolean ok;
    try {
      pipeline.drain();
      ok = deletions.commit();
    } catch (FetchException e) {
      warnings.add(e.inContext("ending the session"));
      ok = false;
    }
    try {
      if (session.connectionBroken()) {
        return false;
      }
      TaggedReply bye = session.run(ImapCommand.of("LOGOUT").build());
      if (!bye.ok()) {
        refused(bye);
      }
      return ok && bye.ok();
    } catch (FetchException e) {
      return false;
    } finally {
      session.close();
    }
  }

  /**
   * The quirks the listing met (I04 UIDs out of order, I09 FETCH without UID) and the retrieval
   * (I26 Courier's notice in a message's place).
   */
  @Override
  public Set<QuirkId> quirksNoticed() {
    return Set.copyOf(noticed);
  }

  @Override
  public List<FetchException> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public Optional<String> lastRefusal() {
    return Optional.ofNullable(lastRefusal);
  }

  /** Drops the connection: no LOGOUT, so nothing noted for deletion is done. */
  @Override
  public void close() {
    session.close();
  }
}
