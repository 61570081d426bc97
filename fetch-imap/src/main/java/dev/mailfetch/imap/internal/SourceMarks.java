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
 */
final class SourceMarks implements MailboxMarks, Renumbering {
  /** The session's folder plan, made once when first asked for. */
  @FunctionalInterface
  interface Plan {
    List<SourceFolder> folders() throws FetchException;
  }

  private static final String VERSION = "imap1:";
  private static final String UNCHECKED = VERSION + "unchecked";

  private final ImapSession session;
  private final Plan plan;
  private boolean listed;
  private boolean fresh; // the folders' STATUS was asked by unchangedSince and not used yet

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

  /** The listing is done: {@link #listed()} and {@link #renumbered} may answer. */
  void listingDone() {
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
    if (mark == null || !mark.startsWith(VERSION) || mark.equals(UNCHECKED)) {
      return false;
    }
    List<SourceFolder> folders = plan.folders();
    TaggedReply refused = askStatus(session, folders);
    fresh = refused == null;
    return refused == null && mark.equals(markOf(folders));
  }

  /** {@code imap1:} and a digest of each folder's name and three numbers, in the plan's order. */
  private static String markOf(List<SourceFolder> folders) {
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
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(all.toString().getBytes(StandardCharsets.UTF_8));
      return VERSION + folders.size() + ":" + HexFormat.of().formatHex(digest);
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
