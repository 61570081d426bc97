package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.ListingHandler;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Remedy;
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
  private int number;

  /**
   * @param readWrite open folders with SELECT (fetching marks {@code \Seen}) rather than EXAMINE
   * @param warnings where what the person must know goes
   * @param messageLabels where each All Mail message's labels go, by its id
   */
  FolderListing(
      ImapSession session,
      FolderSelection selection,
      boolean readWrite,
      List<FetchException> warnings,
      Map<String, LabelDecision> messageLabels) {
    this.session = session;
    this.selection = selection;
    this.readWrite = readWrite;
    this.warnings = warnings;
    this.messageLabels = messageLabels;
  }

  /** Lists {@code folders}, in order, to {@code handler}; {@code marks} learn what was listed. */
  void list(List<SourceFolder> folders, SourceMarks marks, ListingHandler handler)
      throws FetchException {
    TaggedReply refused = marks.statusForListing(folders);
    if (refused != null) {
      session.ok(refused); // throws, in the source's words
    }
    long messages = 0;
    long octets = 0;
    for (SourceFolder f : folders) {
      messages += Math.max(0, f.statusMessages);
      octets += Math.max(0, f.statusSize);
    }
    handler.count((int) Math.min(Integer.MAX_VALUE, messages), octets);
    for (SourceFolder f : folders) {
      listFolder(f, handler);
    }
    marks.listingDone();
  }

  private void listFolder(SourceFolder f, ListingHandler handler) throws FetchException {
    FolderSelection.Opened o = selection.open(f.name, readWrite);
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
      return;
    }
    f.listedValidity = validity;
    if (o.exists() == 0) {
      return; // nothing to list: "UID FETCH 1:*" of an empty folder is an error on some servers
    }
    Items items = new Items(f, handler);
    String what = "UID RFC822.SIZE FLAGS" + (f.allMail ? " X-GM-LABELS" : "");
    String tag = session.commands().sendUidFetch("1:*", what, null, items::take);
    session.ok(session.await(tag));
    items.report();
  }

  /** The FETCH lines of one folder's listing, read as they come. */
  private final class Items {
    private final SourceFolder folder;
    private final ListingHandler handler;
    private final UidsSeen seen = new UidsSeen();
    private int withoutUid;
    private int twice;
    private int tooLong;

    Items(SourceFolder folder, ListingHandler handler) {
      this.folder = folder;
      this.handler = handler;
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
      if (!seen.add(uid)) {
        twice++;
        return true;
      }
      List<String> gmail =
          folder.allMail
              ? GmailLabels.fromFetch(pairs, session.utf8()).orElse(List.of())
              : List.of();
      if (folder.allMail && folder.gmail.orElse(GmailLabels.DEFAULT).leftOut(gmail)) {
        return true; // a draft or trash (or sent mail, where left out): not fetched
      }
      MessageRef ref;
      try {
        ref =
            new MessageRef(
                number + 1,
                new MessageUrl(folder.name, folder.listedValidity, uid).path(),
                size < 0 ? 0 : size);
      } catch (IllegalArgumentException e) {
        tooLong++; // a folder name so long the id passes MessageRef's cap
        return true;
      }
      number++;
      if (folder.allMail) {
        messageLabels.put(ref.uid(), folder.gmail.orElse(GmailLabels.DEFAULT).labelsOf(gmail));
      }
      handler.message(ref);
      return true;
    }

    void report() {
      String in = " of folder " + FetchException.escape(folder.name);
      if (seen.disordered) {
        log.debug("{} listed the UIDs{} out of order; taken as they came", session.server(), in);
      }
      if (withoutUid > 0) {
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
