package dev.mailfetch.bench;

import dev.mailfetch.api.ContentDigest;
import dev.mailfetch.api.DedupPolicy;
import dev.mailfetch.api.DedupVerdict;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.HeaderBlock;
import dev.mailfetch.dedup.Dedup;
import dev.mailfetch.dedup.DedupStore;
import dev.mailfetch.testkit.MailCorpus;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Replays a mailbox trace through each stock dedup policy the way the engine calls it (check on the
 * headers, then on the content, remember what was delivered) and counts, against the truth of the
 * trace: duplicates caught, duplicates missed, and false positives (a different message discarded
 * as a duplicate: mail lost). Also the heap the policy's store keeps.
 *
 * <p>The trace is built from the corpus generator (seeded, so the same everywhere) with the ways
 * duplicates and look-alikes really arise: the corpus's own copies (2%, some with other trace
 * headers), copies that reach a second account with their own trace headers, one mailbox set up
 * twice under two account names, client forwards ("Fwd:", a new Message-ID: different messages), a
 * server migration that lists a whole mailbox again under new UIDs (quirk Q26), a server that
 * reuses the UIDs of deleted messages, a broken mailer that reuses a Message-ID for another
 * message, and messages without a Message-ID.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.mailfetch.bench.DedupSimulator}
 */
public final class DedupSimulator {
  private DedupSimulator() {}

