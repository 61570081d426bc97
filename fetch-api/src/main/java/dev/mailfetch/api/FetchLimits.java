package dev.mailfetch.api;

import dev.mailfetch.api.internal.Require;
import java.util.Objects;

/**
 * The caps that keep a run bounded, whatever a server sends. Immutable; build one with {@link
 * #builder()}, take {@link #defaults()}, or change some of an existing one with {@link
 * #toBuilder()}.
 *
 * <p>These are the run's policy: which messages are fetched, and how many. A source may also guard
 * its wire with caps of its own, against a server that never ends a reply (for POP3, {@code
 * Pop3Limits.maxListingLinesOnTheWire} and {@code maxBodyBytesOnTheWire}); those are framing
 * safety, set far above these defaults (ten times), and only stop what no policy here would let
 * through. Raise a cap here beyond the source's, and raise the source's too: the first one reached
 * decides.
 *
 * <table>
 *   <caption>Limits and their defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>when reached</th></tr>
 *   <tr><td>{@link #maxListing()}</td><td>100,000 messages ({@link #DEFAULT_MAX_LISTING})</td>
 *       <td>{@link FetchError#TOO_MANY_MESSAGES}: nothing is fetched</td></tr>
 *   <tr><td>{@link #maxMessagesPerRun()}</td><td>unlimited</td>
 *       <td>the rest wait for the next run (skipped, {@link SkipReason#RUN_LIMIT})</td></tr>
 *   <tr><td>{@link #maxBytesPerRun()}</td><td>unlimited</td>
 *       <td>the rest wait for the next run (skipped, {@link SkipReason#RUN_LIMIT})</td></tr>
 *   <tr><td>{@link #maxMessageSize()}</td><td>100 MiB ({@link #DEFAULT_MAX_MESSAGE_SIZE})</td>
 *       <td>the message stays on the server: skipped if the listing announces it, otherwise
 *           failed with {@link FetchError#LIMIT_EXCEEDED}</td></tr>
 *   <tr><td>{@link #maxHeaderBytes()}</td><td>256 KiB ({@link #DEFAULT_MAX_HEADER_BYTES})</td>
 *       <td>policies decide on the first {@code maxHeaderBytes} of the header section</td></tr>
 * </table>
 */
public final class FetchLimits {
  /** Default of {@link #maxListing()}: {@value} messages. */
  public static final int DEFAULT_MAX_LISTING = 100_000;

  /** Default of {@link #maxMessagesPerRun()}: {@value} (unlimited). */
  public static final int DEFAULT_MAX_MESSAGES_PER_RUN = Integer.MAX_VALUE;

  /** Default of {@link #maxBytesPerRun()}: {@value} (unlimited). */
  public static final long DEFAULT_MAX_BYTES_PER_RUN = Long.MAX_VALUE;

  /** Default of {@link #maxMessageSize()}: {@value} bytes (100 MiB). */
  public static final long DEFAULT_MAX_MESSAGE_SIZE = 100L << 20;

  /** Default of {@link #maxHeaderBytes()}: {@value} bytes (256 KiB). */
  public static final int DEFAULT_MAX_HEADER_BYTES = 256 << 10;

  private static final FetchLimits DEFAULTS = builder().build();

  private final int maxListing;
  private final int maxMessagesPerRun;
  private final long maxBytesPerRun;
  private final long maxMessageSize;
  private final int maxHeaderBytes;

  private FetchLimits(Builder b) {
    this.maxListing = b.maxListing;
    this.maxMessagesPerRun = b.maxMessagesPerRun;
    this.maxBytesPerRun = b.maxBytesPerRun;
    this.maxMessageSize = b.maxMessageSize;
    this.maxHeaderBytes = b.maxHeaderBytes;
  }

