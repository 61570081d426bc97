package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.Remedy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the IMAP source's folders as one mailbox: the {@code STATUS} of each for the count (one
 * round trip, shared with {@link SourceMarks}), then each folder opened and listed with {@code UID
 * FETCH 1:* (UID RFC822.SIZE FLAGS)} ({@code X-GM-LABELS} too in Gmail's All Mail), every {@code
 * FETCH} line handed on as it comes, numbered 1..n across the folders. A folder that is empty
 * ({@code EXISTS 0}) gets no FETCH. What a server gets wrong is tolerated and said: UIDs out of
 * order are listed as they come; a UID listed twice is listed once; a message listed without its
 * UID cannot be told apart across sessions and is left on the server, with a warning.
 */
final class FolderListing {
  private static final Logger log = LoggerFactory.getLogger(FolderListing.class);

  private final ImapSession session;
  private final boolean readWrite;
  private final List<FetchException> warnings;
  private final Map<String, LabelDecision> messageLabels;
  private final FolderSelection selection;
  private final Set<QuirkId> noticed;
  private int number;

  /**
   * @param readWrite open folders with SELECT (fetching marks {@code \Seen}) rather than EXAMINE
   * @param warnings where what the person must know goes
   * @param messageLabels where each All Mail message's labels go, by its id
   * @param noticed where the quirks the listing met are noted (I04, I09)
   */
  FolderListing(
      ImapSession session,
      FolderSelection selection,
      boolean readWrite,
      List<FetchException> warnings,
      Map<String, LabelDecision> messageLabels,
      Set<QuirkId> noticed) {
    this.session = session;
    this.selection = selection;
    this.readWrite = readWrite;
    this.warnings = warnings;
    this.messageLabels = messageLabels;
    this.noticed = noticed;
  }

  /**
   * Lists {@code folders}, in order, to {@code handler}; {@code marks} learn what was listed. Where
   * {@code marks} hold a mark that allows it, each folder is listed only from the mark's UIDNEXT
   * ({@link #listSince}); if any folder then proves not to be as the mark says, it is listed whole,
   * and so are the rest of the others (their older messages after the new ones), so that the
   * listing is complete and the engine can forget what is gone.
   */
  void list(List<SourceFolder> folders, SourceMarks marks, ListingHandler handler)
      throws FetchException {
    TaggedReply refused = marks.statusForListing(folders);
    if (refused != null) {
      session.ok(refused); // throws, in the source's words
    }
    List<FolderMark> since = marks.incrementFor(folders);
    long messages = 0;
    long octets = 0;
    for (int i = 0; i < folders.size(); i++) {
      SourceFolder f = folders.get(i);
      if (since == null) {
        messages += Math.max(0, f.statusMessages);
        octets += Math.max(0, f.statusSize);
      } else { // at most as many as UIDs were given since; their size is not known before
        messages += Math.min(f.statusMessages, f.statusNext - since.get(i).next());
      }
    }
    handler.count((int) Math.min(Integer.MAX_VALUE, messages), octets);
    if (since == null) {
      for (SourceFolder f : folders) {
        listFolder(f, handler);
      }
      marks.listingDone(false);
      return;
    }
    List<Integer> partial = new ArrayList<>();
    boolean whole = false;
    for (int i = 0; i < folders.size(); i++) {
      if (listSince(folders.get(i), since.get(i), handler)) {
        partial.add(i);
      } else {
        whole = true;
      }
    }
    if (whole) {
      for (int i : partial) {
        listBelow(folders.get(i), since.get(i).next(), handler);
      }
      partial.clear();
    }
    marks.listingDone(!partial.isEmpty());
  }

  /** Opens {@code f} for listing; its UIDVALIDITY, or UNKNOWN (said in a warning: not listed). */
  private long open(SourceFolder f, FolderSelection.Opened o) {
    long validity = o.uidValidity() != SourceFolder.UNKNOWN ? o.uidValidity() : f.statusValidity;
    if (validity == SourceFolder.UNKNOWN) {
      warnings.add(
          new FetchException(
              FetchError.PROTOCOL,
              session.server()
                  + " gave no UIDVALIDITY for folder "
                  + FetchException.escape(f.name)
                  + " (RFC 9051 requires it): its messages cannot be told apart across sessions,"
                  + " so none of them was fetched",
              null,
              null,
              Remedy.of("Tell the provider of " + session.server() + "; the mail stays there.")));
      return SourceFolder.UNKNOWN;
    }
    f.listedValidity = validity;
    return validity;
  }

  private void listFolder(SourceFolder f, ListingHandler handler) throws FetchException {
    FolderSelection.Opened o = selection.open(f.name, readWrite);
    if (open(f, o) != SourceFolder.UNKNOWN) {
      listFolderOpened(f, o, handler);
    }
  }

