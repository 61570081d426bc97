package dev.mailfetch.gmail;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import dev.mailfetch.testkit.gmail.GmailEndpoint;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the proofs (crash, quota, 100 MB) share: the fake Gmail as they start it, the sink as they
 * configure it, and Gmail's mailbox read back by content.
 */
final class GmailProof {
  /** The mailbox the fake serves and the sink is configured to. */
  static final String MAILBOX = "alice@gmail.example";

  /** Gmail's per-user quota as the sink's default reads the reference: 6,000 units a minute. */
  static final int GMAIL_UNITS_PER_SECOND = 100;

  /** What one {@code messages.import} costs. */
  static final int IMPORT_UNITS = 25;

  private GmailProof() {}

  /**
   * A fake Gmail with the account {@link #MAILBOX}, whose per-user quota is {@code unitsPerSecond}
   * over a moving window of one second.
   */
  static FakeGmailServer fake(int unitsPerSecond) {
    return fake(unitsPerSecond, Duration.ofSeconds(1));
  }

  /**
   * A fake Gmail with the account {@link #MAILBOX}, whose per-user quota is {@code units} in any
   * moving {@code window}.
   */
  static FakeGmailServer fake(long units, Duration window) {
    FakeGmailServer gmail = FakeGmailServer.start();
    gmail.addAccount(MAILBOX).perUserQuota(units, window);
    return gmail;
  }

  static URI baseUri(FakeGmailServer gmail) {
    return gmail.baseUri();
  }

  /** An access token the fake takes for {@link #MAILBOX}. */
  static String accessToken(FakeGmailServer gmail) {
    return gmail.accessToken(MAILBOX, FakeGmailServer.SCOPE_MODIFY);
  }

  /** The sink into the fake at {@code base}, keeping to {@code units} in any {@code window}. */
  static GmailImportSink sink(
      URI base, Path journal, long units, Duration window, int parallelism, TokenProvider tokens)
      throws IOException {
    return GmailImportSink.builder()
        .mailbox(MAILBOX)
        .tokens(tokens)
        .journalDirectory(journal)
        .apiBase(base)
        .quota(units, window)
        .parallelism(parallelism)
        .build();
  }

  /** The messages in the fake's mailbox, as SHA-256 of their bytes → how many copies. */
  static Map<String, Integer> stored(FakeGmailServer gmail) {
    Map<String, Integer> out = new HashMap<>();
    for (StoredMessage m : gmail.messages(MAILBOX)) {
      out.merge(m.sha256(), 1, Integer::sum);
    }
    return out;
  }

  /** How many requests the fake refused for going over the per-user quota. */
  static long quotaBreaches(FakeGmailServer gmail) {
    return gmail.quotaBreaches();
  }

  /**
   * The least time, in seconds, in which a moving window of {@code window} holding at most {@code
   * units} lets {@code spent} units through: a full window at once, and another each time the
   * window has moved on, so the last request starts {@code (ceil(spent / units) - 1)} windows after
   * the first.
   */
  static double leastSeconds(long spent, long units, Duration window) {
    long windows = (spent + units - 1) / units;
    return Math.max(0, windows - 1) * (window.toNanos() / 1e9);
  }

  /**
   * How the fake received its imports, in words for the report: upload types and the requests of
   * each kind.
   */
  static String uploads(FakeGmailServer gmail) {
    Map<String, Integer> types = new TreeMap<>();
    for (StoredMessage m : gmail.messages(MAILBOX)) {
      types.merge(m.uploadType(), 1, Integer::sum);
    }
    return types
        + " upload, "
        + gmail.requests(GmailEndpoint.UPLOAD_SESSION).size()
        + " session(s) opened, "
        + gmail.requests(GmailEndpoint.UPLOAD_CHUNK).size()
        + " chunk request(s) before the last";
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
