package dev.mailfetch.gmail;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.testkit.gmail.FakeGmailServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

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

  /** A fake Gmail for {@link #MAILBOX} whose per-user quota is {@code unitsPerSecond}. */
  static FakeGmailServer fake(int unitsPerSecond) {
    return FakeGmailServer.builder().user(MAILBOX).quotaUnitsPerSecond(unitsPerSecond).start();
  }

  static URI baseUri(FakeGmailServer gmail) {
    return gmail.baseUri();
  }

  /** An access token the fake takes for {@link #MAILBOX}. */
  static String accessToken(FakeGmailServer gmail) {
    return gmail.accessToken(MAILBOX);
  }

  /** The sink into the fake at {@code base}, keeping to {@code unitsPerSecond}. */
  static GmailImportSink sink(URI base, Path journal, int unitsPerSecond, int parallelism, TokenProvider tokens)
      throws IOException {
    return GmailImportSink.builder().mailbox(MAILBOX).tokens(tokens).journalDirectory(journal).apiBase(base)
        .quotaUnitsPerSecond(unitsPerSecond).parallelism(parallelism).build();
  }

  /** The messages in the fake's mailbox, as SHA-256 of their bytes → how many copies. */
  static Map<String, Integer> stored(FakeGmailServer gmail) {
    Map<String, Integer> out = new HashMap<>();
    for (FakeGmailServer.StoredMessage m : gmail.messages(MAILBOX)) {
      out.merge(sha256(m.raw()), 1, Integer::sum);
    }
    return out;
  }

  /** How many requests the fake refused for going over the per-user quota. */
  static long quotaBreaches(FakeGmailServer gmail) {
    return gmail.quotaBreaches(MAILBOX);
  }

  /** The least time, in seconds, the fake's quota allows for {@code imports} imports. */
  static double leastSeconds(FakeGmailServer gmail, int imports) {
    return gmail.leastSeconds(imports);
  }

  /** How the fake received its uploads, in words for the report. */
  static String uploadDescription(FakeGmailServer gmail) {
    return gmail.toString();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
