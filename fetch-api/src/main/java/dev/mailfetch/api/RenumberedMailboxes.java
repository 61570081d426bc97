package dev.mailfetch.api;

import dev.mailfetch.api.internal.Sizes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mailbox its server renumbered as a whole ({@link Renumbering}: IMAP's {@code UIDVALIDITY}
 * changed, RFC 3501 §2.3.1.1). The messages the state holds under the old ids are recognised among
 * the unknown listed ones by their header fingerprints ({@link ChangedUids#match}, without Q26's
 * guess whether a migration happened: the source knows), take over their records and are not
 * fetched again; the others are fetched as new. Said in one warning naming each mailbox. Not a
 * quirk: IMAP allows it.
 */
final class RenumberedMailboxes {
  // Named after the public class: users configure logging by the names they know.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  /** Held messages and how many were recognised, for one mailbox. */
  private static final class Counts {
    int held;
    int recognised;
  }

  private RenumberedMailboxes() {}

  /**
   * The records the unknown messages take over (put in the store already), by message; adds the
   * warning that says what happened.
   *
   * @param renumbered the gone ids the source says were renumbered
   */
  static Map<MessageRef, UidRecord> recognise(
      RunConfig config,
      Renumbering renumbering,
      Set<String> renumbered,
      List<MessageRef> unknown,
      ReusedUids.HeaderReader reader,
      List<FetchException> warnings)
      throws IOException, FetchException {
    UidStore store = config.uidStore();
    Set<String> held = new HashSet<>();
    Map<String, Counts> byMailbox = new TreeMap<>();
    for (String uid : renumbered) {
      UidRecord rec = store.get(uid).orElse(null);
      // Deleted ones are gone for good: a later message with their headers is another copy.
      if (rec != null
          && (rec.state() == UidRecord.State.DELIVERED
              || rec.state() == UidRecord.State.DUPLICATE)) {
        held.add(uid);
        byMailbox.computeIfAbsent(mailboxOf(renumbering, uid), k -> new Counts()).held++;
      }
    }
    if (held.isEmpty()) {
      return Map.of();
    }
    boolean fingerprinted = store.keepsFingerprints();
    Map<String, byte[]> fingerprints = fingerprinted ? store.fingerprints(held) : Map.of();
    Map<MessageRef, String> takenFrom = new HashMap<>();
    Map<MessageRef, UidRecord> recognised =
        fingerprints.isEmpty() || unknown.isEmpty()
            ? Map.of()
            : ChangedUids.match(config, fingerprints, unknown, reader, takenFrom);
    boolean headersRead = recognised != null;
    if (recognised == null) {
      recognised = Map.of();
    }
    // Counted by the old ids alone: a source names a mailbox in words of its own, which may say
    // what an id was (IMAP: "was UIDVALIDITY 5"), so an old and a new id need not match in words.
    for (String oldUid : takenFrom.values()) {
      byMailbox.get(mailboxOf(renumbering, oldUid)).recognised++;
    }
    warnings.add(
        warning(
            byMailbox,
            unknown.size() - recognised.size(),
            fingerprinted,
            headersRead,
            held.size() - fingerprints.size()));
    log.warn(
        "{} - {} mailbox(es) renumbered: {} of {} held messages recognised by their headers, not"
            + " fetched again",
        config.account(),
        byMailbox.size(),
        recognised.size(),
        held.size());
    return recognised;
  }

  private static String mailboxOf(Renumbering renumbering, String uid) {
    try {
      String words = renumbering.mailboxOf(uid);
      return words == null || words.isEmpty()
          ? "a mailbox"
          : PrintableWords.of(words, 200); // a source's words, shown to a person
    } catch (RuntimeException e) {
      return "a mailbox";
    }
  }

  private static FetchException warning(
      Map<String, Counts> byMailbox,
      int asNew,
      boolean fingerprinted,
      boolean headersRead,
      int withoutFingerprint) {
    List<String> parts = new ArrayList<>();
    int notRecognised = 0;
    for (Map.Entry<String, Counts> e : byMailbox.entrySet()) {
      Counts c = e.getValue();
      notRecognised += c.held - c.recognised;
      parts.add(
          e.getKey()
              + ": "
              + Sizes.count(c.held, "message")
              + " held from before, "
              + c.recognised
              + " recognised by their headers and not fetched again, "
              + (c.held - c.recognised)
              + " not recognised");
    }
    StringBuilder words =
        new StringBuilder("the server renumbered ")
            .append(byMailbox.size() == 1 ? "a mailbox" : byMailbox.size() + " mailboxes")
            .append(" (a new UIDVALIDITY, RFC 3501 §2.3.1.1: every message there has a new id) — ")
            .append(String.join("; ", parts))
            .append(
                asNew == 0
                    ? ". Nothing listed is fetched as new"
                    : ". "
                        + Sizes.count(asNew, "listed message")
                        + (asNew == 1 ? " not known here is" : " not known here are")
                        + " fetched as new: new mail, and the held messages not recognised that are"
                        + " still there");
    Remedy remedy;
    if (!fingerprinted) {
      words.append(
          ". This state store keeps no fingerprints of the messages' headers, so none could be"
              + " recognised");
      remedy =
          Remedy.of(
              "Nothing is lost. The messages fetched as new may be stored a second time unless a dedup"
                  + " policy discards the copies (--dedup message-id+digest, the default).",
              "Nothing is lost. Use a UidStore that keeps header fingerprints (JournalUidStore does) so"
                  + " that a renumbered mailbox is recognised, and a DedupPolicy (Dedup.byMessageId) so"
                  + " that the copies fetched as new are not stored twice.");
    } else if (!headersRead) {
      words.append(". This source cannot read header sections alone, so none could be recognised");
      remedy = copies();
    } else {
      if (withoutFingerprint > 0) {
        words
            .append(". ")
            .append(Sizes.count(withoutFingerprint, "held message"))
            .append(" had no fingerprint kept (stored before fingerprints were)");
      }
      remedy =
          notRecognised == 0
              ? Remedy.of(
                  "Nothing to do: nothing was fetched twice. If a mailbox is renumbered at every"
                      + " check, ask the provider why its UIDVALIDITY keeps changing.")
              : copies();
    }
    return new FetchException(FetchError.SERVER_TEMPORARY, words.toString(), null, null, remedy);
  }

  private static Remedy copies() {
    return Remedy.of(
        "Nothing is lost. Messages fetched as new that the sink holds already are discarded by the"
            + " dedup policy (--dedup message-id+digest, the default); with --dedup none they are"
            + " stored a second time. If a mailbox is renumbered at every check, ask the provider why"
            + " its UIDVALIDITY keeps changing.",
        "Nothing is lost. Messages fetched as new that the sink holds already are discarded by a"
            + " DedupPolicy (Dedup.byMessageId, Dedup.byDigest); without one they are stored a second"
            + " time. If a mailbox is renumbered at every check, ask the provider why its UIDVALIDITY"
            + " keeps changing.");
  }
}