  /** The documented defaults. */
  public static FetchLimits defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from these limits: each setting may be set once more, the others keep their
   * values here.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxListing = maxListing;
    b.maxMessagesPerRun = maxMessagesPerRun;
    b.maxBytesPerRun = maxBytesPerRun;
    b.maxMessageSize = maxMessageSize;
    b.maxHeaderBytes = maxHeaderBytes;
    return b;
  }

  /**
   * Most messages a mailbox may list; above it the run stops with TOO_MANY_MESSAGES. Default
   * {@value #DEFAULT_MAX_LISTING}.
   */
  public int maxListing() {
    return maxListing;
  }

  /** Most messages downloaded in one run. Default unlimited. */
  public int maxMessagesPerRun() {
    return maxMessagesPerRun;
  }

  /**
   * Most bytes (as announced) downloaded in one run; the message that crosses it is included.
   * Default unlimited.
   */
  public long maxBytesPerRun() {
    return maxBytesPerRun;
  }

  /** Largest message downloaded, in bytes. Default {@value #DEFAULT_MAX_MESSAGE_SIZE} (100 MiB). */
  public long maxMessageSize() {
    return maxMessageSize;
  }

  /**
   * Most bytes of a header section held back for the policies. Default {@value
   * #DEFAULT_MAX_HEADER_BYTES} (256 KiB).
   */
  public int maxHeaderBytes() {
    return maxHeaderBytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FetchLimits l
        && maxListing == l.maxListing
        && maxMessagesPerRun == l.maxMessagesPerRun
        && maxBytesPerRun == l.maxBytesPerRun
        && maxMessageSize == l.maxMessageSize
        && maxHeaderBytes == l.maxHeaderBytes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        maxListing, maxMessagesPerRun, maxBytesPerRun, maxMessageSize, maxHeaderBytes);
  }

  @Override
  public String toString() {
    return "FetchLimits[maxListing="
        + maxListing
        + ", maxMessagesPerRun="
        + maxMessagesPerRun
        + ", maxBytesPerRun="
        + maxBytesPerRun
        + ", maxMessageSize="
        + maxMessageSize
        + ", maxHeaderBytes="
        + maxHeaderBytes
        + "]";
  }

  /**
   * Builds {@link FetchLimits}; each setting may be set once (a second call is refused, showing the
   * value it has) and must be positive.
   */
  public static final class Builder {
    private int maxListing = DEFAULT_MAX_LISTING;
    private int maxMessagesPerRun = DEFAULT_MAX_MESSAGES_PER_RUN;
    private long maxBytesPerRun = DEFAULT_MAX_BYTES_PER_RUN;
    private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
    private static final int MIN_HEADER_BYTES = 1024;
    private static final int MAX_HEADER_BYTES = 16 << 20;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /**
     * Default {@value #DEFAULT_MAX_LISTING}.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxListing(int messages) {
      once.set("maxListing", this.maxListing);
      this.maxListing = Require.positive("maxListing", messages);
      return this;
    }

    /**
     * Default unlimited.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxMessagesPerRun(int messages) {
      once.set("maxMessagesPerRun", this.maxMessagesPerRun);
      this.maxMessagesPerRun = Require.positive("maxMessagesPerRun", messages);
      return this;
    }

    /**
     * Default unlimited.
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxBytesPerRun(long bytes) {
      once.set("maxBytesPerRun", this.maxBytesPerRun);
      this.maxBytesPerRun = Require.positive("maxBytesPerRun", bytes);
      return this;
    }

    /**
     * Default {@value #DEFAULT_MAX_MESSAGE_SIZE} (100 MiB).
     *
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxMessageSize(long bytes) {
      once.set("maxMessageSize", this.maxMessageSize);
      this.maxMessageSize = Require.positive("maxMessageSize", bytes);
      return this;
    }

    /**
     * Default {@value #DEFAULT_MAX_HEADER_BYTES} (256 KiB).
     *
     * @throws IllegalArgumentException if below 1 KiB or above 16 MiB; IllegalStateException if set
     *     before
     */
    public Builder maxHeaderBytes(int bytes) {
      once.set("maxHeaderBytes", this.maxHeaderBytes);
      Require.requireArgument(
          bytes >= MIN_HEADER_BYTES && bytes <= MAX_HEADER_BYTES,
          "maxHeaderBytes must be from 1024 to 16 MiB: %d",
          bytes);
      this.maxHeaderBytes = bytes;
      return this;
    }

    public FetchLimits build() {
      return new FetchLimits(this);
    }
  }
}
