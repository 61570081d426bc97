package dev.mailfetch.imap.internal;

import dev.mailfetch.api.LabelDecision;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where one message goes on the server: the folders it is appended to and, on Gmail's IMAP, the
 * labels set on its one copy. Labels nest with {@code /} (as Gmail's do); each {@code /} becomes
 * the server's hierarchy delimiter. Names are the folders' real names: the client encodes them
 * (modified UTF-7, or UTF-8 where the server accepts it) on the wire.
 *
 * @param folders the folders to append a copy to, the first one first
 * @param gmailLabels the labels to set with {@code X-GM-LABELS} on the copy in the first folder
 *     (empty except on Gmail's IMAP)
 */
public record AppendFolders(List<String> folders, Set<String> gmailLabels) {
  /** Where archived mail without labels goes on a server without Gmail's extensions. */
  public static final String ARCHIVE = "Archive";

  /** The junk folder made where a server names none with the special use {@code \\Junk}. */
  public static final String JUNK = "Junk";

  /** Gmail's junk folder, where its LIST does not say (it always has so far). */
  public static final String GMAIL_SPAM = "[Gmail]/Spam";

  /** Keeps copies. */
  public AppendFolders {
    folders = List.copyOf(folders);
    gmailLabels = Set.copyOf(gmailLabels);
  }

  /**
   * The plan for a message.
   *
   * @param folder the configured folder (INBOX by default): what "not archived" puts it in
   * @param labels the message's labels
   * @param archived whether it stays out of {@code folder}
   * @param delimiter the server's hierarchy delimiter, or null on a flat server
   * @param gmailAllMail the folder that holds all mail on Gmail's IMAP ({@code \All}), or null
   *     where the server is not Gmail's
   */
  public static AppendFolders plan(
      String folder, Set<String> labels, boolean archived, String delimiter, String gmailAllMail) {
    Set<String> labelFolders = new LinkedHashSet<>();
    for (String l : new TreeSet<>(labels)) {
      String f = folderOf(l, delimiter);
      if (!f.equals(folder)) {
        labelFolders.add(f);
      }
    }
    if (gmailAllMail != null) {
      // One copy: in the folder (Gmail's INBOX label) or, archived, in All Mail; labels on it.
      Set<String> gm = new TreeSet<>();
      for (String l : labels) {
        if (!l.equals(folder)) {
          gm.add(l);
        }
      }
      return new AppendFolders(List.of(archived ? gmailAllMail : folder), gm);
    }
    List<String> out = new ArrayList<>();
    if (!archived) {
      out.add(folder);
    }
    out.addAll(labelFolders);
    if (out.isEmpty()) {
      out.add(ARCHIVE);
    }
    return new AppendFolders(out, Set.of());
  }

  /**
   * The plan for a message its source filed as junk ({@link LabelDecision#JUNK}): one copy, in the
   * server's junk folder and nowhere else, so the provider's verdict carries over and no spam lands
   * in a folder a person reads; on Gmail's IMAP its other labels are set on that copy, as Gmail
   * keeps labels on spam.
   *
   * @param junkFolder the folder with the special use {@code \\Junk} (or the one made for it)
   * @param folder the configured folder (no label of that name is set)
   * @param gmail whether the server is Gmail's IMAP
   */
  public static AppendFolders junk(
      String junkFolder, String folder, Set<String> labels, boolean gmail) {
    Set<String> gm = new TreeSet<>();
    if (gmail) {
      for (String l : labels) {
        if (!l.equals(folder) && !l.equals(LabelDecision.JUNK)) {
          gm.add(l);
        }
      }
    }
    return new AppendFolders(List.of(junkFolder), gm);
  }

  /**
   * {@code labels} without {@link LabelDecision#JUNK}: the labels a folder or Gmail label is for.
   */
  public static Set<String> withoutJunk(Set<String> labels) {
    if (!labels.contains(LabelDecision.JUNK)) {
      return labels;
    }
    Set<String> rest = new LinkedHashSet<>(labels);
    rest.remove(LabelDecision.JUNK);
    return rest;
  }

  /** The folder of a label: {@code /} made the server's delimiter. */
  public static String folderOf(String label, String delimiter) {
    return delimiter == null || delimiter.equals("/") ? label : label.replace("/", delimiter);
  }

  /** The label of a folder, the reverse of {@link #folderOf}. */
  public static String labelOf(String folder, String delimiter) {
    return delimiter == null || delimiter.equals("/") ? folder : folder.replace(delimiter, "/");
  }
}
