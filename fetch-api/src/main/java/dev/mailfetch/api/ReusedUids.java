package dev.mailfetch.api;

import dev.mailfetch.api.internal.Listing;
import dev.mailfetch.api.internal.Sizes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quirk Q51: a server that gives a new message a unique id an earlier message had. RFC 1939 §7
 * forbids it, but servers that derive ids from message numbers do it whenever a message is deleted
 * elsewhere and new mail arrives. Trusting the id, a fetcher takes the new message for the old one:
 * it skips it as already fetched and, in a delete mode, deletes it unread.
 *
 * <p>It is noticed from what a run has anyway. The state keeps the size the listing gave each
 * message; a known id listed with another size, listed again after the server confirmed its
 * deletion, or about to be deleted by the retention (where a fingerprint can clear it), is a
 * suspect. Its header section is then read alone (POP3 {@code TOP n 0}) and its {@link
 * ContentDigest#ofHeaders fingerprint} compared with the one the state kept when the message was
 * delivered:
 *
 * <ul>
 *   <li>the same: the recorded message, whose size changed (or whose deletion the server did not
 *       carry out): settled by its record, which learns the new size;
 *   <li>the fingerprint of a message recorded under another id (of the size now listed): the ids
 *       moved, as when a server numbers its messages anew; settled by that record, moved here, and
 *       the message whose id that was becomes a suspect in its turn;
 *   <li>neither: new mail, fetched under a delivery key of its own (the sink holds the old message
 *       under the id's usual key, and would take the new one for it).
 * </ul>
 *
 * <p>Without a fingerprint to compare (a store that keeps none, a message never delivered, a server
 * that cannot send headers alone), a suspect whose size changed is fetched as new mail, at the risk
 * of a second copy, and one listed again at its old size is neither fetched nor deleted: either way
 * the run says so in a warning. A new message of exactly the size of the one whose id it took is
 * not noticed (docs/engine.md).
 */
final class ReusedUids {
  // Named after the public class: users configure logging by the names they know.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  /** Messages named in a warning; the rest are counted. */
  private static final int NAMED = 3;

  /** Why the state's record of a listed unique id may describe another message. */
  enum Why {
    /** The listing gives it another size than the one recorded. */
    SIZE_CHANGED,
    /** The server confirmed its deletion in an earlier run, yet lists it again. */
    LISTED_AGAIN,
    /**
     * Its record was taken by another unique id, whose message turned out to be the recorded one.
     */
    CLAIMED,
    /**
     * The retention is about to delete it from the server, unread in this run: checked first where
     * a fingerprint allows, since a new message of exactly the old one's size would be lost.
     */
    DUE
  }

  /** What became of a suspect. */
  enum Verdict {
    /** The recorded message: settled by its record. */
    SAME,
    /** A message recorded under another unique id: settled by that record, moved here. */
    MOVED,
    /** Another message: fetched as new, under {@link Suspect#key}. */
    NEW,
    /** Could not be checked: neither fetched nor deleted in this run. */
    KEEP
  }

  /** A listed message whose record may describe another one. */
  static final class Suspect {
    final int at;
    final MessageRef ref;
    final UidRecord record;
    final Why why;
    Verdict verdict;

    /** For SAME and MOVED: the record to settle it by (put in the store already). */
    UidRecord settled;

    /** For NEW: the delivery key. */
    DeliveryKey key;

    /** Whether its header section was compared with a fingerprint the state kept for its id. */
    boolean compared;

    private byte[] fingerprint;

    Suspect(int at, MessageRef ref, UidRecord record, Why why) {
      this.at = at;
      this.ref = ref;
      this.record = record;
      this.why = why;
    }
  }

  /** Reads header sections for the check. */
  interface HeaderReader {
    /**
     * The header sections of these messages (one the server would not show is missing), or null if
     * the source cannot read header sections alone.
     */
    Map<MessageRef, HeaderBlock> read(List<MessageRef> refs) throws FetchException;
  }

  private final RunConfig config;
  private final Listing listing;
  private String cannotCompare;

  ReusedUids(RunConfig config, Listing listing) {
    this.config = config;
    this.listing = listing;
    this.cannotCompare =
        config.uidStore().keepsFingerprints()
            ? null
            : "the state keeps no header fingerprints to compare them with";
  }

  /**
   * Why a listed message's record may describe another message, or null if it does not: a failed
   * message is tried again anyway under its own id, and a record that does not know the size can
   * only be suspected after a confirmed deletion or, where the store keeps fingerprints to check it
   * by, before a deletion.
   *
   * @param due whether the retention deletes it in this run
   * @param checkable whether the store keeps fingerprints
   */
  static Why suspicion(UidRecord rec, long listedSize, boolean due, boolean checkable) {
    boolean resized = rec.knowsSize() && rec.size() != listedSize;
    switch (rec.state()) {
      case DELETED:
        return resized ? Why.SIZE_CHANGED : Why.LISTED_AGAIN;
      case DELIVERED:
      case DUPLICATE:
        return resized ? Why.SIZE_CHANGED : due && checkable ? Why.DUE : null;
      case BASELINE:
        return resized ? Why.SIZE_CHANGED : null;
      default:
        return null;
    }
  }

  /**
   * Decides every suspect; {@code suspects} grows by the messages whose record another one took.
   * Unique ids in {@code gone} whose record moved are removed from it.
   */
  void decide(List<Suspect> suspects, Set<String> gone, HeaderReader reader)
      throws IOException, FetchException {
    Set<String> taken = new HashSet<>();
    Set<Integer> suspected = new HashSet<>();
    for (Suspect s : suspects) {
      suspected.add(s.at);
    }
    List<Suspect> round = new ArrayList<>(suspects);
    while (!round.isEmpty()) {
      Map<String, UidRecord> candidates = new HashMap<>();
      Map<String, byte[]> stored = Map.of();
      if (cannotCompare == null) {
        Map<MessageRef, HeaderBlock> headers = reader.read(refsOf(round));
        if (headers == null) {
          cannotCompare = "the server cannot send a message's header section alone (POP3 TOP)";
        } else {
          for (Suspect s : round) {
            HeaderBlock h = headers.get(s.ref);
            s.fingerprint = h == null || !h.hasMessageFields() ? null : ContentDigest.ofHeaders(h);
          }
          candidates = candidates(round, gone);
          stored = config.uidStore().fingerprints(candidates.keySet());
        }
      }
      Map<String, TreeSet<String>> byFingerprint = new HashMap<>();
      stored.forEach(
          (uid, fp) -> byFingerprint.computeIfAbsent(hex(fp), k -> new TreeSet<>()).add(uid));
      for (Suspect s : round) { // the recorded message first, so that no other takes its record
        byte[] own = stored.get(s.ref.uid());
        if (s.fingerprint != null && own != null && Arrays.equals(own, s.fingerprint)) {
          s.compared = true;
          s.verdict = Verdict.SAME;
          s.settled = settledAs(s.ref.uid(), s.record, s.ref.size());
          taken.add(s.ref.uid());
        }
      }
      List<Suspect> next = new ArrayList<>();
      for (Suspect s : round) {
        if (s.verdict != null) {
          continue;
        }
        String from =
            s.fingerprint == null
                ? null
                : take(byFingerprint.get(hex(s.fingerprint)), taken, s.ref.uid());
        if (from != null) {
          s.verdict = Verdict.MOVED;
          s.settled = settledAs(s.ref.uid(), candidates.get(from), s.ref.size());
          config.uidStore().recordFingerprint(s.ref.uid(), s.fingerprint);
          gone.remove(from);
          int at = listing.indexOf(from);
          if (at >= 0 && suspected.add(at)) {
            // The message recorded under that id is here now: whatever the server lists there is
            // another.
            UidRecord rec = candidates.get(from);
            Suspect claimed = new Suspect(at, listing.ref(at), rec, Why.CLAIMED);
            next.add(claimed);
            suspects.add(claimed);
          }
        } else if (s.fingerprint != null && stored.containsKey(s.ref.uid())) {
          s.compared = true;
          s.verdict = Verdict.NEW;
        } else if (s.why == Why.DUE) {
          s.verdict =
              Verdict.SAME; // nothing to check it by: deleted when due, as without the check
          s.settled = settledAs(s.ref.uid(), s.record, s.ref.size());
        } else {
          s.verdict = s.why == Why.LISTED_AGAIN ? Verdict.KEEP : Verdict.NEW;
        }
        if (s.verdict == Verdict.NEW) {
          s.key = keyOf(s);
        }
      }
      for (Suspect s : round) {
        if (s.settled != null) {
          config.uidStore().put(s.settled);
        }
      }
      round = next;
    }
  }

  /**
   * Adds to the run's report what the check found: quirk Q51 and warnings, each naming messages.
   */
  void report(List<Suspect> suspects, Set<QuirkId> quirks, List<FetchException> warnings) {
    List<MessageRef> fresh = new ArrayList<>();
    List<MessageRef> moved = new ArrayList<>();
    List<MessageRef> unsure = new ArrayList<>();
    List<MessageRef> kept = new ArrayList<>();
    for (Suspect s : suspects) {
      if (s.verdict == Verdict.NEW) {
        (s.compared ? fresh : unsure).add(s.ref);
      } else if (s.verdict == Verdict.MOVED) {
        moved.add(s.ref);
      } else if (s.verdict == Verdict.KEEP) {
        kept.add(s.ref);
      } else {
        log.debug(
            "{} - message {} is listed with a new size, {} octets; its header section shows it is the message"
                + " recorded under its id",
            config.account(),
            FetchRun.describe(s.ref),
            s.ref.size());
      }
    }
    if (!fresh.isEmpty() || !moved.isEmpty()) {
      quirks.add(QuirkId.Q51);
      List<MessageRef> all = new ArrayList<>(fresh);
      all.addAll(moved);
      warnings.add(
          new FetchException(
              FetchError.PROTOCOL,
              "the server listed "
                  + count(all, "message")
                  + " under unique ids that named other messages before ("
                  + name(all)
                  + "), which POP3 forbids (RFC 1939"
                  + " §7: the server reuses ids, or derives them from message numbers). Told apart by their header"
                  + " sections: "
                  + (fresh.isEmpty() ? "" : fresh.size() + " fetched as new mail")
                  + (fresh.isEmpty() || moved.isEmpty() ? "" : ", ")
                  + (moved.isEmpty()
                      ? ""
                      : moved.size() + " recognised as fetched before under other ids"),
              null,
              null,
              Remedy.of(
                  "Nothing was lost. Tell the provider that their server reuses unique ids (quirk Q51):"
                      + " until it stops, a new message that takes the id of an earlier one of exactly the same size"
                      + " cannot be told apart from it (docs/engine.md).")));
      log.warn("{} - {}", config.account(), warnings.get(warnings.size() - 1).getMessage());
    }
    if (!unsure.isEmpty()) {
      warnings.add(
          new FetchException(
              FetchError.PROTOCOL,
              count(unsure, "message")
                  + " ("
                  + name(unsure)
                  + ") "
                  + (unsure.size() == 1 ? "is" : "are")
                  + " listed under unique ids fetched before but with another size,"
                  + " and could not be compared by their header sections ("
                  + (cannotCompare != null
                      ? cannotCompare
                      : "none was kept for them, or the server would not send them")
                  + "): fetched in case the server gave"
                  + " their ids to new mail (quirk Q51); if "
                  + (unsure.size() == 1
                      ? "it is not new, the mailbox now holds" + " it"
                      : "they are not new, the mailbox now holds them")
                  + " twice",
              null,
              null,
              Remedy.of(
                  "Nothing was lost. If the mailbox now holds a message twice, delete one copy; if it happens at"
                      + " every run, the server changes the sizes it lists, or reuses ids: tell the provider.",
                  "Nothing was lost. A UidStore that keeps header fingerprints (JournalUidStore,"
                      + " InMemoryUidStore.keepingFingerprints()) lets the engine tell such messages apart. If the sink"
                      + " now holds a message twice, delete one copy.")));
      log.warn("{} - {}", config.account(), warnings.get(warnings.size() - 1).getMessage());
    }
    if (!kept.isEmpty()) {
      warnings.add(
          new FetchException(
              FetchError.PROTOCOL,
              count(kept, "message")
                  + " ("
                  + name(kept)
                  + ") "
                  + (kept.size() == 1 ? "is" : "are")
                  + " listed under unique ids whose deletion the server confirmed"
                  + " before, at the size recorded then, and could not be compared by their header sections ("
                  + (cannotCompare != null
                      ? cannotCompare
                      : "none was kept for them, or the server would not send them")
                  + "): new mail under reused ids (quirk Q51), or messages the server did not delete, they are neither"
                  + " fetched nor deleted",
              null,
              null,
              Remedy.of(
                  "Look at "
                      + (kept.size() == 1 ? "it" : "them")
                      + " in the mailbox (webmail, another mail"
                      + " program): if the server did not delete "
                      + (kept.size() == 1 ? "it" : "them")
                      + ", delete "
                      + (kept.size() == 1 ? "it" : "them")
                      + " there; if it is new mail, tell the provider that their"
                      + " server reuses unique ids.")));
      log.warn("{} - {}", config.account(), warnings.get(warnings.size() - 1).getMessage());
    }
  }

  /**
   * The records the suspects' messages may be under: their own ids' and, for a message recorded
   * under another id, the records of listed or gone ids with the size now listed (a message keeps
   * its size when its id changes), settled and fetched (only those have a fingerprint).
   */
  private Map<String, UidRecord> candidates(List<Suspect> round, Set<String> gone)
      throws IOException {
    Set<Long> sizes = new HashSet<>();
    Map<String, UidRecord> out = new HashMap<>();
    for (Suspect s : round) {
      sizes.add(s.ref.size());
      out.put(s.ref.uid(), s.record);
    }
    for (int at = 0; at < listing.count(); at++) {
      if (listing.hasUid(at)) {
        consider(listing.uid(at), sizes, out);
      }
    }
    for (String uid : gone) {
      consider(uid, sizes, out);
    }
    return out;
  }

  private void consider(String uid, Set<Long> sizes, Map<String, UidRecord> out)
      throws IOException {
    if (out.containsKey(uid)) {
      return;
    }
    UidRecord rec = config.uidStore().get(uid).orElse(null);
    if (rec != null
        && rec.knowsSize()
        && sizes.contains(rec.size())
        && rec.state().isSettled()
        && rec.state() != UidRecord.State.BASELINE) {
      out.put(uid, rec);
    }
  }

  /** The first id of {@code uids} not taken and not {@code self}, now taken; or null. */
  private static String take(NavigableSet<String> uids, Set<String> taken, String self) {
    if (uids == null) {
      return null;
    }
    for (String uid : uids) {
      if (!uid.equals(self) && taken.add(uid)) {
        return uid;
      }
    }
    return null;
  }

  /**
   * A record to settle {@code uid} by, from {@code rec}, knowing the size now listed. A deletion
   * the server confirmed did not happen, since the message is listed: it is delivered, and is
   * deleted again when due.
   */
  private static UidRecord settledAs(String uid, UidRecord rec, long size) {
    UidRecord.State state =
        rec.state() == UidRecord.State.DELETED ? UidRecord.State.DELIVERED : rec.state();
    return new UidRecord(
        uid,
        state,
        rec.firstSeen(),
        rec.deliveryKey(),
        0,
        rec.lastError(),
        rec.lastErrorDetail(),
        size);
  }

  /**
   * The delivery key of new mail under a reused id: not the id's usual key, which the sink holds
   * for the earlier message, but one that is the same in every run that finds this message here
   * (its size and header fingerprint), so that a crash between the sink and the state still
   * re-delivers into a no-op.
   */
  private DeliveryKey keyOf(Suspect s) {
    return DeliveryKey.of(
        config.account(),
        s.ref.uid()
            + "\u0000"
            + s.ref.size()
            + (s.fingerprint == null ? "" : "\u0000" + hex(s.fingerprint)));
  }

  private static List<MessageRef> refsOf(List<Suspect> suspects) {
    List<MessageRef> refs = new ArrayList<>(suspects.size());
    for (Suspect s : suspects) {
      refs.add(s.ref);
    }
    return refs;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static String count(List<MessageRef> refs, String noun) {
    return Sizes.count(refs.size(), noun);
  }

  /** The first few messages by number and id, and how many more. */
  private static String name(List<MessageRef> refs) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(NAMED, refs.size()); i++) {
      sb.append(i == 0 ? "" : ", ").append("message ").append(FetchRun.describe(refs.get(i)));
    }
    if (refs.size() > NAMED) {
      sb.append(" and ").append(refs.size() - NAMED).append(" more");
    }
    return sb.toString();
  }
}
