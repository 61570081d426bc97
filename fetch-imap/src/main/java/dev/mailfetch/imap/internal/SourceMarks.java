package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MailboxMarks;
import dev.mailfetch.api.Renumbering;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the IMAP source knows of its folders as wholes: the cheap "nothing changed" check ({@link
 * MailboxMarks}: the {@code STATUS} of every folder, {@code UIDVALIDITY UIDNEXT MESSAGES}, sent
 * pipelined in one round trip) and the folders renumbered since an earlier listing ({@link
 * Renumbering}: the same folder listed now under another {@code UIDVALIDITY}).
 *
 * <p>Why these three numbers suffice: a message that arrives takes a UID at or above {@code
 * UIDNEXT}, so {@code UIDNEXT} grows; one that leaves lowers {@code MESSAGES} (an arrival and a
 * removal together still move {@code UIDNEXT}); a renumbered folder has a new {@code UIDVALIDITY}.
 * Flag changes move none of them, which is right: flags decide nothing here (CONDSTORE's {@code
 * HIGHESTMODSEQ} would move with every flag and defeat the shortcut). A new or vanished folder
 * changes the folder plan and so the mark. Where a folder's STATUS lacks one of the numbers, the
 * mark says so and is never taken as unchanged.
 *
 * <p>The same numbers make an incremental listing exact ({@link #listOnlyNewSince}): a folder whose
 * UIDVALIDITY is the mark's and that holds, besides the messages at or above the mark's UIDNEXT,
 * exactly the mark's MESSAGES, lost none of those (UIDs below the mark's UIDNEXT are never given
 * again); so only {@code UID FETCH <mark's UIDNEXT>:*} need be listed ({@link FolderListing} checks
 * the count after listing, the STATUS before it).
 */
final class SourceMarks implements MailboxMarks, Renumbering {
  /** The session's folder plan, made once when first asked for. */
  @FunctionalInterface
  interface Plan {
    List<SourceFolder> folders() throws FetchException;
  }

  /** The first form: a digest of the numbers, enough to tell "unchanged" only. Still read. */
  private static final String DIGEST = "imap1:";

  private static final String UNCHECKED = DIGEST + "unchecked";

  /** The form since incremental listings: the numbers of each folder, readable. */
  private static final String NUMBERS = "imap2:";

  private final ImapSession session;
  private final Plan plan;
  private boolean listed;
  private boolean fresh; // the folders' STATUS was asked by unchangedSince and not used yet
  private List<FolderMark> offered; // the mark listOnlyNewSince offered, read; or null
  private boolean partial; // the listing left out what the offered mark proves unchanged

  SourceMarks(ImapSession session, Plan plan) {
    this.session = session;
    this.plan = plan;
  }

  /**
   * The STATUS of each of {@code folders}, sent at once and read after, into the folders' fields.
   *
   * @return the first refusal (a NO or BAD), or null when every folder answered
   */
  static TaggedReply askStatus(ImapSession session, List<SourceFolder> folders)
      throws FetchException {
    boolean size = session.capabilities().has("STATUS=SIZE");
    String items = "MESSAGES UIDNEXT UIDVALIDITY" + (size ? " SIZE" : "");
    ImapCommands commands = session.commands();
    List<String> tags = new ArrayList<>();
    for (SourceFolder f : folders) {
      tags.add(commands.sendStatus(f.name, items));
    }
    TaggedReply refused = null;
    for (int i = 0; i < folders.size(); i++) {
      TaggedReply r = session.await(tags.get(i));
      SourceFolder f = folders.get(i);
      if (!r.ok()) {
        refused = refused == null ? r : refused;
        continue;
      }
      Map<String, Long> s = ImapCommands.statusItems(r);
      f.statusValidity = s.getOrDefault("UIDVALIDITY", SourceFolder.UNKNOWN);
      f.statusNext = s.getOrDefault("UIDNEXT", SourceFolder.UNKNOWN);
      f.statusMessages = s.getOrDefault("MESSAGES", SourceFolder.UNKNOWN);
      f.statusSize = s.getOrDefault("SIZE", SourceFolder.UNKNOWN);
    }
    return refused;
  }

  /**
   * The STATUS of every folder for the listing's count: the one {@link #unchangedSince} just asked,
   * or asked now.
   *
   * @return the first refusal, or null
   */
  TaggedReply statusForListing(List<SourceFolder> folders) throws FetchException {
    if (fresh) {
      fresh = false;
      return null;
    }
    return askStatus(session, folders);
  }

  /**
   * What the offered mark says of each of {@code folders} (their STATUS asked), for an incremental
   * listing; null, for a complete one, where none was offered or any folder's STATUS does not allow
   * one ({@link FolderMark#allowsIncrement}): a folder renumbered or with messages gone needs the
   * engine to see the whole mailbox, to recognise or forget them.
   */
  List<FolderMark> incrementFor(List<SourceFolder> folders) {
    if (offered == null || offered.size() != folders.size()) {
      return null;
    }
    for (int i = 0; i < folders.size(); i++) {
      if (!offered.get(i).allowsIncrement(folders.get(i))) {
        return null;
      }
    }
    return offered;
  }

  /**
   * The listing is done: {@link #listed()}, {@link #listedOnlyNew()} and {@link #renumbered} may
   * answer.
   *
   * @param partial whether it left out messages the offered mark proves unchanged
   */
  void listingDone(boolean partial) {
    this.partial = partial;
    listed = true;
  }

  @Override
  public String listed() {
    if (!listed) {
      throw new IllegalStateException("the session has not listed yet");
    }
    try {
      return markOf(plan.folders());
    } catch (FetchException e) {
      return UNCHECKED; // the plan was made before the listing: this does not happen
    }
  }

  @Override
  public boolean unchangedSince(String mark) throws FetchException {
    boolean digest = mark != null && mark.startsWith(DIGEST) && !mark.equals(UNCHECKED);
    if (!digest && (mark == null || !mark.startsWith(NUMBERS))) {
      return false;
    }
    List<SourceFolder> folders = plan.folders();
    TaggedReply refused = askStatus(session, folders);
    fresh = refused == null;
    return refused == null && mark.equals(digest ? digestOf(folders) : markOf(folders));
  }

  /**
   * Reads {@code mark} for the listing: only the numbers form ({@code imap2:}) of the same folder
   * plan serves; an older mark ({@code imap1:}, a digest) makes the listing complete, once.
   */
  @Override
  public void listOnlyNewSince(String mark) {
    try {
      offered = parse(mark, plan.folders());
    } catch (FetchException e) {
      offered = null; // planned by unchangedSince already: not reached
    }
  }

  @Override
  public boolean listedOnlyNew() {
    if (!listed) {
      throw new IllegalStateException("the session has not listed yet");
    }
    return partial;
  }

  /**
   * {@code imap2:}, the number of folders, a digest of their names in the plan's order, then each
   * folder's {@code UIDVALIDITY.UIDNEXT.MESSAGES}; the digest form where that would be longer than
   * a mark may be (some 110 folders).
   */
  private static String markOf(List<SourceFolder> folders) {
    StringBuilder numbers = new StringBuilder(NUMBERS);
    numbers.append(folders.size()).append(':').append(namesOf(folders)).append(':');
    for (int i = 0; i < folders.size(); i++) {
      SourceFolder f = folders.get(i);
      if (f.statusValidity == SourceFolder.UNKNOWN
          || f.statusNext == SourceFolder.UNKNOWN
          || f.statusMessages == SourceFolder.UNKNOWN) {
        return UNCHECKED;
      }
      numbers
          .append(i == 0 ? "" : ",")
          .append(f.statusValidity)
          .append('.')
          .append(f.statusNext)
          .append('.')
          .append(f.statusMessages);
    }
    return numbers.length() <= MAX_LENGTH ? numbers.toString() : digestOf(folders);
  }

  /** The numbers form read against the plan, or null where it is not one of this plan. */
  static List<FolderMark> parse(String mark, List<SourceFolder> folders) {
    if (mark == null || !mark.startsWith(NUMBERS)) {
      return null;
    }
    String[] parts = mark.substring(NUMBERS.length()).split(":", -1);
    if (parts.length != 3
        || !parts[0].equals(Integer.toString(folders.size()))
        || !parts[1].equals(namesOf(folders))) {
      return null;
    }
    String[] each = parts[2].split(",", -1);
    if (each.length != folders.size()) {
      return null;
    }
    List<FolderMark> out = new ArrayList<>();
    for (String e : each) {
      String[] n = e.split("\\.", -1);
      if (n.length != 3) {
        return null;
      }
      try {
        out.add(new FolderMark(Long.parseLong(n[0]), Long.parseLong(n[1]), Long.parseLong(n[2])));
      } catch (NumberFormatException bad) {
        return null;
      }
    }
    return out;
  }

  /** The first form, {@code imap1:} and a digest of each folder's name and three numbers. */
  private static String digestOf(List<SourceFolder> folders) {
    StringBuilder all = new StringBuilder();
    for (SourceFolder f : folders) {
      if (f.statusValidity == SourceFolder.UNKNOWN
          || f.statusNext == SourceFolder.UNKNOWN
          || f.statusMessages == SourceFolder.UNKNOWN) {
        return UNCHECKED;
      }
      all.append(MessageUrl.encodeFolder(f.name))
          .append(' ')
          .append(f.statusValidity)
          .append(' ')
          .append(f.statusNext)
          .append(' ')
          .append(f.statusMessages)
          .append('\n');
    }
    return DIGEST + folders.size() + ":" + sha256(all.toString());
  }

  /** A digest of the folders' names, in the plan's order: a mark of another plan is not read. */
  private static String namesOf(List<SourceFolder> folders) {
    StringBuilder all = new StringBuilder();
    for (SourceFolder f : folders) {
      all.append(MessageUrl.encodeFolder(f.name)).append('\n');
    }
    return sha256(all.toString()).substring(0, 32);
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public Set<String> renumbered(Set<String> gone) {
    Set<String> out = new LinkedHashSet<>();
    for (String uid : gone) {
      Optional<MessageUrl> url = MessageUrl.parse(uid);
      if (url.isEmpty()) {
        continue;
      }
      SourceFolder f = listedFolder(url.get().folder());
      if (f != null && url.get().uidValidity() != f.listedValidity) {
        out.add(uid);
      }
    }
    return out;
  }

  @Override
  public String mailboxOf(String uid) {
    Optional<MessageUrl> url = MessageUrl.parse(uid);
    if (url.isEmpty()) {
      return "a message id this IMAP source did not make (" + FetchException.escape(uid) + ")";
    }
    String name = "folder " + FetchException.escape(url.get().folder());
    SourceFolder f = listedFolder(url.get().folder());
    if (f == null) {
      return name + ", UIDVALIDITY " + url.get().uidValidity();
    }
    return name
        + ", UIDVALIDITY now "
        + f.listedValidity
        + " (was "
        + url.get().uidValidity()
        + ")";
  }

  private SourceFolder listedFolder(String name) {
    if (!listed) {
      return null;
    }
    try {
      for (SourceFolder f : plan.folders()) {
        if (f.name.equals(name) && f.listedValidity != SourceFolder.UNKNOWN) {
          return f;
        }
      }
    } catch (FetchException e) {
      return null; // planned before the listing: not reached
    }
    return null;
  }
}
