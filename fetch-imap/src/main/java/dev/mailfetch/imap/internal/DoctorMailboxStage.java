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
  /** The most folders counted with STATUS (all folders of a large account: the first ones). */
  private static final int FOLDERS_COUNTED = 50;

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

  private void folders() {
    DoctorDraft d = exam.begin(Stage.FOLDERS);
    try {
      List<FolderPlan.Listed> listed = FolderPlan.list(session);
      special(d, listed);
      List<PlannedFolder> planned;
      try {
        planned = FolderPlan.of(exam.plan().folders(), session);
      } catch (FetchException e) {
        if (e.error() != FetchError.CONFIGURATION) {
          throw e;
        }
        d.add(ImapSymptom.FOLDER_MISSING, e.detail());
        d.summary(listed.size() + " folders listed; a folder to read is missing");
        exam.block();
        return;
      }
      List<String> counted = new ArrayList<>();
      for (PlannedFolder folder : planned.subList(0, Math.min(planned.size(), FOLDERS_COUNTED))) {
        count(d, folder.name()).ifPresent(counted::add);
      }
      d.summary(
          listed.size()
              + " folders listed"
              + (counted.isEmpty() ? "" : "; " + String.join("; ", counted))
              + (planned.size() > FOLDERS_COUNTED
                  ? "; " + (planned.size() - FOLDERS_COUNTED) + " more not counted"
                  : ""));
    } catch (FetchException e) {
      d.add(ImapSymptom.FOLDER_REFUSED, e.detail(), e.error());
      d.summary("the folders could not be listed");
      exam.block();
    } finally {
      d.end();
    }
  }

  private static void special(DoctorDraft d, List<FolderPlan.Listed> listed) {
    List<String> found = new ArrayList<>();
    for (FolderPlan.Listed f : listed) {
      f.use()
          .ifPresent(
              use -> {
                String attribute = "\\" + use.name().toLowerCase(Locale.ROOT);
                boolean marked = f.attributes().contains(attribute);
                found.add(
                    use.name().charAt(0)
                        + use.name().substring(1).toLowerCase(Locale.ROOT)
                        + ": "
                        + f.name()
                        + (marked ? "" : " (by its name)"));
              });
    }
    if (!found.isEmpty()) {
      d.add(ImapSymptom.SPECIAL_FOLDERS, String.join("; ", found));
    }
  }

  /** STATUS of a folder to read; its counts in words, or empty where it is missing or refused. */
  private Optional<String> count(DoctorDraft d, String folder) throws FetchException {
    TaggedReply r =
        session.run(
            session
                .commands()
                .mailbox(ImapCommand.of("STATUS"), folder)
                .atom("(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)")
                .build());
    if (!r.ok()) {
      FetchException e = ImapFailures.refused(r, session.server(), ImapFailures.Role.SOURCE);
      d.add(ImapSymptom.FOLDER_REFUSED, e.detail() + " for " + folder, e.error());
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
