package dev.mailfetch.api;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quirk Q26: most known UIDs vanished and about as many unknown ones appeared, as when a server
 * moves a mailbox and numbers it anew. Rather than download the whole mailbox again, the unknown
 * messages' header sections are read (TOP n 0) and compared with the fingerprints of the vanished
 * ones; a match takes over the vanished message's record under its new UID. What is not recognised
 * is downloaded as usual. Needs a store that keeps fingerprints and a source that can read headers;
 * without either it only warns.
 */
final class ChangedUids {
  // Named after the public class: users configure logging by the names they know.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  /**
   * At least this many UIDs must vanish, and as many appear, before the guard suspects a migration.
   */
  private static final int MIGRATION_MIN = 10;

  private ChangedUids() {}

  /**
   * The gone UIDs whose going says something: not those this fetcher deleted, or asked the server
   * to delete, itself. Those are expected to vanish, so they are no sign of a server that numbered
   * its mailbox anew, and a later message with the same headers (the same message sent twice) must
   * never be taken for one of them: it would be deleted without being delivered.
   */
  static Set<String> vanishedUnexpectedly(RunConfig config, Set<String> gone, Instant now)
      throws IOException {
    Set<String> unexpected = new HashSet<>();
    for (String uid : gone) {
      UidRecord rec = config.uidStore().get(uid).orElse(null);
      boolean expected =
          rec != null
              && (rec.state() == UidRecord.State.DELETED
                  || ((rec.state() == UidRecord.State.DELIVERED
                          || rec.state() == UidRecord.State.DUPLICATE)
                      && config.deletionDue(rec, now)));
      if (!expected) {
        unexpected.add(uid);
      }
    }
    return unexpected;
  }

  /**
   * The records the unknown messages take over, by message (put in the store already); empty when
   * the listing does not look like a migration or nothing is recognised.
   */
  static Map<MessageRef, UidRecord> recognise(
      RunConfig config,
      Set<String> gone,
      List<MessageRef> unknown,
      int knownListed,
      ReusedUids.HeaderReader reader,
      Set<QuirkId> quirks)
      throws IOException, FetchException {
    int g = gone.size();
    int u = unknown.size();
    if (g < MIGRATION_MIN || u < MIGRATION_MIN || g <= knownListed || u * 2L < g || u > g * 2L) {
      return Map.of();
    }
    quirks.add(QuirkId.Q26);
    Map<String, byte[]> fingerprints =
        config.uidStore().keepsFingerprints() ? config.uidStore().fingerprints(gone) : Map.of();
    if (fingerprints.isEmpty()) {
      log.warn(
          "{} - {} known messages vanished from the listing and {} unknown ones appeared: the server seems to"
              + " have changed its UIDs (quirk Q26); with no fingerprints to recognise them by, they are downloaded"
              + " again (a sink that deduplicates by content keeps them from being stored twice)",
          config.account(),
          g,
          u);
      return Map.of();
    }
    log.warn(
        "{} - {} known messages vanished from the listing and {} unknown ones appeared: the server seems to"
            + " have changed its UIDs (quirk Q26); recognising them by their headers before downloading anything",
        config.account(),
        g,
        u);
    Map<MessageRef, UidRecord> recognised =
        match(config, fingerprints, unknown, reader, new HashMap<>());
    if (recognised == null) {
      log.warn(
          "{} - this source cannot read headers alone; the {} messages are downloaded again",
          config.account(),
          u);
      return Map.of();
    }
    log.warn(
        "{} - recognised {} of the {} unknown messages by their headers (quirk Q26): not downloaded again;"
            + " the other {} are fetched as new",
        config.account(),
        recognised.size(),
        u,
        u - recognised.size());
    return recognised;
  }

  /**
   * The records the unknown messages take over (put in the store already, with their fingerprints):
   * each one whose header section has the fingerprint of one of {@code fingerprints} (by gone UID)
   * takes that UID's record, if settled; one new message per gone one. Null when the source cannot
   * read header sections alone. The one matching of header fingerprints, for quirk Q26 and for a
   * mailbox its server renumbered ({@link Renumbering}).
   *
   * @param takenFrom filled with the gone UID each recognised message took its record from
   */
  static Map<MessageRef, UidRecord> match(
      RunConfig config,
      Map<String, byte[]> fingerprints,
      List<MessageRef> unknown,
      ReusedUids.HeaderReader reader,
      Map<MessageRef, String> takenFrom)
      throws IOException, FetchException {
    // Copies with one header section (a message and its duplicate) share a fingerprint: each new
    // one takes one of them, so as many are recognised as there were.
    Map<String, ArrayDeque<String>> goneByFingerprint = new HashMap<>();
    for (Map.Entry<String, byte[]> e : new TreeMap<>(fingerprints).entrySet()) {
      goneByFingerprint
          .computeIfAbsent(HexFormat.of().formatHex(e.getValue()), k -> new ArrayDeque<>())
          .add(e.getKey());
    }
    Map<MessageRef, HeaderBlock> collected = reader.read(unknown);
    if (collected == null) {
      return null;
    }
    Map<MessageRef, UidRecord> recognised = new HashMap<>();
    for (Map.Entry<MessageRef, HeaderBlock> e : collected.entrySet()) {
      if (!e.getValue().hasMessageFields()) {
        continue; // a server's own fields alone: every message served empty would match
      }
      String hex = HexFormat.of().formatHex(ContentDigest.ofHeaders(e.getValue()));
      ArrayDeque<String> candidates = goneByFingerprint.get(hex);
      String oldUid =
          candidates == null ? null : candidates.poll(); // one new message per vanished one
      if (oldUid == null) {
        continue;
      }
      UidRecord old = config.uidStore().get(oldUid).orElse(null);
      if (old == null || !old.state().isSettled() || old.state() == UidRecord.State.BASELINE) {
        continue;
      }
      MessageRef ref = e.getKey();
      UidRecord moved =
          new UidRecord(
              ref.uid(),
              old.state(),
              old.firstSeen(),
              old.deliveryKey(),
              0,
              old.lastError(),
              old.lastErrorDetail(),
              ref.size());
      config.uidStore().put(moved);
      config.uidStore().recordFingerprint(ref.uid(), HexFormat.of().parseHex(hex));
      recognised.put(ref, moved);
      takenFrom.put(ref, oldUid);
    }
    return recognised;
  }
}