  /**
   * One arrival: which account, which UID, the bytes, and whether it truly repeats an earlier
   * arrival.
   */
  record Arrival(String account, String uid, byte[] content, boolean trulyDuplicate, String kind) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    List<Arrival> trace = trace(n, new Random(5));
    Map<String, Integer> kinds = new HashMap<>();
    for (Arrival a : trace) {
      kinds.merge(a.kind(), 1, Integer::sum);
    }
    System.out.println("trace: " + trace.size() + " arrivals " + kinds);
    System.out.println(
        "| policy | duplicates in trace | caught | missed | false positives (mail lost) | store entries | store heap |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String name : Dedup.NAMES) {
      long before = heap();
      DedupStore store = DedupStore.inMemory(DedupStore.Window.DEFAULT);
      DedupPolicy policy = Dedup.byName(name, store);
      int dups = 0;
      int caught = 0;
      int missed = 0;
      int falsePositives = 0;
      Map<String, Integer> fpKinds = new java.util.TreeMap<>();
      for (Arrival a : trace) {
        boolean discarded = replay(policy, a);
        if (a.trulyDuplicate()) {
          dups++;
          if (discarded) {
            caught++;
          } else {
            missed++;
          }
        } else if (discarded) {
          falsePositives++;
          fpKinds.merge(a.kind(), 1, Integer::sum);
        }
      }
      long after = heap();
      System.out.printf(
          java.util.Locale.ROOT,
          "| `%s` | %d | %d | %d | %d %s | %d | %s |%n",
          name,
          dups,
          caught,
          missed,
          falsePositives,
          fpKinds.isEmpty() ? "" : fpKinds.toString(),
          store.size(),
          store.size() == 0 ? "0" : ((after - before) / 1024) + " KB");
      store.close();
    }
  }

  /** What the engine does with one message; true if it was discarded as a duplicate. */
  private static boolean replay(DedupPolicy policy, Arrival a) throws java.io.IOException {
    byte[] c = a.content();
    int end = headerEnd(c);
    HeaderBlock headers = HeaderBlock.of(java.util.Arrays.copyOf(c, end), true);
    Envelope env = new Envelope(a.account(), a.uid(), c.length, Set.of(), false);
    DeliveryKey key = DeliveryKey.of(a.account(), a.uid());
    DedupVerdict v = policy.check(env, headers);
    byte[] digest = null;
    if (!v.isDuplicate() && policy.needsContentDigest()) {
      digest = ContentDigest.of(c);
      v = policy.checkContent(env, headers, digest);
    }
    if (v.isDuplicate() && !v.firstCopy().equals(key)) {
      return true; // in this replay the sink holds every first copy
    }
    policy.delivered(env, headers, key, digest);
    return false;
  }

  static List<Arrival> trace(int n, Random r) {
    List<Arrival> out = new ArrayList<>();
    Set<String> seenIds = new HashSet<>();
    List<MailCorpus.Message> base = MailCorpus.generate(7, n).messages();
    List<byte[]> delivered = new ArrayList<>();
    for (MailCorpus.Message m : base) {
      boolean dup = m.messageId() != null && !seenIds.add(m.messageId());
      out.add(new Arrival("home", m.uid(), m.content(), dup, dup ? "corpus copy" : "new"));
      if (!dup) {
        delivered.add(m.content());
      }
      double x = r.nextDouble();
      if (!dup && x < 0.10) { // the same message reaches the work account too
        out.add(
            new Arrival(
                "work",
                "w-" + m.uid(),
                withTrace(m.content(), "work.example"),
                true,
                "second account"));
      } else if (!dup && x < 0.13) { // forwarded by a person: a new message
        out.add(
            new Arrival(
                "home", "fwd-" + m.uid(), forward(m.content(), r), false, "client forward"));
      } else if (!dup
          && x < 0.14
          && m.messageId() != null) { // a broken mailer reuses this Message-ID
        out.add(
            new Arrival(
                "home",
                "reuse-" + m.uid(),
                otherMessage(m.messageId(), r),
                false,
                "Message-ID reused"));
      } else if (!dup && x < 0.19) { // the same mailbox set up a second time under another name
        out.add(new Arrival("home-alias", m.uid(), m.content(), true, "same mailbox, two names"));
      }
    }
    // The home server migrates: the whole mailbox listed again under new UIDs (quirk Q26).
    int i = 0;
    for (byte[] c : delivered.subList(0, Math.min(delivered.size(), n / 5))) {
      out.add(new Arrival("home", "migrated-" + (i++), c, true, "migration (Q26)"));
    }
    // The server reuses the UIDs of deleted messages for new mail.
    for (MailCorpus.Message m : MailCorpus.generate(8, n / 50).messages()) {
      String reused = base.get(r.nextInt(base.size())).uid();
      boolean dup =
          m.messageId() != null && !seenIds.add(m.messageId()); // that corpus's own copies
      out.add(new Arrival("home", reused, m.content(), dup, dup ? "corpus copy" : "UID reused"));
    }
    return out;
  }

  private static byte[] withTrace(byte[] content, String host) {
    String trace =
        "Received: from relay."
            + host
            + " by mx."
            + host
            + "; Sat, 21 Nov 2026 10:00:00 +0000\r\n"
            + "Delivered-To: me@"
            + host
            + "\r\n";
    byte[] t = trace.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[t.length + content.length];
    System.arraycopy(t, 0, out, 0, t.length);
    System.arraycopy(content, 0, out, t.length, content.length);
    return out;
  }

  private static byte[] forward(byte[] content, Random r) {
    String s = new String(content, StandardCharsets.ISO_8859_1);
    return ("Message-ID: <fwd-"
            + r.nextLong()
            + "@client.example>\r\nSubject: Fwd: forwarded\r\n\r\n"
            + "---------- Forwarded message ----------\r\n"
            + s)
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Another message (its own date, subject and body) that carries {@code messageId}. */
  private static byte[] otherMessage(String messageId, Random r) {
    return ("Date: Sun, "
            + (1 + r.nextInt(28))
            + " Dec 2026 0"
            + r.nextInt(10)
            + ":00:00 +0000\r\n"
            + "From: Newsletter <news@mailer.example>\r\nSubject: issue "
            + r.nextInt(1000)
            + "\r\n"
            + "Message-ID: "
            + messageId
            + "\r\n\r\nthis week's news "
            + r.nextLong()
            + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static int headerEnd(byte[] m) {
    for (int i = 0; i + 3 < m.length; i++) {
      if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') {
        return i + 4;
      }
    }
    return m.length;
  }

  private static long heap() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
