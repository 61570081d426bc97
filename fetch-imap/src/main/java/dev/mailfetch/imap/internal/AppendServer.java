package dev.mailfetch.imap.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.internal.spool.MessageSpool;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IMAP server of an {@code ImapAppendSink}, through one session opened when first needed and
 * opened again after it broke: the batch of APPENDs (pipelined, within a window, each answered),
 * the folders created on {@code [TRYCREATE]}, Gmail's labels, and the lookups of a delivery by its
 * key header (or Message-ID). NO and BAD are judged in {@link ImapFailures}, the one place.
 */
public final class AppendServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(AppendServer.class);

  /** What a batch came to: the keys taken (where), the ones refused alone, a failure of all. */
  public record Outcome(
      Map<DeliveryKey, AppendJournal.Placed> taken,
      Map<DeliveryKey, FetchException> refused,
      FetchException failure) {}

  private final ImapSettings settings;
  private final String keyHeader;
  private ImapSession session;
  private Optional<String> delimiter;
  private String gmailAllMail;

  /** The folder junk goes to, once a message needed it (kept across sessions: it stays put). */
  private String junkFolder;

  private boolean gmail;
  private final Set<String> created = new HashSet<>();
  private boolean synchronizing;

  /** A server reached with {@code settings}; {@code keyHeader} null where the header is off. */
  public AppendServer(ImapSettings settings, String keyHeader) {
    this.settings = settings;
    this.keyHeader = keyHeader;
  }

  /** The session, opened and logged in where there is none. */
  ImapSession session() throws FetchException {
    if (session == null) {
      ImapSession s = ImapSession.open(settings);
      s.synchronizingLiterals(synchronizing);
      try {
        s.login();
        delimiter = s.delimiter();
        gmail = s.capabilities().has("X-GM-EXT-1");
        if (gmail && gmailAllMail == null) {
          gmailAllMail = allMail(s);
        }
      } catch (FetchException | RuntimeException e) {
        s.close();
        throw e;
      }
      session = s;
    }
    return session;
  }

  /** Gmail's folder of all mail: the one LIST marks {@code \All}, named in the user's language. */
  private static String allMail(ImapSession s) throws FetchException {
    TaggedReply r = s.commands().list("", "*");
    for (ImapLine l : r.untagged("LIST")) {
      List<Object> t = l.tokens();
      if (t.size() >= 3
          && String.valueOf(t.get(0)).toLowerCase(Locale.ROOT).contains("\\all")
          && t.get(2) instanceof String name) {
        return s.utf8() ? name : ModifiedUtf7.decode(name);
      }
    }
    return "[Gmail]/All Mail";
  }

  /** {@code e} with the session's {@code [ALERT]}s, which must reach the user (never dropped). */
  private FetchException told(FetchException e) {
    return session == null ? e : session.withAlerts(e);
  }

  private void drop() {
    if (session != null) {
      session.close();
      session = null;
    }
  }

  /** Closes the session where {@code e} says it broke: the next call opens a new one. */
  void dropIfBroken(FetchException e) {
    if (brokenConnection(e)) {
      drop();
    }
  }

  /** The server's name for messages: {@code host:port}. */
  String serverName() {
    return settings.server();
  }

  /**
   * Where a message with these labels goes (connects to learn the delimiter and Gmail); one its
   * source filed as junk goes to the server's junk folder alone.
   */
  public AppendFolders plan(String folder, Set<String> labels, boolean archived)
      throws FetchException {
    ImapSession s = session();
    if (labels.contains(LabelDecision.JUNK)) {
      if (junkFolder == null) {
        junkFolder = junkFolder(s, gmail);
      }
      return AppendFolders.junk(junkFolder, folder, labels, gmail);
    }
    return AppendFolders.plan(
        folder, labels, archived, delimiter.orElse(null), gmail ? gmailAllMail : null);
  }

  /**
   * The folder with the special use {@code \\Junk} (RFC 6154), asked for with {@code RETURN
   * (SPECIAL-USE)} where the server offers it; else {@code [Gmail]/Spam} on Gmail's IMAP, else
   * {@code Junk} (created with the first message, on {@code [TRYCREATE]}).
   */
  private static String junkFolder(ImapSession s, boolean gmail) throws FetchException {
    TaggedReply r =
        s.capabilities().has("SPECIAL-USE")
            ? s.commands().listSpecialUse("", "*")
            : s.commands().list("", "*");
    for (ImapLine l : r.untagged("LIST")) {
      List<Object> t = l.tokens();
      if (t.size() >= 3
          && String.valueOf(t.get(0)).toLowerCase(Locale.ROOT).contains("\\junk")
          && t.get(2) instanceof String name) {
        return s.utf8() ? name : ModifiedUtf7.decode(name);
      }
    }
    return gmail ? AppendFolders.GMAIL_SPAM : AppendFolders.JUNK;
  }

  /**
   * Appends every message of {@code batch} into each folder it still misses, pipelined; reconnects
   * once after the connection broke (looking up first what the server may have taken before its
   * answer was lost), then gives up with the failure.
   */
  Outcome appendAll(List<AppendPending> batch) {
    Map<DeliveryKey, FetchException> refused = new LinkedHashMap<>();
    FetchException failure = null;
    for (int attempt = 1; attempt <= 2 && !batch.isEmpty(); attempt++) {
      try {
        if (attempt == 2) {
          settleLostAnswers(batch, refused);
        }
        failure = round(batch, refused, null);
        failure = failure == null ? null : told(failure);
        setGmailLabels(batch, refused);
        if (synchronizing) { // the batch that needed it is over: the next ones go pipelined
          synchronizing = false;
          session.synchronizingLiterals(false);
        }
        break;
      } catch (FetchException thrown) {
        FetchException e = told(thrown);
        drop();
        if (attempt == 2 || !brokenConnection(e)) {
          failure = e;
        } else if (ImapFailures.overSize(e)) {
          // A message too big for the server ended the session: on the new one each literal
          // waits for "+", so the server can refuse that one message alone (NO [TOOBIG]).
          synchronizing = true;
          log.info(
              "{}: {}; once more on a new connection, each message waiting for its \"+\"",
              settings.server(),
              e.getMessage());
        } else {
          log.info("{}: {}; once more on a new connection", settings.server(), e.getMessage());
        }
      }
    }
    Map<DeliveryKey, AppendJournal.Placed> taken = new LinkedHashMap<>();
    for (AppendPending p : batch) {
      if (!refused.containsKey(p.key()) && p.complete()) {
        taken.put(p.key(), p.placed());
      }
    }
    return new Outcome(taken, refused, failure);
  }

  private static boolean brokenConnection(FetchException e) {
    return ImapFailures.connectionLost(e);
  }

  /**
   * One pipelined round into every folder still missing (or only those of {@code only}); the
   * folders the server asked to create ({@code [TRYCREATE]}) are created and tried once more.
   *
   * @return the destination's failure (a NO for all), or null
   */
  private FetchException round(
      List<AppendPending> batch, Map<DeliveryKey, FetchException> refused, Set<String> only)
      throws FetchException {
    boolean mayCreate = only == null;
    ImapSession s = session();
    ImapCommands cmd = s.commands();
    int window = Math.max(1, Math.min(64, settings.limits().maxCommandsInFlight() - 1));
    Deque<Sent> inFlight = new ArrayDeque<>();
    List<Sent> answered = new ArrayList<>();
    long appendLimit = appendLimit(s.capabilities());
    for (AppendPending p : batch) {
      if (refused.containsKey(p.key())) {
        continue;
      }
      if (p.literalSize() > appendLimit) {
        refused.put(p.key(), tooLarge(s.server(), p.literalSize(), appendLimit));
        continue;
      }
      for (String folder : p.missing()) {
        if (only != null && !only.contains(folder)) {
          continue;
        }
        if (inFlight.size() >= window) {
          Sent oldest = inFlight.removeFirst();
          answered.add(oldest.answered(s.await(oldest.tag)));
        }
        ImapCommands.Message m =
            new ImapCommands.Message(List.of(), p.date(), literal(p.spool(), p.prefix()));
        inFlight.addLast(new Sent(p, folder, cmd.append(folder, m)));
      }
    }
    while (!inFlight.isEmpty()) {
      Sent oldest = inFlight.removeFirst();
      answered.add(oldest.answered(s.await(oldest.tag)));
    }
    FetchException failure = null;
    Set<String> toCreate = new HashSet<>();
    for (Sent a : answered) {
      TaggedReply r = a.reply;
      if (r.ok()) {
        a.p.took(a.folder, placed(a.folder, r));
        continue;
      }
      ResponseCode code = r.code();
      if (mayCreate && code != null && code.is("TRYCREATE") && !created.contains(a.folder)) {
        toCreate.add(a.folder);
        continue;
      }
      FetchException e = ImapFailures.refused(r, s.server(), ImapFailures.Role.DESTINATION);
      if (e.error() == FetchError.SINK_REJECTED) {
        refused.put(a.p.key(), e);
      } else if (failure == null) {
        failure = e;
      }
    }
    if (!toCreate.isEmpty()) {
      for (String f : toCreate) {
        TaggedReply c = cmd.create(f);
        ResponseCode cc = c.code();
        if (!c.ok() && (cc == null || !cc.is("ALREADYEXISTS"))) {
          return ImapFailures.refused(c, s.server(), ImapFailures.Role.DESTINATION);
        }
        created.add(f);
        log.info("{}: created the folder {}", s.server(), f);
      }
      FetchException again = round(batch, refused, toCreate);
      return failure != null ? failure : again;
    }
    return failure;
  }

  /**
   * The largest message the server takes (APPENDLIMIT, RFC 7889), or no limit. Sending a larger one
   * with LITERAL+ would make the server end the session ({@code BYE [TOOBIG]}) and fail the batch,
   * so such a message is refused here, alone.
   */
  private static long appendLimit(ImapCapabilities caps) {
    for (String n : caps.names()) {
      if (n.startsWith("APPENDLIMIT=")) {
        try {
          return Long.parseLong(n.substring("APPENDLIMIT=".length()));
        } catch (NumberFormatException e) {
          return Long.MAX_VALUE; // a limit we cannot read limits nothing we can check
        }
      }
    }
    return Long.MAX_VALUE;
  }

  /** The refusal of a message over the server's APPENDLIMIT: this message's, not the server's. */
  private static FetchException tooLarge(String server, long size, long limit) {
    return new FetchException(
        FetchError.SINK_REJECTED,
        server
            + " takes messages of up to "
            + limit
            + " bytes (APPENDLIMIT) and this one has "
            + size
            + " (with its key header); it was not sent");
  }

  private static AppendJournal.Placed placed(String folder, TaggedReply ok) {
    Optional<ResponseCode.AppendUid> uid = ImapCommands.appendUid(ok);
    if (uid.isPresent() && uid.get().uids().chars().allMatch(Character::isDigit)) {
      return new AppendJournal.Placed(
          folder, uid.get().uidValidity(), Long.parseLong(uid.get().uids()));
    }
    return new AppendJournal.Placed(folder, 0, 0);
  }

  /** On Gmail's IMAP, the labels of each message taken, set on its one copy. */
  private void setGmailLabels(List<AppendPending> batch, Map<DeliveryKey, FetchException> refused)
      throws FetchException {
    for (AppendPending p : batch) {
      if (refused.containsKey(p.key())
          || !p.missing().isEmpty()
          || p.where().gmailLabels().isEmpty()
          || p.complete()) {
        continue;
      }
      storeGmailLabels(p.key(), p.placed(), List.copyOf(p.where().gmailLabels()));
      p.labelled();
    }
  }

  private void storeGmailLabels(DeliveryKey key, AppendJournal.Placed where, List<String> labels)
      throws FetchException {
    long uid = uidIn(key, where, null);
    if (uid == 0) {
      throw new FetchException(
          FetchError.SINK_FAILED,
          settings.server() + " took the message but cannot find it again to label it");
    }
    session().commands().uidStoreGmailLabels(Long.toString(uid), labels);
  }

  /**
   * After a broken connection: each folder whose answer was lost may hold the message; it is looked
   * up there before it is appended again.
   */
  private void settleLostAnswers(
      List<AppendPending> batch, Map<DeliveryKey, FetchException> refused) throws FetchException {
    for (AppendPending p : batch) {
      if (refused.containsKey(p.key())) {
        continue;
      }
      for (String folder : p.missing()) {
        Optional<AppendJournal.Placed> found = find(p.key(), List.of(folder), p.messageId());
        if (found.isPresent()) {
          p.took(folder, found.get());
        }
      }
    }
  }

  /**
   * Looks {@code key} up in each of {@code folders} by the key header (or, where it is off, by
   * {@code messageId}); the first folder that holds it, with its UID.
   */
  public Optional<AppendJournal.Placed> find(
      DeliveryKey key, List<String> folders, String messageId) throws FetchException {
    if (keyHeader == null && messageId == null) {
      return Optional.empty(); // nothing to find it by: document's window
    }
    for (String folder : folders) {
      long validity = select(folder, true);
      if (validity < 0) {
        continue;
      }
      List<Long> uids = search(key, messageId);
      if (!uids.isEmpty()) {
        return Optional.of(new AppendJournal.Placed(folder, validity, uids.get(uids.size() - 1)));
      }
    }
    return Optional.empty();
  }

  private List<Long> search(DeliveryKey key, String messageId) throws FetchException {
    ImapCommands cmd = session().commands();
    return keyHeader != null
        ? cmd.uidSearchHeader(keyHeader, key.toString())
        : cmd.uidSearchHeader("Message-ID", messageId);
  }

  /**
   * SELECTs {@code folder}, or EXAMINEs it where only a look is needed (no flag changes, and
   * Dovecot leaves its new mail where it is): its UIDVALIDITY (0 if not said), or -1 where it does
   * not exist.
   */
  long select(String folder, boolean look) throws FetchException {
    ImapSession s = session();
    TaggedReply r =
        s.run(s.commands().mailbox(ImapCommand.of(look ? "EXAMINE" : "SELECT"), folder).build());
    if (!r.ok()) {
      ResponseCode c = r.code();
      if (c == null || c.is("NONEXISTENT") || c.is("TRYCREATE")) {
        return -1;
      }
      throw ImapFailures.refused(r, s.server(), ImapFailures.Role.DESTINATION);
    }
    for (ImapLine l : r.untagged()) {
      ResponseCode c = l.code();
      if (c != null && c.is("UIDVALIDITY")) {
        return c.number().orElse(0L);
      }
    }
    return 0;
  }

  /**
   * The UID of {@code key} in {@code where}'s folder, selected: the one APPENDUID gave, else found.
   */
  private long uidIn(DeliveryKey key, AppendJournal.Placed where, String messageId)
      throws FetchException {
    long validity = select(where.folder(), !gmail); // Gmail's labels are stored: read-write
    if (where.uid() > 0 && validity == where.uidValidity()) {
      return where.uid();
    }
    List<Long> uids = validity < 0 ? List.of() : search(key, messageId);
    return uids.isEmpty() ? 0 : uids.get(uids.size() - 1);
  }

  /**
   * Files the message taken under {@code key} under {@code labels} too: Gmail's labels, or a copy
   * (UID COPY) into each label folder that does not hold it yet.
   */
  public void addLabels(DeliveryKey key, AppendJournal.Placed where, Set<String> labels)
      throws FetchException {
    session();
    // A copy found in the source's junk does not move the copy held to the junk folder.
    labels = AppendFolders.withoutJunk(labels);
    if (labels.isEmpty()) {
      return;
    }
    if (gmail) {
      storeGmailLabels(key, where, List.copyOf(labels));
      return;
    }
    AppendFolders more =
        AppendFolders.plan(where.folder(), labels, true, delimiter.orElse(null), null);
    List<String> folders = new ArrayList<>(more.folders());
    folders.remove(AppendFolders.ARCHIVE); // "no labels" is not a label
    copyInto(key, where, folders);
  }

  /**
   * Copies the message of {@code key} ({@code UID COPY} from where it is) into each of {@code
   * folders} that does not hold it yet, creating a folder on {@code [TRYCREATE]}.
   */
  public void copyInto(DeliveryKey key, AppendJournal.Placed where, List<String> folders)
      throws FetchException {
    ImapSession s = session();
    for (String folder : folders) {
      if (folder.equals(where.folder()) || find(key, List.of(folder), null).isPresent()) {
        continue;
      }
      long uid = uidIn(key, where, null);
      if (uid == 0) {
        throw new FetchException(
            FetchError.SINK_FAILED,
            s.server() + " holds the message but cannot find it again to copy it into " + folder);
      }
      for (int attempt = 0; ; attempt++) {
        TaggedReply r =
            s.run(
                s.commands()
                    .mailbox(ImapCommand.of("UID COPY").atom(Long.toString(uid)), folder)
                    .build());
        ResponseCode c = r.code();
        if (r.ok()) {
          break;
        }
        if (attempt == 0 && c != null && c.is("TRYCREATE")) {
          s.commands().create(folder);
          continue;
        }
        throw ImapFailures.refused(r, s.server(), ImapFailures.Role.DESTINATION);
      }
    }
  }

  /**
   * What {@code check()} reports: connects, logs in, looks at the folder and the extensions.
   *
   * @param folder the configured folder
   */
  public List<String> check(String folder) throws FetchException {
    List<String> steps = new ArrayList<>();
    check(folder, steps::add);
    return steps;
  }

  /**
   * As {@link #check(String)}, each step told to {@code steps} as it passes, so that a failure
   * still shows what worked before it.
   */
  public void check(String folder, Consumer<String> steps) throws FetchException {
    drop();
    ImapSession s = ImapSession.open(settings);
    try {
      steps.accept(
          "connected to "
              + s.server()
              + s.tlsVersion().map(v -> " over " + v).orElse(" without TLS"));
      LoginMethod m = s.login();
      steps.accept("logged in as " + settings.user() + " with " + m.words());
      TaggedReply r = s.commands().list("", folder);
      steps.accept(
          r.untagged("LIST").isEmpty()
              ? "folder " + folder + " does not exist yet: it is created with the first message"
              : "folder " + folder + " exists");
      List<String> offers = new ArrayList<>();
      for (String c :
          List.of("UIDPLUS", "LITERAL+", "LITERAL-", "MULTIAPPEND", "UTF8=ACCEPT", "X-GM-EXT-1")) {
        if (s.capabilities().has(c)) {
          offers.add(c);
        }
      }
      steps.accept(
          offers.isEmpty()
              ? "the server offers none of UIDPLUS, LITERAL+, X-GM-EXT-1"
              : "the server offers " + String.join(", ", offers));
      if (!s.capabilities().has("UIDPLUS")) {
        steps.accept("without UIDPLUS each delivery is found again by its header, which is slower");
      }
      for (ImapLine a : s.alerts()) {
        steps.accept("the server's alert: \"" + FetchException.escape(a.text()) + "\"");
      }
    } catch (FetchException e) {
      throw s.withAlerts(e);
    } finally {
      s.logout();
    }
  }

  /**
   * The literal of a message: {@code prefix} (a whole header line, with its CRLF), then the message
   * with each LF sent as CRLF (see {@link MessageSpool#openCrlf}), read afresh for each attempt.
   */
  static LiteralSource literal(MessageSpool spool, byte[] prefix) {
    return new LiteralSource() {
      @Override
      public long size() {
        return prefix.length + spool.crlfSize();
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        out.write(prefix);
        try (InputStream in = spool.openCrlf()) {
          in.transferTo(out);
        }
      }
    };
  }

  /** LOGOUT, then closed. */
  @Override
  public void close() {
    if (session != null) {
      session.logout();
      session = null;
    }
  }

  /** One APPEND sent, and later its answer. */
  private static final class Sent {
    final AppendPending p;
    final String folder;
    final String tag;
    TaggedReply reply;

    Sent(AppendPending p, String folder, String tag) {
      this.p = p;
      this.folder = folder;
      this.tag = tag;
    }

    Sent answered(TaggedReply r) {
      this.reply = r;
      return this;
    }
  }
}