  /**
   * Lists {@code f} from the mark's UIDNEXT on, where the folder proves as the mark says: the same
   * UIDVALIDITY, and the messages it holds below that UIDNEXT as many as the mark counted (checked
   * against {@code EXISTS} and the FETCH lines, with nothing expunged or arrived while listing). A
   * folder whose STATUS is the mark's is not even opened. Otherwise the folder is listed whole: its
   * older messages first, then the new ones read already.
   *
   * @return true when only the new messages were listed, false when the whole folder was
   */
  private boolean listSince(SourceFolder f, FolderMark mark, ListingHandler handler)
      throws FetchException {
    if (mark.unchanged(f)) {
      f.listedValidity = mark.validity();
      return true;
    }
    FolderSelection.Opened o = selection.open(f.name, readWrite);
    long validity = open(f, o);
    if (validity == SourceFolder.UNKNOWN) {
      return false; // nothing of it listed, said in a warning
    }
    if (validity != mark.validity()) {
      listFolderOpened(f, o, handler); // renumbered since its STATUS
      return false;
    }
    Items fresh = new Items(f, handler, mark.next(), Long.MAX_VALUE);
    fresh.holdBack();
    boolean exact;
    if (o.exists() == 0) {
      exact = mark.messages() == 0;
    } else {
      TaggedReply r = listRange(fresh, mark.next() + ":*");
      exact =
          fresh.withoutUid == 0
              && !changedWhileListing(r)
              && o.exists() - fresh.inRange == mark.messages();
    }
    if (!exact) {
      log.debug("{}: folder {} is not as the mark says; listed whole", session.server(), f.name);
      if (o.exists() > 0 && mark.next() > 1) {
        Items older = new Items(f, handler, 1, mark.next());
        listRange(older, "1:" + (mark.next() - 1));
        older.report();
      }
    }
    fresh.release();
    fresh.report();
    return exact;
  }

  private void listFolderOpened(SourceFolder f, FolderSelection.Opened o, ListingHandler handler)
      throws FetchException {
    // An empty folder gets no FETCH: "UID FETCH 1:*" of one is an error on some servers.
    if (o.exists() > 0) {
      Items items = new Items(f, handler, 1, Long.MAX_VALUE);
      listRange(items, "1:*");
      items.report();
    }
  }

  /**
   * Completes a folder listed only from {@code next} on: its messages below it, so that the listing
   * is whole (another folder proved changed). Renumbered meanwhile, it is listed whole.
   */
  private void listBelow(SourceFolder f, long next, ListingHandler handler) throws FetchException {
    long before = f.listedValidity;
    FolderSelection.Opened o = selection.open(f.name, readWrite);
    long validity = open(f, o);
    if (validity == SourceFolder.UNKNOWN || o.exists() == 0) {
      return;
    }
    if (validity != before) {
      listFolderOpened(f, o, handler);
    } else if (next > 1) {
      Items older = new Items(f, handler, 1, next);
      listRange(older, "1:" + (next - 1));
      older.report();
    }
  }

  /** {@code UID FETCH uids} of the listing's items, read into {@code items}; the tagged reply. */
  private TaggedReply listRange(Items items, String uids) throws FetchException {
    String what = "UID RFC822.SIZE FLAGS" + (items.folder.allMail ? " X-GM-LABELS" : "");
    String tag = session.commands().sendUidFetch(uids, what, null, items::take);
    TaggedReply r = session.await(tag);
    session.ok(r);
    return r;
  }

  /** Whether the folder changed while it was listed: a message arrived or was expunged. */
  private static boolean changedWhileListing(TaggedReply r) {
    for (ImapLine l : r.untagged()) {
      String name = l.name();
      if (name.equals("EXISTS") || name.equals("EXPUNGE") || name.equals("VANISHED")) {
        return true;
      }
    }
    return false;
  }

  /** The FETCH lines of one folder's listing, read as they come. */
  private final class Items {
    private final SourceFolder folder;
    private final ListingHandler handler;
    private final long from;
    private final long below;
    private final UidsSeen seen = new UidsSeen();
    private List<Held> held; // while held back: what to hand on later, in order
    private int withoutUid;
    private int twice;
    private int tooLong;

    /** Messages of the folder's UIDs from {@code from} and below {@code below}, counted. */
    private long inRange;

    Items(SourceFolder folder, ListingHandler handler, long from, long below) {
      this.folder = folder;
      this.handler = handler;
      this.from = from;
      this.below = below;
    }

    /** Holds the items back until {@link #release()}, to hand older ones on before them. */
    void holdBack() {
      held = new ArrayList<>();
    }

    void release() throws FetchException {
      List<Held> all = held;
      held = null;
      if (all != null) {
        for (Held h : all) {
          handOn(h.uid, h.size, h.gmail);
        }
      }
    }

