package dev.mailfetch.testkit.imap;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One user's mailboxes on a {@link FakeImapServer}: folders and the messages in them, kept in
 * memory, shared by all the user's sessions (every method holds the account's lock).
 *
 * <p>On an ordinary server each message lives in one folder with that folder's UIDs. On Gmail
 * ({@code X-GM-EXT-1}) each message is stored once, in {@code [Gmail]/All Mail}, with labels; a
 * folder shows the messages carrying its label ({@code INBOX} the label {@code \Inbox}), and APPEND
 * to a folder stores one message with that folder's label (Google's "How actions sync in IMAP": a
 * folder is a label). UIDs there are All Mail's, the same in every folder.
 */
final class ImapAccount {
  static final String GMAIL_ALL_MAIL = "[Gmail]/All Mail";

  /** Gmail's special folders: name, special-use attribute, the label it shows. */
  private static final String[][] GMAIL_FOLDERS = {
    {"[Gmail]", "\\Noselect \\HasChildren", null},
    {GMAIL_ALL_MAIL, "\\All \\HasNoChildren", null},
    {"[Gmail]/Drafts", "\\Drafts \\HasNoChildren", "\\Draft"},
    {"[Gmail]/Important", "\\Important \\HasNoChildren", "\\Important"},
    {"[Gmail]/Sent Mail", "\\Sent \\HasNoChildren", "\\Sent"},
    {"[Gmail]/Spam", "\\Junk \\HasNoChildren", "\\Spam"},
    {"[Gmail]/Starred", "\\Flagged \\HasNoChildren", null},
    {"[Gmail]/Trash", "\\Trash \\HasNoChildren", "\\Trash"},
  };

  /** A folder: its name, UIDVALIDITY, next UID, and what LIST says about it. */
  static final class Folder {
    final String name;
    long uidValidity;
    final String attributes;
    final String label;
    final boolean selectable;
    long uidNext = 1;

    Folder(String name, long uidValidity, String attributes, String label) {
      this.name = name;
      this.uidValidity = uidValidity;
      this.attributes = attributes;
      this.label = label;
      this.selectable = !attributes.contains("\\Noselect");
    }
  }

  /** A stored message. Mutable (flags, labels) under the account's lock. */
  static final class Stored {
    long uid;
    final String folder;
    final byte[] content;
    final Set<String> flags = new LinkedHashSet<>();
    final Instant internalDate;
    final Set<String> labels = new LinkedHashSet<>();

    Stored(long uid, String folder, byte[] content, Instant internalDate) {
      this.uid = uid;
      this.folder = folder;
      this.content = content;
      this.internalDate = internalDate;
    }

    ImapMessage view() {
      return new ImapMessage(uid, content, flags, internalDate, labels);
    }
  }

  /** What APPEND asks to store: bytes, flags, internal date; a test's seed adds UID and labels. */
  record Draft(
      byte[] content, List<String> flags, Instant internalDate, long uid, List<String> labels) {
    Draft(byte[] content, List<String> flags, Instant internalDate) {
      this(content, flags, internalDate, 0, List.of());
    }
  }

  final String user;
  final String password;
  final boolean gmail;
  final char delimiter;
  private final Map<String, Folder> folders = new LinkedHashMap<>();
  private final List<Stored> messages = new ArrayList<>();
  private final Map<String, List<Long>> expunged = new LinkedHashMap<>();
  private final List<ImapMove> moved = new ArrayList<>();
  private final List<ImapMove> copied = new ArrayList<>();
  private long nextUidValidity;

  ImapAccount(String user, String password, boolean gmail, char delimiter, long uidValidity) {
    this.user = user;
    this.password = password;
    this.gmail = gmail;
    this.delimiter = gmail ? '/' : delimiter;
    this.nextUidValidity = uidValidity;
    add("INBOX", "\\HasNoChildren", gmail ? "\\Inbox" : null);
    if (gmail) {
      for (String[] f : GMAIL_FOLDERS) {
        add(f[0], f[1], f[2]);
      }
    }
  }

