package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.imap.ImapFolders;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which folders a source fetches, in order, as the server's LIST shows them: the one place where
 * {@link ImapFolders} meets a real server. {@code LIST "" "*" RETURN (SPECIAL-USE)} where the
 * server offers SPECIAL-USE and LIST-EXTENDED (RFC 6154, RFC 5258), else {@code LIST "" "*"}; a
 * folder's special use from its attributes or, for a use no folder is marked with, from its usual
 * name ({@link FolderNames}). Folders that cannot be selected ({@code \Noselect}, {@code
 * \NonExistent}) are never planned. {@link ImapFolders#inbox()} costs no LIST.
 */
public final class FolderPlan {
  private FolderPlan() {}

  /** The most folder names an error quotes (the rest are counted). */
  private static final int NAMES_QUOTED = 30;

  /**
   * One folder of the server's LIST.
   *
   * @param name its name, decoded
   * @param wire its name as sent
   * @param delimiter its hierarchy delimiter, or null (flat)
   * @param attributes its attributes, lower case ({@code \noselect}, {@code \junk} ...)
   * @param use its special use, by attribute or else by name
   */
  public record Listed(
      String name,
      String wire,
      String delimiter,
      Set<String> attributes,
      Optional<FolderNames.Use> use) {
    public Listed {
      attributes = Set.copyOf(attributes);
    }

    /** Whether it can be selected (it holds messages). */
    public boolean selectable() {
      return !attributes.contains("\\noselect") && !attributes.contains("\\nonexistent");
    }

    boolean is(FolderNames.Use u) {
      return use.isPresent() && use.get() == u;
    }

    boolean inbox() {
      return name.equalsIgnoreCase("INBOX");
    }
  }

  /**
   * The folders to fetch from, in order, for {@code folders} on the logged-in {@code session}.
   *
   * @throws FetchException {@code CONFIGURATION} where a named folder does not exist or cannot hold
   *     mail, or Gmail's All Mail is asked of a server that is not Gmail's or hides it from IMAP;
   *     the LIST's own errors as {@link ImapFailures} says
   */
  public static List<PlannedFolder> of(ImapFolders folders, ImapSession session)
      throws FetchException {
    if (folders.choice() == ImapFolders.Choice.INBOX) {
      return List.of(PlannedFolder.inbox()); // INBOX exists on every server (RFC 9051 §5.1)
    }
    List<Listed> listed = list(session);
    boolean gmail = session.capabilities().has("X-GM-EXT-1");
    return switch (folders.choice()) {
      case NAMED -> named(folders, listed, gmail, session.server());
      case ALL_EXCEPT_TRASH_SENT_DRAFTS ->
          gmail ? gmail(folders, listed, session.server()) : allExcept(folders, listed);
      case GMAIL_ALL_MAIL -> {
        if (!gmail) {
          throw notGmail(session.server());
        }
        yield gmail(folders, listed, session.server());
      }
      case INBOX -> List.of(PlannedFolder.inbox());
    };
  }

  /** The server's folders, each with its special use (the doctor shows them too). */
  public static List<Listed> list(ImapSession session) throws FetchException {
    ImapCapabilities caps = session.capabilities();
    TaggedReply r = null;
    if (caps.has("SPECIAL-USE") && caps.has("LIST-EXTENDED")) {
      r =
          session.run(
              ImapCommand.of("LIST").string("").string("*").atom("RETURN (SPECIAL-USE)").build());
      if (!r.ok()) {
        r = null; // a server that offers more than it does: the plain LIST (its attributes) will do
      }
    }
    if (r == null) {
      r = session.commands().list("", "*");
    }
    List<Raw> raw = new ArrayList<>();
    Set<FolderNames.Use> marked = EnumSet.noneOf(FolderNames.Use.class);
    for (ImapLine l : r.untagged("LIST")) {
      List<Object> t = l.tokens();
      if (t.size() < 3 || !(t.get(0) instanceof List<?> attrs) || !(t.get(2) instanceof String w)) {
        continue; // not a LIST we can read: the folder is not planned, as if it were not there
      }
      Set<String> a =
          attrs.stream()
              .filter(String.class::isInstance)
              .map(o -> ((String) o).toLowerCase(Locale.ROOT))
              .collect(Collectors.toSet());
      Optional<FolderNames.Use> use = Optional.empty();
      for (String attribute : a) {
        use = use.or(() -> FolderNames.Use.ofAttribute(attribute));
      }
      use.ifPresent(marked::add);
      String delimiter = t.get(1) instanceof String d && !d.isEmpty() ? d : null;
      raw.add(new Raw(FolderNames.decode(w, session.utf8()), w, delimiter, a, use));
    }
    List<Listed> out = new ArrayList<>();
    for (Raw f : raw) {
      Optional<FolderNames.Use> use = f.use;
      if (use.isEmpty()) {
        // A use no folder carries is found by its usual name (the server marks none of that kind).
        use = FolderNames.byName(f.name, f.delimiter).filter(u -> !marked.contains(u));
      }
      out.add(new Listed(f.name, f.wire, f.delimiter, f.attributes, use));
    }
    return out;
  }

  private record Raw(
      String name,
      String wire,
      String delimiter,
      Set<String> attributes,
      Optional<FolderNames.Use> use) {}

  private static List<PlannedFolder> named(
      ImapFolders folders, List<Listed> listed, boolean gmail, String server)
      throws FetchException {
    List<PlannedFolder> out = new ArrayList<>();
    for (String n : folders.names()) {
      Listed f = find(n, listed);
      if (f == null && n.equals("INBOX")) {
        out.add(PlannedFolder.inbox()); // a server that leaves INBOX out of LIST still has it
        continue;
      }
      if (f == null) {
        throw missing(n, listed, server, "does not exist");
      }
      if (!f.selectable()) {
        throw missing(n, listed, server, "cannot hold mail (\\Noselect: only a level of folders)");
      }
      out.add(planned(folders, f, gmail && f.is(FolderNames.Use.ALL)));
    }
    return out;
  }

  /** The listed folder {@code n} names: its name, or with {@code /} for the delimiter. */
  private static Listed find(String n, List<Listed> listed) {
    for (Listed f : listed) {
      if (f.name.equals(n) || (n.equals("INBOX") && f.inbox())) {
        return f;
      }
    }
    for (Listed f : listed) {
      if (f.delimiter != null
          && !f.delimiter.equals("/")
          && n.contains("/")
          && f.name.equals(n.replace("/", f.delimiter))) {
        return f;
      }
    }
    return null;
  }

  private static List<PlannedFolder> allExcept(ImapFolders folders, List<Listed> listed) {
    List<PlannedFolder> out = new ArrayList<>();
    out.add(PlannedFolder.inbox());
    for (Listed f : listed) {
      if (f.inbox()
          || !f.selectable()
          || f.is(FolderNames.Use.TRASH)
          || f.is(FolderNames.Use.SENT)
          || f.is(FolderNames.Use.DRAFTS)
          // virtual folders that show other folders' messages again (Dovecot's virtual plugin)
          || f.is(FolderNames.Use.ALL)
          || f.attributes.contains("\\flagged")
          || f.attributes.contains("\\important")) {
        continue;
      }
      out.add(planned(folders, f, false));
    }
    return out;
  }

  /**
   * Gmail: All Mail once with each message's labels, then Spam (which All Mail does not hold), as
   * junk. Every other folder is a label, a view of All Mail: not fetched again.
   */
  private static List<PlannedFolder> gmail(ImapFolders folders, List<Listed> listed, String server)
      throws FetchException {
    Listed all = null;
    Listed spam = null;
    for (Listed f : listed) {
      if (f.selectable() && f.is(FolderNames.Use.ALL) && all == null) {
        all = f;
      } else if (f.selectable() && f.is(FolderNames.Use.JUNK) && spam == null) {
        spam = f;
      }
    }
    if (all == null) {
      throw allMailHidden(server);
    }
    List<PlannedFolder> out = new ArrayList<>();
    out.add(planned(folders, all, true));
    if (spam != null) { // hidden from IMAP in Gmail's settings: nothing of it to fetch
      out.add(planned(folders, spam, false));
    }
    return out;
  }

  private static PlannedFolder planned(ImapFolders folders, Listed f, boolean allMail) {
    boolean junk = f.is(FolderNames.Use.JUNK);
    LabelDecision labels;
    if (junk) {
      labels = new LabelDecision(Set.of(LabelDecision.JUNK), true);
    } else if (f.inbox() || allMail || !folders.asLabels()) {
      labels = LabelDecision.INBOX;
    } else {
      labels =
          new LabelDecision(
              Set.of(FolderLabels.ofFolder(folders.labelPrefix(), f.name, f.delimiter)), true);
    }
    return new PlannedFolder(
        f.inbox() ? "INBOX" : f.name,
        f.wire,
        labels,
        junk,
        allMail,
        allMail ? Optional.of(GmailLabels.of(folders)) : Optional.empty());
  }

  private static FetchException missing(
      String name, List<Listed> listed, String server, String what) {
    List<String> names =
        listed.stream()
            .filter(Listed::selectable)
            .map(f -> "\"" + FetchException.escape(f.name) + "\"")
            .toList();
    String quoted =
        String.join(", ", names.subList(0, Math.min(NAMES_QUOTED, names.size())))
            + (names.size() > NAMES_QUOTED
                ? " and " + (names.size() - NAMES_QUOTED) + " more"
                : "");
    return new FetchException(
        FetchError.CONFIGURATION,
        "the folder \""
            + FetchException.escape(name)
            + "\" "
            + what
            + " on "
            + server
            + "; the folders there are: "
            + (names.isEmpty() ? "(none listed)" : quoted),
        null,
        null,
        Remedy.of(
            "Name one of the folders above with --folder (as shown, or with / between levels);"
                + " nothing was fetched.",
            "Name one of the folders above in ImapFolders.named(...) (as shown, or with / between"
                + " levels); nothing was fetched."));
  }

  private static FetchException notGmail(String server) {
    return new FetchException(
        FetchError.CONFIGURATION,
        server
            + " is not Gmail's IMAP (it does not offer X-GM-EXT-1): it has no All Mail with"
            + " labels to fetch",
        null,
        null,
        Remedy.of(
            "Fetch its folders instead: --folder NAME, or all of them but Trash, Sent and Drafts.",
            "Use ImapFolders.allExceptTrashSentDrafts() or ImapFolders.named(...) for this"
                + " server."));
  }

  private static FetchException allMailHidden(String server) {
    return new FetchException(
        FetchError.CONFIGURATION,
        server
            + " lists no folder of all mail (\\All): Gmail's settings hide \"All Mail\" from IMAP",
        null,
        null,
        Remedy.of(
            "In Gmail, Settings → Labels: tick \"Show in IMAP\" for All Mail (and Spam), then run"
                + " again; or fetch named folders with --folder."));
  }
}
