package dev.mailfetch.testkit.gmail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One Gmail account's labels and messages. Guarded by its own monitor. */
final class Mailbox {
  /** Gmail's system labels, as {@code labels.list} shows them. */
  static final List<String> SYSTEM_LABELS =
      List.of(
          "CHAT",
          "SENT",
          "INBOX",
          "IMPORTANT",
          "TRASH",
          "DRAFT",
          "SPAM",
          "CATEGORY_FORUMS",
          "CATEGORY_UPDATES",
          "CATEGORY_PERSONAL",
          "CATEGORY_PROMOTIONS",
          "CATEGORY_SOCIAL",
          "STARRED",
          "UNREAD");

  final String address;
  private final Map<String, GmailLabel> labels = new LinkedHashMap<>();
  private final List<StoredMessage> messages = new ArrayList<>();
  private int nextUserLabel = 1;
  private int labelCreates;
  private long historyId = 1000;

  /** The mailbox's change log of added messages: history id → Gmail message id, in order. */
  private final List<long[]> added = new ArrayList<>();

  private final List<String> addedIds = new ArrayList<>();
  private final Map<String, Instant> addedAt = new HashMap<>();
  private long historyFloor;

  Mailbox(String address) {
    this.address = address;
    for (String id : SYSTEM_LABELS) {
      labels.put(id, new GmailLabel(id, id, true));
    }
  }

  synchronized List<GmailLabel> labels() {
    return List.copyOf(labels.values());
  }

  synchronized boolean hasLabel(String id) {
    return labels.containsKey(id);
  }

  synchronized Optional<GmailLabel> labelNamed(String name) {
    return labels.values().stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /**
   * Creates a user label, or returns null where the name exists or conflicts (case-insensitive).
   */
  synchronized GmailLabel createLabel(String name) {
    labelCreates++;
    String folded = name.toLowerCase(Locale.ROOT);
    for (GmailLabel l : labels.values()) {
      if (l.name().toLowerCase(Locale.ROOT).equals(folded)) {
        return null;
      }
    }
    GmailLabel label = new GmailLabel("Label_" + nextUserLabel++, name, false);
    labels.put(label.id(), label);
    historyId++;
    return label;
  }

  synchronized int labelCreates() {
    return labelCreates;
  }

  synchronized void add(StoredMessage message) {
    messages.add(message);
    historyId++;
    added.add(new long[] {historyId});
    addedIds.add(message.id());
    addedAt.put(message.id(), Instant.now());
  }

  /** When the message was stored. */
  synchronized Instant addedAt(String id) {
    return addedAt.get(id);
  }

  /**
   * The messageAdded records after {@code startHistoryId}, as (history id, Gmail message id), or
   * null where the start id is older than the history kept.
   */
  synchronized List<Map.Entry<Long, String>> addedSince(long startHistoryId) {
    if (startHistoryId < historyFloor) {
      return null;
    }
    List<Map.Entry<Long, String>> out = new ArrayList<>();
    for (int i = 0; i < added.size(); i++) {
      if (added.get(i)[0] > startHistoryId) {
        out.add(Map.entry(added.get(i)[0], addedIds.get(i)));
      }
    }
    return out;
  }

  /** Forgets the history up to now: a start id before the current one is answered 404. */
  synchronized void expireHistory() {
    historyFloor = historyId;
  }

  /**
   * Adds and removes labels of a message; the changed message, or null where there is no such
   * message.
   */
  synchronized StoredMessage modify(String id, List<String> add, List<String> remove) {
    for (int i = 0; i < messages.size(); i++) {
      StoredMessage m = messages.get(i);
      if (m.id().equals(id) && !m.deleted()) {
        List<String> labels = new ArrayList<>(m.labelIds());
        labels.removeAll(remove);
        for (String l : add) {
          if (!labels.contains(l)) {
            labels.add(l);
          }
        }
        StoredMessage changed = m.withLabels(labels);
        messages.set(i, changed);
        historyId++;
        return changed;
      }
    }
    return null;
  }

  synchronized StoredMessage message(String id) {
    return messages.stream()
        .filter(m -> m.id().equals(id) && !m.deleted())
        .findFirst()
        .orElse(null);
  }

  synchronized List<StoredMessage> messages() {
    return List.copyOf(messages);
  }

  /** The thread of the message with this Message-ID (angle brackets ignored), or null. */
  synchronized String threadOf(String messageId) {
    String bare = Headers.bare(messageId);
    for (StoredMessage m : messages) {
      if (m.messageId() != null && Headers.bare(m.messageId()).equals(bare)) {
        return m.threadId();
      }
    }
    return null;
  }

  synchronized long historyId() {
    return historyId;
  }

  synchronized int threads() {
    return (int)
        messages.stream().filter(m -> !m.deleted()).map(StoredMessage::threadId).distinct().count();
  }
}
