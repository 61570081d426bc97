package dev.mailfetch.testkit.imap;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Something going wrong on a {@link FakeImapServer}'s side that a real IMAP server will not do on
 * demand: each has a {@link Name}, and the table in docs/testkit.md ("Fake IMAP server") says what
 * the client sees.
 *
 * <p>APPENDs are counted per session from 1, in the order their command lines arrive (a MULTIAPPEND
 * is one APPEND). A fault applies to every session unless {@link #inSession(int)} names one, so a
 * test can break the first session and let the next one work. Every fault is bounded: a wait ends
 * after {@link #MAX_WAIT} or when the client leaves, endless output after {@link
 * #ENDLESS_BYTE_BUDGET} bytes or {@link #MAX_WAIT}.
 */
public final class ImapFault {
  /** Longest the server waits (for a continuation that never comes) or talks (endless output). */
  public static final Duration MAX_WAIT = Duration.ofSeconds(60);

  /** Most bytes of endless untagged output before the server gives up and closes. */
  public static final long ENDLESS_BYTE_BUDGET = 64L << 20;

  /** The named faults. */
  public enum Name {
    /** The connection is closed (FIN) after half of the k-th APPEND's first literal arrived. */
    DROP_MID_LITERAL,
    /**
     * APPEND is refused with {@code NO [OVERQUOTA]} (RFC 9208), nothing stored, once the server has
     * stored N messages by APPEND (N = 0: every APPEND).
     */
    OVERQUOTA,
    /**
     * After the tagged OK of the k-th APPEND, {@code * BYE} and a close: the APPENDs after it are
     * lost.
     */
    BYE_MID_BATCH,
    /** The k-th APPEND's synchronizing literal never gets its {@code +} continuation. */
    CONTINUATION_NEVER_COMES,
    /** The k-th APPEND is stored, then the connection closes before its tagged OK. */
    OK_LOST,
    /** The k-th command with the verb named is answered with untagged lines that never end. */
    ENDLESS_UNTAGGED,
    /**
     * The k-th command with the verb named is answered {@code * 1 FETCH (UID 1 BODY[]
     * {1099511627776}}: a literal of 1 TiB, whose bytes then come until the client leaves or the
     * budget is spent.
     */
    HUGE_LITERAL,
    /**
     * STARTTLS's tagged OK comes in one segment with a forged {@code * OK [CAPABILITY IMAP4rev1
     * AUTH=PLAIN]} line (response injection: bytes that arrive before TLS and would be read after
     * it, EAST B_1), then the handshake.
     */
    STARTTLS_INJECTION
  }

  final Name name;
  final int count;
  final String verb;
  final int session;

  private ImapFault(Name name, int count, String verb, int session) {
    this.name = name;
    this.count = count;
    this.verb = verb;
    this.session = session;
  }

  /** {@link Name#DROP_MID_LITERAL} at the {@code k}-th APPEND of a session. */
  public static ImapFault dropMidLiteral(int k) {
    return new ImapFault(Name.DROP_MID_LITERAL, positive(k), "APPEND", 0);
  }

  /** {@link Name#OVERQUOTA} for every APPEND. */
  public static ImapFault overquota() {
    return overquotaAfter(0);
  }

  /** {@link Name#OVERQUOTA} once {@code n} messages were stored by APPEND on this server. */
  public static ImapFault overquotaAfter(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("must not be negative: " + n);
    }
    return new ImapFault(Name.OVERQUOTA, n, "APPEND", 0);
  }

  /** {@link Name#BYE_MID_BATCH} after the {@code k}-th APPEND of a session. */
  public static ImapFault byeMidBatch(int k) {
    return new ImapFault(Name.BYE_MID_BATCH, positive(k), "APPEND", 0);
  }

  /** {@link Name#CONTINUATION_NEVER_COMES} at the {@code k}-th APPEND of a session. */
  public static ImapFault continuationNeverComes(int k) {
    return new ImapFault(Name.CONTINUATION_NEVER_COMES, positive(k), "APPEND", 0);
  }

  /** {@link Name#OK_LOST} at the {@code k}-th APPEND of a session. */
  public static ImapFault okLost(int k) {
    return new ImapFault(Name.OK_LOST, positive(k), "APPEND", 0);
  }

  /**
   * {@link Name#ENDLESS_UNTAGGED} in answer to the {@code k}-th command {@code verb} of a session
   * ({@code "NOOP"}, {@code "SELECT"}, {@code "APPEND"}, {@code "UID SEARCH"}…).
   */
  public static ImapFault endlessUntagged(String verb, int k) {
    Objects.requireNonNull(verb, "verb");
    if (verb.isBlank()) {
      throw new IllegalArgumentException("verb must be an IMAP command such as NOOP");
    }
    return new ImapFault(
        Name.ENDLESS_UNTAGGED, positive(k), verb.strip().toUpperCase(Locale.ROOT), 0);
  }

  /** {@link Name#HUGE_LITERAL} in answer to the {@code k}-th command {@code verb} of a session. */
  public static ImapFault hugeLiteral(String verb, int k) {
    Objects.requireNonNull(verb, "verb");
    return new ImapFault(Name.HUGE_LITERAL, positive(k), verb.strip().toUpperCase(Locale.ROOT), 0);
  }

  /** {@link Name#STARTTLS_INJECTION} at the session's STARTTLS. */
  public static ImapFault starttlsInjection() {
    return new ImapFault(Name.STARTTLS_INJECTION, 1, "STARTTLS", 0);
  }

  /** This fault in session {@code n} only (sessions are counted from 1 in accept order). */
  public ImapFault inSession(int n) {
    return new ImapFault(name, count, verb, positive(n));
  }

  /** Its name. */
  public Name name() {
    return name;
  }

  boolean appliesTo(int sessionNumber) {
    return session == 0 || session == sessionNumber;
  }

  /** The fault without its session: {@code OK_LOST at APPEND #2}. */
  String what() {
    return name + (name == Name.OVERQUOTA ? " after " + count : " at " + verb + " #" + count);
  }

  @Override
  public String toString() {
    return what() + (session > 0 ? " in session " + session : "");
  }

  private static int positive(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("must be 1 or more: " + n);
    }
    return n;
  }
}
