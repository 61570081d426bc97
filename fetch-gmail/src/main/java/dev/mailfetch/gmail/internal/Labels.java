package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.Remedy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gmail's labels by name: listed once (the first time one is needed), cached, and each missing one
 * created once however many imports need it at the same time; a {@code 409} (the name exists after
 * all) lists them again. Names compare without regard to case, as Gmail's do. A nested name {@code
 * A/B} is created after {@code A}, so Gmail shows it under its parent. Thread-safe.
 */
final class Labels {
  static final String INBOX = "INBOX";
  static final String UNREAD = "UNREAD";

  /** Gmail's Spam, where a message its source filed as junk ({@link LabelDecision#JUNK}) goes. */
  static final String SPAM = "SPAM";

  /**
   * Gmail's system labels (the reference's list, and CHAT) a user label may not be named like: an
   * envelope label of that name would file the message into Trash or Spam, or be refused for every
   * message (SENT, DRAFT and CHAT cannot be applied). INBOX, UNREAD, STARRED, IMPORTANT and the
   * CATEGORY_ labels are allowed and mean Gmail's own.
   */
  static final Set<String> REFUSED_SYSTEM_NAMES = Set.of("TRASH", "SPAM", "SENT", "DRAFT", "CHAT");

  private final GmailApi api;
  private final Map<String, String> idByName = new ConcurrentHashMap<>();
  private final Map<String, Object> creationLocks = new ConcurrentHashMap<>();
  private volatile boolean listed;

  Labels(GmailApi api) {
    this.api = api;
  }

  private static String norm(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /**
   * The label ids an import carries: {@code UNREAD}, {@code INBOX} unless archived, and each
   * label's (created where missing). A message its source filed as junk ({@link
   * LabelDecision#JUNK}) carries Gmail's {@code SPAM} instead of {@code INBOX}, never a user label
   * of that name: the provider's verdict carries over.
   */
  List<String> idsFor(Set<String> names, boolean archived) throws IOException {
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    boolean junk = names.contains(LabelDecision.JUNK);
    if (junk) {
      ids.add(SPAM);
    } else if (!archived) {
      ids.add(INBOX);
    }
    ids.add(UNREAD);
    for (String name : userLabels(names)) {
      ids.add(idOf(name));
    }
    return new ArrayList<>(ids);
  }

  /** The names that are user labels, sorted: all but {@link LabelDecision#JUNK}. */
  static Set<String> userLabels(Set<String> names) {
    Set<String> user = new TreeSet<>(names);
    user.remove(LabelDecision.JUNK);
    return user;
  }

  /**
   * Refuses, before anything is sent, a label named like a system label that must not be applied.
   */
  static void refuseSystemLabels(Set<String> names) throws FetchException {
    for (String n : names) {
      String t = n.trim();
      if (REFUSED_SYSTEM_NAMES.contains(t.toUpperCase(Locale.ROOT))) {
        throw new FetchException(
            FetchError.CONFIGURATION,
            "the label \""
                + t
                + "\" is named like Gmail's system label "
                + t.toUpperCase(Locale.ROOT)
                + ": mailfetch will not file mail into Trash or Spam, and Gmail applies SENT,"
                + " DRAFT and CHAT only itself; nothing was sent",
            null,
            null,
            Remedy.of(
                "Choose another label name (--label, --label-rule): "
                    + String.join(", ", new TreeSet<>(REFUSED_SYSTEM_NAMES))
                    + " are Gmail's system labels, in any case; Starred, Important and Inbox"
                    + " mean Gmail's own.",
                "Choose another label name in the LabelPolicy: "
                    + String.join(", ", new TreeSet<>(REFUSED_SYSTEM_NAMES))
                    + " are Gmail's system labels, in any case; Starred, Important and Inbox"
                    + " mean Gmail's own."));
      }
    }
  }

  /** The id of the label named {@code name}, created (with its parents) if missing. */
  String idOf(String label) throws IOException {
    String name = label.trim();
    if (name.isEmpty()) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          "an empty label name cannot be a Gmail label",
          null,
          null,
          Remedy.of(
              "Give the label a name (--label, --label-rule).",
              "Give the label a name (the LabelPolicy)."));
    }
    listOnce();
    String id = idByName.get(norm(name));
    if (id != null) {
      return id;
    }
    int slash = name.lastIndexOf('/');
    if (slash > 0 && slash < name.length() - 1) {
      idOf(name.substring(0, slash)); // the parent first, so Gmail nests the child under it
    }
    synchronized (creationLocks.computeIfAbsent(norm(name), k -> new Object())) {
      id = idByName.get(norm(name));
      if (id != null) {
        return id;
      }
      try {
        id = api.createLabel(name);
        remember(id, name);
        return id;
      } catch (GmailApi.Refusal r) {
        if (r.status == 409) {
          relist();
          id = idByName.get(norm(name));
          if (id != null) {
            return id;
          }
        }
        throw new FetchException(
            FetchError.CONFIGURATION,
            "Gmail refused to create the label \""
                + name
                + "\": "
                + GmailError.words(r.status, r.reason, r.gmailMessage),
            null,
            null,
            Remedy.of(
                "Choose another label name (--label, --label-rule): Gmail reserves some names (INBOX, SPAM and its"
                    + " other system labels) and refuses others as its reason says.",
                "Choose another label name in the LabelPolicy: Gmail reserves some names (INBOX, SPAM and its other"
                    + " system labels) and refuses others as its reason says."));
      }
    }
  }

  private void listOnce() throws IOException {
    if (!listed) {
      synchronized (this) {
        if (!listed) {
          relist();
          listed = true;
        }
      }
    }
  }

  private synchronized void relist() throws IOException {
    for (Map<String, Object> l : api.labels()) {
      Optional<String> id = Json.string(l, "id");
      Optional<String> name = Json.string(l, "name");
      if (id.isPresent() && name.isPresent()) {
        remember(id.get(), name.get());
      }
    }
  }

  private void remember(String id, String name) {
    idByName.put(norm(name), id);
  }
}
