package dev.mailfetch.imap.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.internal.spool.MessageSpool;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One message completed and not yet taken by the server: its spool (and the key's header line put
 * before it), where it goes, its date, and the folders that took it already (so a retry never
 * appends a copy twice into one folder).
 */
final class AppendPending {
  private final DeliveryKey key;
  private final MessageSpool spool;
  private final byte[] prefix;
  private AppendFolders where;
  private final ZonedDateTime date;
  private final String messageId;
  private final int eightBitHeaderBytes;
  private final Map<String, AppendJournal.Placed> done = new LinkedHashMap<>();
  private boolean labelled;

  AppendPending(
      DeliveryKey key,
      MessageSpool spool,
      byte[] prefix,
      AppendFolders where,
      ZonedDateTime date,
      String messageId,
      int eightBitHeaderBytes) {
    this.key = key;
    this.spool = spool;
    this.prefix = prefix.clone();
    this.where = where;
    this.date = date;
    this.messageId = messageId;
    this.eightBitHeaderBytes = eightBitHeaderBytes;
  }

  DeliveryKey key() {
    return key;
  }

  MessageSpool spool() {
    return spool;
  }

  /** The bytes of its APPEND literal: the prefix, then the message with each LF as CRLF. */
  long literalSize() {
    return prefix.length + spool.crlfSize();
  }

  /** The header line put before the message (its key), or no bytes. */
  byte[] prefix() {
    return prefix.clone();
  }

  AppendFolders where() {
    return where;
  }

  ZonedDateTime date() {
    return date;
  }

  String messageId() {
    return messageId;
  }

  /**
   * The bytes with the high bit set in its header section; 0 also where the header is longer than
   * the spool keeps ({@code MessageSpool.HEADER_CAP}), so that it is not read back (StoredHeaders).
   */
  int eightBitHeaderBytes() {
    return eightBitHeaderBytes;
  }

  /** The folders still to append to. */
  List<String> missing() {
    List<String> out = new ArrayList<>();
    for (String f : where.folders()) {
      if (!done.containsKey(f)) {
        out.add(f);
      }
    }
    return out;
  }

  void took(String folder, AppendJournal.Placed placed) {
    done.put(folder, placed);
  }

  /** Where the first folder put it, once every folder took it (and Gmail's labels are set). */
  AppendJournal.Placed placed() {
    return done.get(where.folders().get(0));
  }

  boolean complete() {
    return missing().isEmpty() && (where.gmailLabels().isEmpty() || labelled);
  }

  void labelled() {
    labelled = true;
  }

  /** Files it also under the folders and labels of {@code more}. */
  AppendPending withMoreLabels(AppendFolders more) {
    Set<String> folders = new LinkedHashSet<>(where.folders());
    if (more.gmailLabels().isEmpty()) {
      for (String f : more.folders()) {
        if (!f.equals(AppendFolders.ARCHIVE)) { // "no labels", not a label
          folders.add(f);
        }
      }
    }
    Set<String> labels = new LinkedHashSet<>(where.gmailLabels());
    labels.addAll(more.gmailLabels());
    where = new AppendFolders(List.copyOf(folders), labels);
    labelled = false;
    return this;
  }
}
