package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MessageRef;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.imap.ImapDeletion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The deletions of one source session, two-phase as the engine needs them: {@link #note} only
 * records the UIDs the engine asked to delete, per folder and {@code UIDVALIDITY}, and {@link
 * #commit} (at quit) does what the {@link ImapDeletion} says with exactly those UIDs: {@code UID
 * STORE +FLAGS.SILENT (\Deleted)} and {@code UID EXPUNGE} (UIDPLUS), {@code UID MOVE} (RFC 6851) or
 * {@code UID COPY} + {@code \Deleted} + {@code UID EXPUNGE}, or {@code \Seen} alone. Never a plain
 * {@code EXPUNGE} or {@code CLOSE}, which would also remove the messages another client marked
 * {@code \Deleted}; never under another {@code UIDVALIDITY} than the one listed.
 */
final class SourceDeletions {
  /** The longest UID set in one command, in characters (servers take 8,000-octet lines). */
  static final int MAX_SET_CHARS = 4000;

  private record Noted(long validity, TreeSet<Long> uids) {}

  private final ImapSession session;
  private final FolderSelection selection;
  private final ImapDeletion deletion;
  private final List<FetchException> warnings;
  private final Consumer<TaggedReply> refusals;
  private final Map<String, Noted> noted = new LinkedHashMap<>();
  private Optional<String> trash;

  SourceDeletions(
      ImapSession session,
      FolderSelection selection,
      ImapDeletion deletion,
      List<FetchException> warnings,
      Consumer<TaggedReply> refusals) {
    this.session = session;
    this.selection = selection;
    this.deletion = deletion;
    this.warnings = warnings;
    this.refusals = refusals;
  }

  /**
   * Records {@code refs} for {@link #commit}, those of {@code listed} folders under the {@code
   * UIDVALIDITY} listed; none where this server cannot do the deletion asked for (said in a
   * warning).
   *
   * @param listed each listed folder's name and UIDVALIDITY
   * @return the messages recorded
   */
  Set<MessageRef> note(List<MessageRef> refs, Map<String, Long> listed) throws FetchException {
    if (refs.isEmpty() || !possible()) {
      return Set.of();
    }
    Set<MessageRef> accepted = new LinkedHashSet<>();
    for (MessageRef ref : refs) {
      Optional<MessageUrl> url = MessageUrl.parse(ref.uid());
      Long validity = url.isPresent() ? listed.get(url.get().folder()) : null;
      if (validity != null && validity == url.get().uidValidity()) {
        noted
            .computeIfAbsent(
                url.get().folder(), f -> new Noted(url.get().uidValidity(), new TreeSet<>()))
            .uids()
            .add(url.get().uid());
        accepted.add(ref);
      }
    }
    return accepted;
  }

  /** Whether the server can do the deletion asked for; if not, a warning says why. */
  private boolean possible() throws FetchException {
    boolean uidplus = session.capabilities().has("UIDPLUS");
    boolean move = session.capabilities().has("MOVE");
    String missing =
        switch (deletion.kind()) {
          case MARK_SEEN -> null;
          case EXPUNGE ->
              uidplus || (move && trash().isPresent())
                  ? null
                  : "UIDPLUS (for UID EXPUNGE), nor MOVE with a \\Trash folder";
          case TRASH ->
              trash().isEmpty()
                  ? "a folder marked \\Trash (SPECIAL-USE)"
                  : move || uidplus ? null : "MOVE, nor UIDPLUS (for UID EXPUNGE after a COPY)";
          case MOVE -> move || uidplus ? null : "MOVE, nor UIDPLUS (for UID EXPUNGE after a COPY)";
        };
    if (missing == null) {
      return true;
    }
    warnings.add(
        new FetchException(
            FetchError.POLICY,
            session.server()
                + " does not offer "
                + missing
                + ", so deleting with "
                + deletion
                + " cannot touch only the fetched messages (a plain EXPUNGE would also remove what"
                + " other programs marked deleted): nothing was deleted, the messages stay there",
            null,
            null,
            Remedy.of(
                "Choose another way to delete on this server (--on-server seen, or"
                    + " --on-server move=FOLDER), or keep mail on the server (--on-server keep).",
                "Use the IMAP source's builder .deletion(ImapDeletion.MARK_SEEN) or"
                    + " ImapDeletion.moveTo(folder), or keep mail on the server.")));
    return false;
  }

  /** The folder the server marks {@code \Trash} (SPECIAL-USE, RFC 6154), asked once. */
  private Optional<String> trash() throws FetchException {
    if (trash == null) {
      trash = Optional.empty();
      for (FolderPlan.Listed f : FolderPlan.list(session)) {
        if (f.selectable() && f.use().orElse(null) == FolderNames.Use.TRASH) {
          trash = Optional.of(f.name());
          break;
        }
      }
    }
    return trash;
  }

  /**
   * Does the deletion for every UID noted; returns whether the server confirmed all of it. A
   * refusal is said in a warning and the other folders go on; a broken connection ends it.
   */
  boolean commit() {
    boolean all = true;
    for (Map.Entry<String, Noted> e : noted.entrySet()) {
      String folder = e.getKey();
      try {
        long validity = selection.ensure(folder, true);
        if (validity != e.getValue().validity()) {
          warnings.add(renumbered(folder, e.getValue(), validity));
          all = false;
          continue;
        }
        for (String set : sets(e.getValue().uids())) {
          if (!apply(set)) {
            all = false;
            break;
          }
        }
      } catch (FetchException failed) {
        warnings.add(failed.inContext("deleting the fetched messages of folder " + folder));
        all = false;
        if (ImapFailures.connectionLost(failed)) {
          break;
        }
      }
    }
    noted.clear();
    return all;
  }

  private boolean apply(String set) throws FetchException {
    boolean uidplus = session.capabilities().has("UIDPLUS");
    boolean move = session.capabilities().has("MOVE");
    return switch (deletion.kind()) {
      case MARK_SEEN -> ok(store(set, "\\Seen"));
      case EXPUNGE ->
          uidplus
              ? ok(store(set, "\\Deleted")) && ok(session.commands().uidExpunge(set))
              : ok(session.commands().uidMove(set, trash().orElseThrow()));
      case TRASH -> moveTo(set, trash().orElseThrow(), move);
      case MOVE -> moveTo(set, deletion.folder().orElseThrow(), move);
    };
  }

  private boolean moveTo(String set, String target, boolean move) throws FetchException {
    if (move) {
      return ok(session.commands().uidMove(set, target));
    }
    return ok(session.commands().uidCopy(set, target))
        && ok(store(set, "\\Deleted"))
        && ok(session.commands().uidExpunge(set));
  }

  private TaggedReply store(String set, String flag) throws FetchException {
    return session.run(
        ImapCommand.of("UID STORE").atom(set).atom("+FLAGS.SILENT").atom("(" + flag + ")").build());
  }

  private boolean ok(TaggedReply r) {
    if (r.ok()) {
      return true;
    }
    refusals.accept(r);
    warnings.add(
        session.withAlerts(ImapFailures.refused(r, session.server(), ImapFailures.Role.SOURCE)));
    return false;
  }

  private FetchException renumbered(String folder, Noted n, long now) {
    return new FetchException(
        FetchError.DELETION_UNCONFIRMED,
        session.server()
            + " renumbered folder "
            + FetchException.escape(folder)
            + " (UIDVALIDITY "
            + n.validity()
            + " when listed, "
            + now
            + " now), so the UIDs of its "
            + n.uids().size()
            + " fetched message(s) may name other messages: none of them was deleted");
  }

  /** {@code uids} as UID sets ({@code 1:5,7}), each at most {@link #MAX_SET_CHARS} long. */
  static List<String> sets(SortedSet<Long> uids) {
    List<String> out = new ArrayList<>();
    StringBuilder set = new StringBuilder();
    Long first = null;
    Long last = null;
    for (long uid : uids) {
      if (last != null && uid == last + 1) {
        last = uid;
        continue;
      }
      if (first != null) {
        append(out, set, first, last);
      }
      first = uid;
      last = uid;
    }
    if (first != null) {
      append(out, set, first, last);
    }
    if (set.length() > 0) {
      out.add(set.toString());
    }
    return out;
  }

  private static void append(List<String> out, StringBuilder set, long first, long last) {
    String range = first == last ? Long.toString(first) : first + ":" + last;
    if (set.length() > 0 && set.length() + 1 + range.length() > MAX_SET_CHARS) {
      out.add(set.toString());
      set.setLength(0);
    }
    if (set.length() > 0) {
      set.append(',');
    }
    set.append(range);
  }
}