    boolean take(ImapLine line) throws FetchException {
      if (!line.name().equals("FETCH")) {
        return false; // EXISTS, EXPUNGE, OK...: kept with the reply
      }
      long uid = -1;
      long size = -1;
      List<Object> t = line.tokens();
      List<Object> pairs = items(t);
      for (int i = 0; i + 1 < pairs.size(); i += 2) {
        if (!(pairs.get(i) instanceof String key)) {
          continue;
        }
        Object value = pairs.get(i + 1);
        switch (key.toUpperCase(Locale.ROOT)) {
          case "UID" -> uid = number(value);
          case "RFC822.SIZE" -> size = number(value);
          default -> {}
        }
      }
      if (uid < 0 && size < 0) {
        return true; // a flag update of some message, not a listing item
      }
      if (uid <= 0) {
        withoutUid++;
        return true;
      }
      if (uid < from || uid >= below) {
        return true; // "n:*" names the last message when n is above every UID (RFC 9051 §6.4.8)
      }
      if (!seen.add(uid)) {
        twice++;
        return true;
      }
      inRange++;
      List<String> gmail =
          folder.allMail
              ? GmailLabels.fromFetch(pairs, session.utf8()).orElse(List.of())
              : List.of();
      if (folder.allMail && folder.gmail.orElse(GmailLabels.DEFAULT).leftOut(gmail)) {
        return true; // a draft or trash (or sent mail, where left out): not fetched
      }
      if (held != null) {
        held.add(new Held(uid, size, gmail));
      } else {
        handOn(uid, size, gmail);
      }
      return true;
    }

    private void handOn(long uid, long size, List<String> gmail) throws FetchException {
      MessageRef ref;
      try {
        ref =
            new MessageRef(
                number + 1,
                new MessageUrl(folder.name, folder.listedValidity, uid).path(),
                size < 0 ? 0 : size);
      } catch (IllegalArgumentException e) {
        tooLong++; // a folder name so long the id passes MessageRef's cap
        return;
      }
      number++;
      if (folder.allMail) {
        messageLabels.put(ref.uid(), folder.gmail.orElse(GmailLabels.DEFAULT).labelsOf(gmail));
      }
      handler.message(ref);
    }

    void report() {
      String in = " of folder " + FetchException.escape(folder.name);
      if (seen.disordered) {
        noticed.add(QuirkId.I04);
        log.debug("{} listed the UIDs{} out of order; taken as they came", session.server(), in);
      }
      if (withoutUid > 0) {
        noticed.add(QuirkId.I09);
        warnings.add(
            new FetchException(
                FetchError.PROTOCOL,
                session.server()
                    + " listed "
                    + withoutUid
                    + " message(s)"
                    + in
                    + " without their UID (UID FETCH must give it): they cannot be told apart"
                    + " across sessions, so they were left on the server, not fetched",
                null,
                null,
                Remedy.of("Tell the provider of " + session.server() + "; the mail stays there.")));
      }
      if (twice > 0) {
        warnings.add(
            new FetchException(
                FetchError.PROTOCOL,
                session.server()
                    + " listed the UID of "
                    + twice
                    + " message(s)"
                    + in
                    + " more than once; each was taken once"));
      }
      if (tooLong > 0) {
        warnings.add(
            new FetchException(
                FetchError.CONFIGURATION,
                "the name of folder"
                    + FetchException.escape(folder.name)
                    + " is too long for a message id ("
                    + MessageRef.MAX_UID_LENGTH
                    + " characters): its "
                    + tooLong
                    + " message(s) were not fetched",
                null,
                null,
                Remedy.of("Rename the folder on " + session.server() + ", or leave it out.")));
      }
    }
  }

  /** A listing item held back. */
  private record Held(long uid, long size, List<String> gmail) {}

  private static long number(Object value) {
    return value instanceof String s
            && !s.isEmpty()
            && s.length() < 19
            && s.chars().allMatch(ch -> ch >= '0' && ch <= '9')
        ? Long.parseLong(s)
        : -1;
  }

  /** The items of a FETCH response's data, {@code (UID 7 RFC822.SIZE 99)}, as a list. */
  @SuppressWarnings("unchecked") // ImapTokens makes lists of Object
  private static List<Object> items(List<Object> tokens) {
    return !tokens.isEmpty() && tokens.get(0) instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /**
   * The UIDs of one folder's listing, to take each once: while they ascend (as servers send them)
   * only an array of them is kept, and a set only once one comes out of order.
   */
  static final class UidsSeen {
    private long last = -1;
    private long[] all = new long[64];
    private int n;
    private Set<Long> set;
    boolean disordered;

    /** False when {@code uid} was seen already. */
    boolean add(long uid) {
      if (set == null) {
        if (uid == last) {
          return false; // the last one again: a repeat, not a disorder
        }
        if (uid > last) {
          if (n == all.length) {
            all = Arrays.copyOf(all, n * 2);
          }
          all[n++] = uid;
          last = uid;
          return true;
        }
        disordered = true;
        set = new HashSet<>(n * 2);
        for (int i = 0; i < n; i++) {
          set.add(all[i]);
        }
        all = null;
      }
      return set.add(uid);
    }
  }
}
