package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.DeliveryKey;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles an import in doubt (its answer lost, a {@code 5xx} after the upload, a crash before the
 * answer reached the journal): does Gmail hold the message, and under which id?
 *
 * <p>First through the mailbox's change log, {@code users.history.list} from the history id the
 * intent recorded (taken before the import): every message added since is a candidate, and {@code
 * messages.get} tells whether it is this one: by its Message-ID where the message has one, else by
 * its bytes ({@code format=raw}, for candidates of a plausible size, compared by SHA-256 with the
 * digest the intent recorded: equal bytes are the same message, so no false match). The history is
 * the store's own log, not the search index, so a message just stored is in it.
 *
 * <p>Where Gmail has no history that old ({@code 404}) or the intent recorded no history id (a
 * journal of an earlier version), the search ({@code messages.list q=rfc822msgid:}) is asked
 * instead; it is an index that may lag, so "not found" counts only once the intent is older than
 * the settle time, and before that the search is asked again with back-off. A message without a
 * Message-ID cannot be searched for: then Gmail's answer is taken as "absent".
 *
 * <p>A Message-ID is not a message: a mailbox may hold two different messages, or two copies of
 * one, with one Message-ID, and without a dedup policy each is delivered. So a candidate is never
 * taken when the journal records it as the answer for another delivery, or another import in doubt
 * of this sink already claimed it ({@link #claims}: two copies in doubt need two Gmail messages);
 * and where its bytes can be fetched (the intent's size up to {@link #RAW_MATCH_MAX}) a Message-ID
 * match whose bytes differ from the SHA-256 the intent recorded is another message.
 */
final class InDoubt {
  private static final Logger log = LoggerFactory.getLogger(InDoubt.class);

  /**
   * Messages up to this size are matched by their bytes; the raw answer is base64 in JSON, a third
   * more.
   */
  static final long RAW_MATCH_MAX = 4L * 1024 * 1024;

  private static final int CACHE = 10_000;

  private final GmailApi api;
  private final Journal journal;

  /**
   * Gmail id → the delivery an import in doubt settled on it: one Gmail message settles one
   * delivery.
   */
  private final Map<String, DeliveryKey> claims = new ConcurrentHashMap<>();

  private final long settleMillis;
  private final RateLimiter.Clock clock;

  /**
   * Gmail id → its Message-ID ("" for none), its size estimate, its bytes' SHA-256: asked once
   * each.
   */
  private final Map<String, String> messageIds = lru();

  private final Map<String, Long> sizes = lru();
  private final Map<String, String> digests = lru();

  InDoubt(GmailApi api, Journal journal, long settleMillis, RateLimiter.Clock clock) {
    this.api = api;
    this.journal = journal;
    this.settleMillis = settleMillis;
    this.clock = clock;
  }

  private static <V> Map<String, V> lru() {
    return Collections.synchronizedMap(
        new LinkedHashMap<>(64, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, V> e) {
            return size() > CACHE;
          }
        });
  }

  /**
   * Gmail's id of the message the intent of {@code key} was for, if Gmail holds it; empty if it
   * does not. The id answered is claimed for {@code key}: no other delivery is settled by it.
   */
  Optional<String> find(DeliveryKey key, Journal.Intent in) throws IOException {
    if (in.historyId() >= 0) {
      Optional<List<String>> added = api.messagesAddedSince(in.historyId());
      if (added.isPresent()) {
        return match(added.get(), key, in);
      }
      log.info(
          "Gmail keeps no history back to {}: an import in doubt is looked up by the search instead",
          in.historyId());
    }
    return search(key, in);
  }

  private Optional<String> match(List<String> candidates, DeliveryKey key, Journal.Intent in)
      throws IOException {
    String wanted = in.messageId() == null ? null : bare(in.messageId());
    for (int i = candidates.size() - 1;
        i >= 0;
        i--) { // the newest first: the import in doubt is recent
      String id = candidates.get(i);
      if (takenByAnother(id, key)) {
        continue;
      }
      boolean same;
      if (wanted != null) {
        String got = messageIdOf(id);
        same = got != null && bare(got).equals(wanted) && sameBytesAsFarAsKnown(id, in);
      } else {
        same =
            in.sha256() != null
                && in.size() <= RAW_MATCH_MAX
                && plausible(id, in.size())
                && in.sha256().equals(digestOf(id));
      }
      if (same && claim(id, key)) {
        return Optional.of(id);
      }
    }
    return Optional.empty();
  }

  private boolean takenByAnother(String id, DeliveryKey key) {
    DeliveryKey claimant = claims.get(id);
    if (claimant != null && !claimant.equals(key)) {
      return true;
    }
    Optional<DeliveryKey> owner = journal.deliveryOf(id);
    return owner.isPresent() && !owner.get().equals(key);
  }

  private boolean claim(String id, DeliveryKey key) {
    DeliveryKey before = claims.putIfAbsent(id, key);
    return (before == null || before.equals(key)) && !takenByAnother(id, key);
  }

  /**
   * A candidate with the Message-ID is this message unless its bytes, where they can be had, differ
   * from those the intent recorded. Bytes that cannot be had (a large message, an intent of an
   * earlier journal, a raw answer Gmail does not give) leave the Message-ID to decide.
   */
  private boolean sameBytesAsFarAsKnown(String id, Journal.Intent in) throws IOException {
    if (in.sha256() == null || in.size() > RAW_MATCH_MAX) {
      return true;
    }
    if (!plausible(id, in.size())) {
      return false;
    }
    String d = digestOf(id);
    return d.isEmpty() || d.equals(in.sha256());
  }

  private String messageIdOf(String id) throws IOException {
    String known = messageIds.get(id);
    if (known != null) {
      return known;
    }
    Optional<Map<String, Object>> m = api.message(id, "metadata", GmailApi.MAX_ANSWER_BYTES);
    String found = "";
    if (m.isPresent()) {
      remember(id, m.get());
      for (Map<String, Object> h : Json.objects(Json.child(m.get(), "payload"), "headers")) {
        if (Json.string(h, "name").orElse("").equalsIgnoreCase("Message-ID")) {
          found = Json.string(h, "value").orElse("").trim();
          break;
        }
      }
    }
    messageIds.put(id, found);
    return found;
  }

  private void remember(String id, Map<String, Object> m) {
    Object est = m.get("sizeEstimate");
    if (est instanceof Number) {
      sizes.put(id, ((Number) est).longValue());
    }
  }

  /**
   * Gmail's size estimate near the size sent (our reading: it is the raw size, give or take its own
   * headers).
   */
  private boolean plausible(String id, long size) throws IOException {
    Long est = sizes.get(id);
    if (est == null) {
      Optional<Map<String, Object>> m = api.message(id, "minimal", GmailApi.MAX_ANSWER_BYTES);
      if (m.isEmpty()) {
        return false;
      }
      remember(id, m.get());
      est = sizes.getOrDefault(id, -1L);
    }
    return est < 0 || (est >= size / 2 && est <= size * 2 + 64 * 1024);
  }

  private String digestOf(String id) throws IOException {
    String known = digests.get(id);
    if (known != null) {
      return known;
    }
    int cap = (int) (RAW_MATCH_MAX * 3 / 2 + 64 * 1024);
    Optional<Map<String, Object>> m = api.message(id, "raw", cap);
    String d = "";
    if (m.isPresent()) {
      Optional<String> raw = Json.string(m.get(), "raw");
      if (raw.isPresent()) {
        try {
          d = sha256(Base64.getUrlDecoder().decode(raw.get().replace("=", "")));
        } catch (IllegalArgumentException notBase64) {
          d = "";
        }
      }
    }
    digests.put(id, d);
    return d;
  }

  private Optional<String> search(DeliveryKey key, Journal.Intent in) throws IOException {
    if (in.messageId() == null) {
      return Optional.empty(); // nothing to search for: the window docs/gmail.md describes
    }
    long wait = 1000;
    while (true) {
      List<String> ids = api.findByMessageId(in.messageId());
      for (String id : ids) {
        if (!takenByAnother(id, key) && sameBytesAsFarAsKnown(id, in) && claim(id, key)) {
          return Optional.of(id);
        }
      }
      long age = System.currentTimeMillis() - in.atMillis();
      if (in.atMillis() <= 0 || age >= settleMillis) {
        return Optional.empty();
      }
      long sleep = Math.min(wait, settleMillis - age);
      log.debug(
          "the search does not find {} yet; asking again in {} ms (the search may lag)",
          in.messageId(),
          sleep);
      try {
        clock.sleepNanos(TimeUnit.MILLISECONDS.toNanos(sleep));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while asking Gmail for an import in doubt");
      }
      wait = Math.min(wait * 2, 30_000);
    }
  }

  static String bare(String messageId) {
    String m = messageId.trim();
    if (m.startsWith("<") && m.endsWith(">")) {
      m = m.substring(1, m.length() - 1);
    }
    return m.trim();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
