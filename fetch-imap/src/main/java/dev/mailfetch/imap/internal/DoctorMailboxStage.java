package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.imap.ImapDiagnosis.Stage;
import dev.mailfetch.imap.ImapSymptom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The IMAP doctor's stages inside the session: the login a fetch makes; the folders (LIST, with
 * SPECIAL-USE where offered, then STATUS of each folder a fetch would read: that it exists, its
 * counts, UIDVALIDITY and UIDNEXT); and the extensions mailfetch uses, each offered or not, with
 * what that means for the user. Read-only: STATUS never selects a folder, nothing is flagged.
 */
final class DoctorMailboxStage {
  /** The most folders a report names when it says which exist. */
  private static final int FOLDERS_NAMED = 20;

  /** The most folders counted with STATUS (all folders of a large account: the first ones). */
  private static final int FOLDERS_COUNTED = 50;

  /** SPECIAL-USE attributes, and the usual names of servers without them (lower case). */
  private static final Map<String, List<String>> SPECIAL =
      Map.of(
          "\\Trash", List.of("trash", "deleted items", "deleted messages", "bin"),
          "\\Sent", List.of("sent", "sent items", "sent messages", "sent mail"),
          "\\Drafts", List.of("drafts"),
          "\\Junk", List.of("junk", "spam", "junk e-mail", "bulk mail"),
          "\\All", List.of());

  private static final List<String> EXTENSIONS =
      List.of("UIDPLUS", "MOVE", "IDLE", "CONDSTORE", "SPECIAL-USE");

  private final DoctorExamination exam;
  private final ImapSession session;

  DoctorMailboxStage(DoctorExamination exam, ImapSession session) {
    this.exam = exam;
    this.session = session;
  }

  void run() {
    boolean loggedIn = login();
    if (exam.blocked()) {
      return;
    }
    if (loggedIn) {
      folders();
    }
    if (!exam.blocked()) {
      compliance(loggedIn);
    }
  }

  private boolean login() {
    DoctorDraft d = exam.begin(Stage.AUTHENTICATION);
    DoctorPlan plan = exam.plan();
    if (!plan.canLogIn()) {
      d.add(
          ImapSymptom.LOGIN_NOT_TRIED,
          plan.login() ? "no password or token was given" : "the login was not asked for");
      d.summary("not tried");
      d.end();
      return false;
    }
    try {
      LoginMethod m = session.login();
      String words = "as " + plan.user() + " with " + m;
      d.add(ImapSymptom.LOGGED_IN, words);
      d.summary("logged in " + words);
      return true;
    } catch (FetchException e) {
      String seen =
          e.detail() + e.serverReply().map(r -> " (the server said: " + r + ")").orElse("");
      if (e.error() == FetchError.AUTH_FAILED) {
        d.add(ImapSymptom.LOGIN_REFUSED, seen);
      } else {
        d.add(ImapSymptom.LOGIN_FAILED, seen, e.error());
      }
      d.summary("refused");
      exam.block();
      return false;
    } finally {
      d.end();
    }
  }

  /** A listed folder: its decoded name and its attributes. */
  private record Listed(String name, List<String> attributes) {}

  private void folders() {
    DoctorDraft d = exam.begin(Stage.FOLDERS);
    try {
      Map<String, Listed> listed = list();
      List<String> planned = planned(listed);
      special(d, listed);
      List<String> counted = new ArrayList<>();
      for (String folder : planned) {
        count(d, folder, listed).ifPresent(counted::add);
      }
      d.summary(
          listed.size()
              + " folders listed"
              + (counted.isEmpty() ? "" : "; " + String.join("; ", counted)));
    } catch (FetchException e) {
      d.add(ImapSymptom.FOLDER_REFUSED, e.detail(), e.error());
      d.summary("the folders could not be listed");
      exam.block();
    } finally {
      d.end();
    }
  }

  private Map<String, Listed> list() throws FetchException {
    ImapCommand.Builder b = ImapCommand.of("LIST").string("").string("*");
    if (session.capabilities().has("SPECIAL-USE")) {
      b.atom("RETURN (SPECIAL-USE)");
    }
    TaggedReply r = session.expectOk(b.build());
    Map<String, Listed> out = new LinkedHashMap<>();
    for (ImapLine l : r.untagged("LIST")) {
      List<Object> t = l.tokens();
      if (t.size() >= 3 && t.get(0) instanceof List<?> attrs && t.get(2) instanceof String wire) {
        String name = session.utf8() ? wire : ModifiedUtf7.decode(wire);
        List<String> a = new ArrayList<>();
        for (Object o : attrs) {
          a.add(String.valueOf(o));
        }
        out.put(name.equalsIgnoreCase("INBOX") ? "INBOX" : name, new Listed(name, a));
      }
    }
    return out;
  }

  /** The folders a fetch would read: the ones named, or every one but Trash, Sent and Drafts. */
  private List<String> planned(Map<String, Listed> listed) {
    if (!exam.plan().allFolders()) {
      return exam.plan().folders();
    }
    List<String> out = new ArrayList<>();
    for (Listed f : listed.values()) {
      boolean noSelect =
          f.attributes().stream()
              .anyMatch(
                  a -> a.equalsIgnoreCase("\\Noselect") || a.equalsIgnoreCase("\\NonExistent"));
      String use = use(f);
      boolean skipped = "\\Trash".equals(use) || "\\Sent".equals(use) || "\\Drafts".equals(use);
      if (!noSelect && !skipped && out.size() < FOLDERS_COUNTED) {
        out.add(f.name());
      }
    }
    return out;
  }

