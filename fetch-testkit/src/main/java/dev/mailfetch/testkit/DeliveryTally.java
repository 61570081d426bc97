package dev.mailfetch.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A corpus delivered into a mailbox of a {@link PrivateDovecot}, counted by content: which messages
 * arrived, which are missing, which arrived more than once, and what is there that is no message of
 * the corpus (a broken copy). The crash tests' judge.
 *
 * <p>A stored message is compared with the corpus message byte for byte, in Dovecot's stored form
 * (LF line ends), after removing only what a delivery adds on top: the {@code Return-Path} line
 * Dovecot's LMTP server prepends (where {@link Arrival#LMTP}), and header fields named {@code
 * X-Mailfetch-…} at the very top (a sink's own delivery key). Two identical messages in the corpus
 * must be two in the mailbox. Files already read are not read again (a Maildir file keeps its name
 * up to the {@code :2,} flags), so that checking after each of many kills stays cheap.
 */
public final class DeliveryTally {
  /** How the messages reached Dovecot, which decides what Dovecot added to each. */
  public enum Arrival {
    /** IMAP APPEND: stored as sent. */
    IMAP,
    /** LMTP: stored with a {@code Return-Path} line first. */
    LMTP,
    /**
     * A Maildir a fetch from Dovecot's IMAP server wrote (a {@code MaildirSink}): the message as
     * Dovecot serves it, LF line ends, and each NUL byte as 0x80: IMAP allows no NUL in a literal
     * (RFC 3501 section 4.3; RFC 9051 section 4.3), so Dovecot sends 0x80 in its place in {@code
     * BODY[]}, the one byte in which what a client can fetch differs from Dovecot's file.
     */
    IMAP_FETCH
  }

  /** The counts of one comparison of the mailbox with the corpus. */
  public record Counts(int messages, int lost, int twice, int foreign, List<String> lostUids) {
    @Override
    public String toString() {
      return messages
          + " messages: "
          + lost
          + " lost, "
          + twice
          + " more than once, "
          + foreign
          + " stored that are no message of the corpus"
          + (lostUids.isEmpty() ? "" : " (lost: " + lostUids + ")");
    }
  }

  private final MailCorpus corpus;
  private final Arrival arrival;
  private final Map<String, String> expectedKeyByUid = new HashMap<>();
  private final Map<String, String> storedKeyByUid = new HashMap<>();
  private final Map<String, Integer> expected = new HashMap<>();
  private final Map<String, String> keyByFile = new HashMap<>();

  private DeliveryTally(MailCorpus corpus, Arrival arrival) {
    this.corpus = corpus;
    this.arrival = arrival;
    for (MailCorpus.Message m : corpus.messages()) {
      byte[] lf = MailCorpus.toLf(m.content());
      String key = sha256(arrival == Arrival.IMAP_FETCH ? servedOverImap(lf) : lf);
      storedKeyByUid.put(m.uid(), sha256(lf));
      expectedKeyByUid.put(m.uid(), key);
      expected.merge(key, 1, Integer::sum);
    }
  }

  /** A tally of {@code corpus}, delivered by {@code arrival}. */
  public static DeliveryTally of(MailCorpus corpus, Arrival arrival) {
    return new DeliveryTally(corpus, arrival);
  }

  /** What {@code mailbox} of {@code dovecot} holds now: content key → copies. */
  public Map<String, Integer> stored(PrivateDovecot dovecot, String mailbox)
      throws IOException, InterruptedException {
    return stored(dovecot.files(mailbox));
  }

  /**
   * What the Maildir at {@code maildir} holds now in its {@code new/} and {@code cur/} (not its
   * folders): content key → copies. A Maildir not created yet holds nothing.
   */
  // Closing the concatenation closes both listings (Stream.concat's contract).
  @SuppressWarnings("StreamResourceLeak")
  public Map<String, Integer> stored(Path maildir) throws IOException {
    if (!Files.isDirectory(maildir.resolve("new")) || !Files.isDirectory(maildir.resolve("cur"))) {
      return Map.of();
    }
    try (Stream<Path> s =
        Stream.concat(Files.list(maildir.resolve("new")), Files.list(maildir.resolve("cur")))) {
      return stored(s.sorted().toList());
    }
  }

  /** How many corpus messages {@code stored} holds (each copy counted once per corpus message). */
  public int held(Map<String, Integer> stored) {
    int held = 0;
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      held += Math.min(e.getValue(), stored.getOrDefault(e.getKey(), 0));
    }
    return held;
  }

  /**
   * Which corpus message each of {@code files} is (by file {@link #baseName}, a corpus uid each,
   * identical messages each to another of their uids); fails unless the files are exactly the
   * corpus, each message once, byte for byte in the stored form (LF): the check that a server's own
   * storage holds the corpus before a fetch from it is compared with the corpus.
   */
  public Map<String, String> corpusUidsOf(List<Path> files) throws IOException {
    Map<String, List<String>> uidsByKey = new HashMap<>();
    for (MailCorpus.Message m : corpus.messages()) {
      uidsByKey.computeIfAbsent(storedKeyByUid.get(m.uid()), k -> new ArrayList<>()).add(m.uid());
    }
    Map<String, String> uidByFile = new HashMap<>();
    for (Path p : files) {
      String key = sha256(Files.readAllBytes(p));
      List<String> uids = uidsByKey.get(key);
      if (uids == null || uids.isEmpty()) {
        throw new AssertionError(p + " is no message of the corpus (or one more copy of one)");
      }
      uidByFile.put(baseName(p), uids.remove(uids.size() - 1));
    }
    if (uidByFile.size() != corpus.messages().size()) {
      throw new AssertionError(
          "the server holds " + uidByFile.size() + " of the corpus's " + corpus.messages().size());
    }
    return uidByFile;
  }

  /** A Maildir file's name up to its {@code :2,} flags, which a reader may change. */
  public static String baseName(Path file) {
    String name = file.getFileName().toString();
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }

  private Map<String, Integer> stored(List<Path> files) throws IOException {
    Map<String, Integer> stored = new HashMap<>();
    for (Path p : files) {
      String base = baseName(p);
      String key = keyByFile.get(base);
      if (key == null) {
        key = sha256(delivered(Files.readAllBytes(p)));
        keyByFile.put(base, key);
      }
      stored.merge(key, 1, Integer::sum);
    }
    return stored;
  }

  /**
   * Of the corpus messages whose unique id is not in {@code stillOnTheServer}, how many copies
   * {@code stored} lacks: messages deleted from the source before the destination had them.
   */
  public int deletedBeforeDelivery(Set<String> stillOnTheServer, Map<String, Integer> stored) {
    Map<String, Integer> gone = new HashMap<>();
    for (MailCorpus.Message m : corpus.messages()) {
      if (!stillOnTheServer.contains(m.uid())) {
        gone.merge(expectedKeyByUid.get(m.uid()), 1, Integer::sum);
      }
    }
    int missing = 0;
    for (Map.Entry<String, Integer> e : gone.entrySet()) {
      missing += Math.max(0, e.getValue() - stored.getOrDefault(e.getKey(), 0));
    }
    return missing;
  }

  /** The whole corpus against {@code stored}. */
  public Counts compare(Map<String, Integer> stored) {
    int lost = 0;
    int twice = 0;
    int foreign = 0;
    List<String> lostUids = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (MailCorpus.Message m : corpus.messages()) {
      String key = expectedKeyByUid.get(m.uid());
      int n = seen.merge(key, 1, Integer::sum);
      if (n > stored.getOrDefault(key, 0)) {
        lost++;
        if (lostUids.size() < 20) {
          lostUids.add(m.uid());
        }
      }
    }
    for (Map.Entry<String, Integer> e : stored.entrySet()) {
      Integer want = expected.get(e.getKey());
      if (want == null) {
        foreign += e.getValue();
      } else {
        twice += Math.max(0, e.getValue() - want);
      }
    }
    return new Counts(corpus.messages().size(), lost, twice, foreign, List.copyOf(lostUids));
  }

  /** {@code stored} as Dovecot's IMAP server sends it in {@code BODY[]} (each NUL as 0x80). */
  public static byte[] servedOverImap(byte[] stored) {
    byte[] served = stored.clone();
    for (int i = 0; i < served.length; i++) {
      if (served[i] == 0) {
        served[i] = (byte) 0x80;
      }
    }
    return served;
  }

  /** The stored bytes without what the delivery added on top. */
  private byte[] delivered(byte[] stored) {
    byte[] m = arrival == Arrival.LMTP ? PrivateDovecot.withoutReturnPath(stored) : stored;
    int start = 0;
    while (startsField(m, start, "x-mailfetch-")) {
      int eol = start;
      do {
        while (eol < m.length && m[eol] != '\n') {
          eol++;
        }
        eol++;
      } while (eol < m.length && (m[eol] == ' ' || m[eol] == '\t'));
      start = Math.min(eol, m.length);
    }
    return start == 0 ? m : Arrays.copyOfRange(m, start, m.length);
  }

  private static boolean startsField(byte[] m, int at, String prefix) {
    if (m.length - at < prefix.length()) {
      return false;
    }
    String head = new String(m, at, prefix.length(), StandardCharsets.ISO_8859_1);
    return head.toLowerCase(Locale.ROOT).equals(prefix);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