  /** INBOX in any case is INBOX (RFC 9051 §5.1); other names are case-sensitive. */
  static String canonical(String name) {
    return name.equalsIgnoreCase("INBOX") ? "INBOX" : name;
  }

  synchronized Folder folder(String name) {
    return folders.get(canonical(name));
  }

  synchronized List<Folder> folders() {
    return List.copyOf(folders.values());
  }

  /** Creates the folder and its missing parents; false if it existed. */
  synchronized boolean create(String name) {
    return create(name, null);
  }

  /**
   * Creates the folder with a special-use attribute ({@code \Junk}, RFC 6154) or none, and its
   * missing parents; false if it existed.
   */
  synchronized boolean create(String name, String specialUse) {
    String n = canonical(name);
    if (folders.containsKey(n)) {
      return false;
    }
    int at = n.indexOf(delimiter);
    while (at > 0) {
      String parent = n.substring(0, at);
      if (!folders.containsKey(parent)) {
        add(parent, "\\HasChildren", gmail ? parent : null);
      }
      at = n.indexOf(delimiter, at + 1);
    }
    add(n, (specialUse == null ? "" : specialUse + " ") + "\\HasNoChildren", gmail ? n : null);
    return true;
  }

  private void add(String name, String attributes, String label) {
    folders.put(name, new Folder(name, nextUidValidity++, attributes, label));
  }

  /** The messages a folder shows, in UID order. */
  synchronized List<Stored> in(String folderName) {
    String n = canonical(folderName);
    List<Stored> out = new ArrayList<>();
    for (Stored m : messages) {
      if (shows(n, m)) {
        out.add(m);
      }
    }
    return out;
  }

  private boolean shows(String folderName, Stored m) {
    if (!gmail) {
      return m.folder.equals(folderName);
    }
    if (folderName.equals(GMAIL_ALL_MAIL)) {
      return !m.labels.contains("\\Spam") && !m.labels.contains("\\Trash");
    }
    if (folderName.equals("[Gmail]/Starred")) {
      return m.flags.stream().anyMatch(f -> f.equalsIgnoreCase("\\Flagged"));
    }
    Folder f = folders.get(folderName);
    return f != null && f.label != null && m.labels.contains(f.label);
  }

  /** Stores the drafts in {@code folderName} (which exists) at once; their UIDs. */
  synchronized List<Long> store(String folderName, List<Draft> drafts) {
    Folder f = folders.get(canonical(folderName));
    List<Long> uids = new ArrayList<>();
    for (Draft d : drafts) {
      Folder numbering = gmail ? folders.get(GMAIL_ALL_MAIL) : f;
      if (d.uid() > 0 && d.uid() < numbering.uidNext) {
        throw new IllegalArgumentException(
            "UID " + d.uid() + " is below UIDNEXT " + numbering.uidNext + " of " + numbering.name);
      }
      long uid = d.uid() > 0 ? d.uid() : numbering.uidNext;
      numbering.uidNext = uid + 1;
      if (gmail) {
        folders.values().forEach(x -> x.uidNext = Math.max(x.uidNext, uid + 1));
      }
      Stored m = new Stored(uid, gmail ? GMAIL_ALL_MAIL : f.name, d.content(), d.internalDate());
      m.flags.addAll(d.flags());
      if (gmail && f.label != null) {
        m.labels.add(f.label);
      }
      if (gmail) {
        d.labels().forEach(l -> m.labels.add(label(l, true)));
      }
      messages.add(m);
      uids.add(uid);
    }
    return uids;
  }

  /**
   * The label a Gmail label name given by a client means ({@code \inbox} is {@code \Inbox}); with
   * {@code create}, a user label that does not exist yet is created, as a folder shows it (STORE
   * adding it).
   */
  synchronized String label(String given, boolean create) {
    if (given.startsWith("\\")) {
      for (Folder f : folders.values()) {
        if (f.label != null && f.label.equalsIgnoreCase(given)) {
          return f.label;
        }
      }
      return given;
    }
    if (create) {
      create(given);
    }
    return given;
  }