  /** The folder's special use: its SPECIAL-USE attribute, else the one its usual name says. */
  private static String use(Listed f) {
    for (String a : f.attributes()) {
      for (String use : SPECIAL.keySet()) {
        if (a.equalsIgnoreCase(use)) {
          return use;
        }
      }
    }
    String last = f.name().toLowerCase(Locale.ROOT);
    int slash = Math.max(last.lastIndexOf('/'), last.lastIndexOf('.'));
    String leaf = last.substring(slash + 1);
    for (Map.Entry<String, List<String>> e : SPECIAL.entrySet()) {
      if (e.getValue().contains(leaf)) {
        return e.getKey();
      }
    }
    return null;
  }

  private void special(DoctorDraft d, Map<String, Listed> listed) {
    List<String> found = new ArrayList<>();
    for (Listed f : listed.values()) {
      String use = use(f);
      if (use != null) {
        boolean marked = f.attributes().stream().anyMatch(a -> a.equalsIgnoreCase(use));
        found.add(use.substring(1) + ": " + f.name() + (marked ? "" : " (by its name)"));
      }
    }
    if (!found.isEmpty()) {
      d.add(ImapSymptom.SPECIAL_FOLDERS, String.join("; ", found));
    }
  }

  /** STATUS of a folder to read; its counts in words, or empty where it is missing or refused. */
  private Optional<String> count(DoctorDraft d, String folder, Map<String, Listed> listed)
      throws FetchException {
    TaggedReply r =
        session.run(
            session
                .commands()
                .mailbox(ImapCommand.of("STATUS"), folder)
                .atom("(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)")
                .build());
    if (!r.ok()) {
      if (!listed.containsKey(folder.equalsIgnoreCase("INBOX") ? "INBOX" : folder)) {
        List<String> names = new ArrayList<>(listed.keySet());
        String shown =
            names.size() <= FOLDERS_NAMED
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, FOLDERS_NAMED))
                    + " and "
                    + (names.size() - FOLDERS_NAMED)
                    + " more";
        d.add(
            ImapSymptom.FOLDER_MISSING,
            "\""
                + FetchException.escape(folder)
                + "\" is not among the folders the server lists: "
                + shown);
      } else {
        FetchException e = ImapFailures.refused(r, session.server(), ImapFailures.Role.SOURCE);
        d.add(ImapSymptom.FOLDER_REFUSED, e.detail() + " for " + folder, e.error());
      }
      exam.block();
      return Optional.empty();
    }
    Map<String, String> items = new LinkedHashMap<>();
    for (ImapLine l : r.untagged("STATUS")) {
      List<Object> t = l.tokens();
      if (t.size() >= 2 && t.get(t.size() - 1) instanceof List<?> pairs) {
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
          items.put(
              String.valueOf(pairs.get(i)).toUpperCase(Locale.ROOT),
              String.valueOf(pairs.get(i + 1)));
        }
      }
    }
    String words =
        folder
            + ": "
            + items.getOrDefault("MESSAGES", "?")
            + " messages, "
            + items.getOrDefault("UNSEEN", "?")
            + " unseen, UIDVALIDITY "
            + items.getOrDefault("UIDVALIDITY", "?")
            + ", UIDNEXT "
            + items.getOrDefault("UIDNEXT", "?");
    d.add(ImapSymptom.FOLDER_COUNTED, words);
    if (!items.containsKey("UIDNEXT")) {
      d.add(ImapSymptom.NO_UIDNEXT, "STATUS of " + folder + " gave " + items.keySet());
    }
    return Optional.of(words);
  }

  private void compliance(boolean loggedIn) {
    DoctorDraft d = exam.begin(Stage.COMPLIANCE);
    ImapCapabilities caps = session.capabilities();
    List<String> offered = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String x : EXTENSIONS) {
      boolean has = caps.has(x) || (x.equals("CONDSTORE") && caps.has("QRESYNC"));
      (has ? offered : missing).add(x);
    }
    String when = loggedIn ? "" : " (as announced before the login; servers may offer more after)";
    String words =
        (offered.isEmpty() ? "none offered" : "offered: " + String.join(", ", offered))
            + (missing.isEmpty() ? "" : "; not offered: " + String.join(", ", missing))
            + when;
    d.summary(words);
    d.add(ImapSymptom.EXTENSIONS_OFFERED, words);
    for (String x : missing) {
      String seen = x + " is not among the capabilities" + when;
      switch (x) {
        case "UIDPLUS" -> d.add(ImapSymptom.NO_UIDPLUS, seen);
        case "MOVE" -> d.add(ImapSymptom.NO_MOVE, seen);
        case "IDLE" -> d.add(ImapSymptom.NO_IDLE, seen);
        case "CONDSTORE" -> d.add(ImapSymptom.NO_CONDSTORE, "neither CONDSTORE nor QRESYNC" + when);
        default -> d.add(ImapSymptom.NO_SPECIAL_USE, seen);
      }
    }
    d.end();
  }
}
