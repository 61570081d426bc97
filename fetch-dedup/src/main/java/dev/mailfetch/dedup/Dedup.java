package dev.mailfetch.dedup;

import dev.mailfetch.api.DedupPolicy;
import dev.mailfetch.api.DedupVerdict;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.HeaderBlock;
import java.io.IOException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The stock {@link DedupPolicy}s, chosen by name, each remembering first copies in a {@link
 * FirstCopies} store: a {@link DedupStore} (a file), or a store shared by several instances ({@code
 * fetch-jdbc}). As Gmail did, the first copy wins: a later copy is discarded (and its labels added
 * to the first, docs/engine.md).
 *
 * <table>
 *   <caption>Policies</caption>
 *   <tr><th>name</th><th>two messages are one when</th></tr>
 *   <tr><td>{@code none}</td><td>never (the engine's default)</td></tr>
 *   <tr><td>{@code uid}</td><td>they have the same server UID, whatever account fetched them: one
 *       mailbox fetched under two account names</td></tr>
 *   <tr><td>{@code message-id}</td><td>they have the same Message-ID (angle brackets, case of the
 *       domain and surrounding text ignored) and the same Date; messages without one are never
 *       duplicates</td></tr>
 *   <tr><td>{@code digest}</td><td>their {@link dev.mailfetch.api.ContentDigest}s are equal: the same
 *       bytes apart from trace headers, decided once the body is read</td></tr>
 *   <tr><td>{@code message-id+digest}</td><td>either (a composite)</td></tr>
 * </table>
 */
public final class Dedup {
  private Dedup() {}

  /** The names {@link #byName} knows. */
  public static final List<String> NAMES =
      List.of("none", "uid", "message-id", "digest", "message-id+digest");

  /**
   * The policy called {@code name} (see the class documentation), remembering in {@code store}: as
   * {@code parse(name).policy(store)}.
   *
   * @throws IllegalArgumentException for a name not in {@link #NAMES}, saying which are
   */
  public static DedupPolicy byName(String name, DedupStore store) {
    return parse(name).policy(store);
  }

  /** As {@link #byName(String, DedupStore)}, remembering in any {@link FirstCopies} store. */
  public static DedupPolicy byName(String name, FirstCopies store) {
    return parse(name).policy(store);
  }

  /**
   * The policy called {@code name}, chosen before its store is opened, so that a name that does not
   * exist is refused before anything is created (as Caffeine's {@code CaffeineSpec.parse}).
   *
   * @throws IllegalArgumentException for a name not in {@link #NAMES}, saying which are
   */
  public static Spec parse(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (!NAMES.contains(n)) {
      throw new IllegalArgumentException(
          "no dedup policy \"" + name + "\"; the policies are " + String.join(", ", NAMES));
    }
    return new Spec(n);
  }

  /** A stock policy chosen by one of {@link #NAMES}, not yet given its store. */
  public static final class Spec {
    private final String name;

    private Spec(String name) {
      this.name = name;
    }

    /** The policy's name, in lower case, as in {@link #NAMES}. */
    public String name() {
      return name;
    }

    /** The policy, remembering first copies in {@code store}. */
    public DedupPolicy policy(DedupStore store) {
      return policy(store.reading()); // a file that cannot be read is an IOException to the engine
    }

    /** The policy, remembering first copies in {@code store}, whichever kind it is. */
    public DedupPolicy policy(FirstCopies store) {
      switch (name) {
        case "none":
          return DedupPolicy.none();
        case "uid":
          return byUid(store);
        case "message-id":
          return byMessageId(store);
        case "digest":
          return byDigest(store);
        default: // "message-id+digest": parse admits no other name
          return composite(byMessageId(store), byDigest(store));
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Spec s && s.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return "Dedup.Spec[" + name + "]";
    }
  }

  /** Same UID, across accounts. */
  public static DedupPolicy byUid(DedupStore store) {
    return byUid((FirstCopies) store);
  }

  /** As {@link #byUid(DedupStore)}, remembering in any {@link FirstCopies} store. */
  public static DedupPolicy byUid(FirstCopies store) {
    return new ByHeaders(store, Clock.systemUTC(), "uid") {
      @Override
      Optional<String> key(Envelope e, HeaderBlock h) {
        return Optional.ofNullable(e.uid()).map(u -> "uid " + u);
      }

      @Override
      String reason(String key) {
        return "the same UID " + key.substring(4) + " (fetched under another account)";
      }

      @Override
      public boolean needsHeaders() {
        return false; // the UID is in the envelope
      }
    };
  }

  /** Same Message-ID. */
  public static DedupPolicy byMessageId(DedupStore store) {
    return byMessageId((FirstCopies) store);
  }

  /** As {@link #byMessageId(DedupStore)}, remembering in any {@link FirstCopies} store. */
  public static DedupPolicy byMessageId(FirstCopies store) {
    return new ByHeaders(store, Clock.systemUTC(), "message-id") {
      @Override
      Optional<String> key(Envelope e, HeaderBlock h) {
        // The Date confirms the Message-ID: broken mailers reuse IDs for other messages, which
        // would otherwise be discarded (lost); a copy that travelled keeps its Date.
        String date = h.first("Date").map(d -> oneSpaced(d).strip()).orElse("");
        return h.first("Message-ID")
            .flatMap(Dedup::normalMessageId)
            .map(id -> "mid " + id + " " + date);
      }

      @Override
      String reason(String key) {
        String rest = key.substring(4);
        int gt = rest.indexOf('>');
        return "Message-ID " + rest.substring(0, gt + 1);
      }
    };
  }

  /** Same content, trace headers aside. */
  public static DedupPolicy byDigest(DedupStore store) {
    return byDigest((FirstCopies) store);
  }

  /** As {@link #byDigest(DedupStore)}, remembering in any {@link FirstCopies} store. */
  public static DedupPolicy byDigest(FirstCopies store) {
    return new ByDigest(store, Clock.systemUTC());
  }

  /** The first of {@code policies} to call a message a duplicate decides; all remember it. */
  public static DedupPolicy composite(DedupPolicy... policies) {
    return new Composite(List.of(policies));
  }

  /**
   * {@code value} with each run of the characters regex {@code \\s} matches (space, tab, LF, VT,
   * FF, CR) made one space: what {@code replaceAll("\\s+", " ")} gives, without compiling a pattern
   * for every message (twice: when checked and when remembered). The stored keys depend on it being
   * the same.
   */
  static String oneSpaced(String value) {
    int n = value.length();
    StringBuilder sb = null;
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (!isRegexSpace(c)) {
        if (sb != null) {
          sb.append(c);
        }
        continue;
      }
      int end = i + 1;
      while (end < n && isRegexSpace(value.charAt(end))) {
        end++;
      }
      if (c == ' ' && end == i + 1 && sb == null) {
        continue; // a single space stays as it is: nothing to copy yet
      }
      if (sb == null) {
        sb = new StringBuilder(n).append(value, 0, i);
      }
      sb.append(' ');
      i = end - 1;
    }
    return sb == null ? value : sb.toString();
  }

  private static boolean isRegexSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r'); // \t \n \u000B \f \r
  }

  /**
   * {@code <local@domain>} with the domain in lower case, from a Message-ID field's value (which
   * may carry comments or stray text around it); empty if there is no such token.
   */
  static Optional<String> normalMessageId(String value) {
    int lt = value.indexOf('<');
    int gt = lt < 0 ? -1 : value.indexOf('>', lt);
    if (lt < 0 || gt < lt + 2) {
      return Optional.empty();
    }
    String id = value.substring(lt + 1, gt).strip();
    int at = id.lastIndexOf('@');
    if (id.isEmpty() || id.indexOf(' ') >= 0) {
      return Optional.empty();
    }
    return Optional.of(
        "<"
            + (at < 0 ? id : id.substring(0, at) + id.substring(at).toLowerCase(Locale.ROOT))
            + ">");
  }

  /** A policy keyed on the envelope and headers, decided before the body. */
  private abstract static class ByHeaders implements DedupPolicy {
    private final FirstCopies store;
    private final Clock clock;
    private final String name;

    ByHeaders(FirstCopies store, Clock clock, String name) {
      this.store = Objects.requireNonNull(store, "store");
      this.clock = clock;
      this.name = name;
    }

    abstract Optional<String> key(Envelope e, HeaderBlock h);

    abstract String reason(String key);

    @Override
    public DedupVerdict check(Envelope envelope, HeaderBlock headers) throws IOException {
      Optional<String> k = key(envelope, headers);
      if (k.isEmpty()) {
        return DedupVerdict.NEW;
      }
      Optional<DeliveryKey> first = store.firstCopy(k.get(), clock.instant());
      return first.isPresent()
          ? DedupVerdict.duplicateOf(first.get(), reason(k.get()))
          : DedupVerdict.NEW;
    }

    @Override
    public void delivered(Envelope envelope, HeaderBlock headers, DeliveryKey key)
        throws IOException {
      Optional<String> k = key(envelope, headers);
      if (k.isPresent()) {
        store.remember(k.get(), key, clock.instant());
      }
    }

    @Override
    public String toString() {
      return "Dedup." + name + "(" + store + ")";
    }
  }

  /**
   * Same content: decided after the body, from the engine's ContentDigest. A message with none of
   * the fields its author writes ({@link HeaderBlock#hasMessageFields()}: a message a server served
   * empty, or with only the fields it adds) is never a duplicate and never remembered: such
   * messages share nearly one digest, and each would otherwise be discarded, and in a delete mode
   * deleted, as a copy of the first. The engine does not even ask about a message with no content
   * at all; this is the policy's own guard, whichever engine calls it.
   */
  private static final class ByDigest implements DedupPolicy {
    private final FirstCopies store;
    private final Clock clock;

    ByDigest(FirstCopies store, Clock clock) {
      this.store = Objects.requireNonNull(store, "store");
      this.clock = clock;
    }

    @Override
    public DedupVerdict check(Envelope envelope, HeaderBlock headers) {
      return DedupVerdict.NEW; // nothing to go on before the body
    }

    @Override
    public boolean needsContentDigest() {
      return true;
    }

    @Override
    public DedupVerdict checkContent(Envelope envelope, HeaderBlock headers, byte[] digest)
        throws IOException {
      if (!headers.hasMessageFields()) {
        return DedupVerdict.NEW; // see hasMessageFields: such a digest does not tell messages apart
      }
      String k = "sha " + HexFormat.of().formatHex(digest);
      return store
          .firstCopy(k, clock.instant())
          .map(
              first ->
                  DedupVerdict.duplicateOf(
                      first, "the same content (SHA-256 " + k.substring(4, 16) + "…)"))
          .orElse(DedupVerdict.NEW);
    }

    @Override
    public void delivered(Envelope envelope, HeaderBlock headers, DeliveryKey key) {
      // without the digest there is nothing to remember; the engine calls the four-argument form
    }

    @Override
    public void delivered(Envelope envelope, HeaderBlock headers, DeliveryKey key, byte[] digest)
        throws IOException {
      if (digest != null && headers.hasMessageFields()) {
        store.remember("sha " + HexFormat.of().formatHex(digest), key, clock.instant());
      }
    }

    @Override
    public String toString() {
      return "Dedup.digest(" + store + ")";
    }
  }

  private static final class Composite implements DedupPolicy {
    private final List<DedupPolicy> policies;

    Composite(List<DedupPolicy> policies) {
      this.policies = policies;
    }

    @Override
    public DedupVerdict check(Envelope envelope, HeaderBlock headers) throws IOException {
      for (DedupPolicy p : policies) {
        DedupVerdict v = p.check(envelope, headers);
        if (v.isDuplicate()) {
          return v;
        }
      }
      return DedupVerdict.NEW;
    }

    @Override
    public boolean needsContentDigest() {
      return policies.stream().anyMatch(DedupPolicy::needsContentDigest);
    }

    @Override
    public DedupVerdict checkContent(Envelope envelope, HeaderBlock headers, byte[] digest)
        throws IOException {
      for (DedupPolicy p : policies) {
        DedupVerdict v = p.checkContent(envelope, headers, digest);
        if (v.isDuplicate()) {
          return v;
        }
      }
      return DedupVerdict.NEW;
    }

    @Override
    public void delivered(Envelope envelope, HeaderBlock headers, DeliveryKey key)
        throws IOException {
      delivered(envelope, headers, key, null);
    }

    @Override
    public void delivered(Envelope envelope, HeaderBlock headers, DeliveryKey key, byte[] digest)
        throws IOException {
      for (DedupPolicy p : policies) {
        p.delivered(envelope, headers, key, digest);
      }
    }

    @Override
    public boolean needsHeaders() {
      return policies.stream().anyMatch(DedupPolicy::needsHeaders);
    }

    @Override
    public String toString() {
      return "Dedup.composite" + policies;
    }
  }
}