  /**
   * Removes the messages of a folder flagged {@code \Deleted}; their sequence numbers, highest
   * first.
   */
  synchronized List<Integer> expunge(String folderName) {
    return expunge(folderName, null);
  }

  /**
   * As {@link #expunge(String)}, only for the UIDs in {@code only} (UID EXPUNGE, RFC 4315), or all
   * if null.
   */
  synchronized List<Integer> expunge(String folderName, Set<Long> only) {
    List<Stored> shown = in(folderName);
    List<Integer> gone = new ArrayList<>();
    List<Long> uids = expunged.computeIfAbsent(canonical(folderName), k -> new ArrayList<>());
    for (int i = shown.size() - 1; i >= 0; i--) {
      Stored m = shown.get(i);
      if ((only == null || only.contains(m.uid))
          && m.flags.stream().anyMatch(x -> x.toLowerCase(Locale.ROOT).equals("\\deleted"))) {
        uids.add(0, m.uid);
        if (gmail && !folderName.equals(GMAIL_ALL_MAIL)) {
          // Gmail: deleting in a folder removes that folder's label only.
          m.labels.remove(folders.get(canonical(folderName)).label);
          m.flags.removeIf(x -> x.equalsIgnoreCase("\\Deleted"));
        } else {
          messages.remove(m);
        }
        gone.add(i + 1);
      }
    }
    return gone;
  }

  /** Removes one message at once, as another session's expunge would; its sequence number. */
  synchronized int vanish(String folderName, Stored m) {
    int seq = in(folderName).indexOf(m) + 1;
    messages.remove(m);
    return seq;
  }

  /**
   * Moves (or copies) the messages to {@code target}, as MOVE and COPY do (RFC 6851): each gets the
   * target's next UID; on Gmail the message keeps its UID and gains the target's label (and, moved,
   * loses the source's).
   */
  synchronized List<ImapMove> transfer(
      String from, List<Stored> what, String target, boolean copy) {
    Folder to = folders.get(canonical(target));
    Folder source = folders.get(canonical(from));
    List<ImapMove> done = new ArrayList<>();
    for (Stored m : what) {
      long newUid;
      if (gmail) {
        newUid = m.uid;
        if (to.label != null) {
          m.labels.add(to.label);
        }
        if (!copy && source.label != null) {
          m.labels.remove(source.label);
        }
      } else {
        newUid = to.uidNext++;
        Stored c = new Stored(newUid, to.name, m.content, m.internalDate);
        c.flags.addAll(m.flags);
        c.flags.removeIf(x -> x.equalsIgnoreCase("\\Deleted") && !copy);
        messages.add(c);
        if (!copy) {
          messages.remove(m);
          expunged.computeIfAbsent(source.name, k -> new ArrayList<>()).add(m.uid);
        }
      }
      ImapMove mv = new ImapMove(source.name, m.uid, to.name, newUid);
      (copy ? copied : moved).add(mv);
      done.add(mv);
    }
    return done;
  }

  /**
   * A new UIDVALIDITY for the folder and new UIDs, from 1, for the messages it has, as a server
   * that rebuilt its index gives; the new UIDVALIDITY.
   */
  synchronized long renumber(String folderName) {
    Folder f = folders.get(canonical(folderName));
    f.uidValidity = Math.max(nextUidValidity++, f.uidValidity + 1);
    long uid = 1;
    for (Stored m : in(f.name)) {
      m.uid = uid++;
    }
    f.uidNext = uid;
    return f.uidValidity;
  }

  synchronized List<Long> expunged(String folderName) {
    return List.copyOf(expunged.getOrDefault(canonical(folderName), List.of()));
  }

  synchronized List<ImapMove> moved() {
    return List.copyOf(moved);
  }

  synchronized List<ImapMove> copied() {
    return List.copyOf(copied);
  }
}
