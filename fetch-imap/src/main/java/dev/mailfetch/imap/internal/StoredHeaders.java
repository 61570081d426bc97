package dev.mailfetch.imap.internal;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the server kept the 8-bit bytes of the headers it took. A server without {@code
 * UTF8=ACCEPT} may store a raw UTF-8 header altered and still answer OK: Cyrus's default {@code
 * munge8bit} turns each such byte into {@code X} (docs/errors.md, {@code SINK_ALTERED}). So after a
 * sync the header section of each message appended with 8-bit header bytes is read back ({@code
 * BODY.PEEK[HEADER]}, one {@code UID FETCH} per folder) and its 8-bit bytes counted; fewer than
 * were sent is a warning, said once per run however many messages. Only messages whose {@code
 * APPENDUID} is known can be read back; the others go unchecked (said in the log).
 */
final class StoredHeaders {
  private static final Logger log = LoggerFactory.getLogger(StoredHeaders.class);

  /** How many places the warning names. */
  private static final int NAMED = 5;

  private static final Pattern UID = Pattern.compile("\\bUID (\\d+)");

  /** One message taken: where the server put it and how many 8-bit header bytes it was sent. */
  record Sent(DeliveryKey key, AppendJournal.Placed placed, int eightBitBytes) {}

  private int altered;
  private long sentBytes;
  private long keptBytes;
  private final List<String> named = new ArrayList<>();

  /** The number of bytes with the high bit set in the header section {@code header}. */
  static int eightBitBytes(String header) {
    int n = 0;
    for (int i = 0; i < header.length(); i++) {
      if (header.charAt(i) > 0x7f) {
        n++;
      }
    }
    return n;
  }

  /** Reads back what {@code sent} holds from {@code server}; a failure is logged, never thrown. */
  void check(AppendServer server, List<Sent> sent) {
    Map<String, Map<Long, Sent>> byFolder = new LinkedHashMap<>();
    int unknown = 0;
    for (Sent s : sent) {
      if (s.placed().uid() <= 0) {
        unknown++;
      } else {
        byFolder
            .computeIfAbsent(s.placed().folder(), f -> new LinkedHashMap<>())
            .put(s.placed().uid(), s);
      }
    }
    if (unknown > 0) {
      log.info(
          "{}: {} messages with 8-bit header bytes taken without APPENDUID: whether the server"
              + " kept those bytes is not checked",
          server.serverName(),
          unknown);
    }
    for (Map.Entry<String, Map<Long, Sent>> e : byFolder.entrySet()) {
      try {
        check(server, e.getKey(), e.getValue());
      } catch (FetchException ex) {
        server.dropIfBroken(ex);
        log.info(
            "{}: could not read back the headers of {} messages in {}: {}",
            server.serverName(),
            e.getValue().size(),
            e.getKey(),
            ex.getMessage());
      }
    }
  }

  private void check(AppendServer server, String folder, Map<Long, Sent> sent)
      throws FetchException {
    ImapSession s = server.session();
    if (s.utf8()) {
      return; // UTF8=ACCEPT enabled: the server stores UTF-8 headers as they are (RFC 6855)
    }
    long validity = server.select(folder, true);
    Map<Long, Integer> kept = new LinkedHashMap<>();
    List<Integer> unattributed = new ArrayList<>();
    LiteralConsumer counter =
        new LiteralConsumer() {
          private Long uid;
          private int high;

          @Override
          public void begin(String response) {
            Matcher m = UID.matcher(response);
            uid = m.find() ? Long.valueOf(m.group(1)) : null;
            high = 0;
          }

          @Override
          public void accept(ByteBuffer slice) {
            while (slice.hasRemaining()) {
              if (slice.get() < 0) {
                high++;
              }
            }
          }

          @Override
          public void end(long size) {
            if (uid != null && sent.containsKey(uid)) {
              kept.put(uid, high);
            } else {
              unattributed.add(high);
            }
          }
        };
    StringJoiner uids = new StringJoiner(",");
    List<Long> asked = new ArrayList<>();
    for (Sent one : sent.values()) {
      if (one.placed().uidValidity() == validity || one.placed().uidValidity() == 0) {
        uids.add(Long.toString(one.placed().uid()));
        asked.add(one.placed().uid());
      }
    }
    if (asked.isEmpty()) {
      return;
    }
    String tag = s.commands().sendUidFetch(uids.toString(), "UID BODY.PEEK[HEADER]", counter, null);
    TaggedReply r = s.await(tag);
    if (!r.ok()) {
      log.info("{}: reading back headers in {}: {}", s.server(), folder, r);
      return;
    }
    if (!unattributed.isEmpty() || kept.size() < asked.size()) {
      // Literals the server did not say the UID of before them: the totals still tell.
      long sentTotal = 0;
      long keptTotal = 0;
      for (long uid : asked) {
        sentTotal += sent.get(uid).eightBitBytes();
      }
      for (int k : kept.values()) {
        keptTotal += k;
      }
      for (int k : unattributed) {
        keptTotal += k;
      }
      if (kept.size() + unattributed.size() == asked.size() && keptTotal < sentTotal) {
        altered += asked.size() - kept.size();
        sentBytes += sentTotal;
        keptBytes += keptTotal;
        name(folder, asked);
      }
      return;
    }
    List<Long> changed = new ArrayList<>();
    for (long uid : asked) {
      int before = sent.get(uid).eightBitBytes();
      int after = kept.get(uid);
      if (after < before) {
        altered++;
        sentBytes += before;
        keptBytes += after;
        changed.add(uid);
      }
    }
    name(folder, changed);
  }

  private void name(String folder, List<Long> uids) {
    for (long uid : uids) {
      if (named.size() < NAMED) {
        named.add(folder + " UID " + uid);
      }
    }
  }

  /** The warning of what was found since the last call, if anything; counts start again. */
  Optional<FetchException> take(String server) {
    if (altered == 0) {
      return Optional.empty();
    }
    String detail =
        "the IMAP server "
            + server
            + " stored "
            + altered
            + (altered == 1 ? " message" : " messages")
            + " with its header changed: "
            + (sentBytes - keptBytes)
            + " of "
            + sentBytes
            + " 8-bit header bytes (raw UTF-8 in a Subject, From…) are gone ("
            + String.join(", ", named)
            + (altered > named.size() ? ", …" : "")
            + "); the bodies are as sent";
    altered = 0;
    sentBytes = 0;
    keptBytes = 0;
    named.clear();
    return Optional.of(new FetchException(FetchError.SINK_ALTERED, detail));
  }
}
