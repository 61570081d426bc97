package dev.mailfetch.api;

/**
 * The caps that keep a run bounded, whatever a server sends. Immutable; build one with {@link
 * #builder()} or take {@link #defaults()}.
 *
 * <table>
 *   <caption>Limits and their defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>when reached</th></tr>
 *   <tr><td>{@link #maxListing()}</td><td>100,000 messages</td>
 *       <td>{@link FetchError#TOO_MANY_MESSAGES}: nothing is fetched</td></tr>
 *   <tr><td>{@link #maxMessagesPerRun()}</td><td>unlimited</td>
 *       <td>the rest wait for the next run (skipped, {@link SkipReason#RUN_LIMIT})</td></tr>
 *   <tr><td>{@link #maxBytesPerRun()}</td><td>unlimited</td>
 *       <td>the rest wait for the next run (skipped, {@link SkipReason#RUN_LIMIT})</td></tr>
 *   <tr><td>{@link #maxMessageSize()}</td><td>100 MiB</td>
 *       <td>the message stays on the server: skipped if the listing announces it, otherwise
 *           failed with {@link FetchError#LIMIT_EXCEEDED}</td></tr>
 *   <tr><td>{@link #maxHeaderBytes()}</td><td>256 KiB</td>
 *       <td>policies decide on the first {@code maxHeaderBytes} of the header section</td></tr>
 * </table>
 */
public final class FetchLimits {
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

  /** Most messages a mailbox may list; above it the run stops with TOO_MANY_MESSAGES. */
  public int maxListing() {
    return maxListing;
  }

  /** Most messages downloaded in one run. */
  public int maxMessagesPerRun() {
    return maxMessagesPerRun;
  }

  /** Most bytes (as announced) downloaded in one run; the message that crosses it is included. */
  public long maxBytesPerRun() {
    return maxBytesPerRun;
  }

  /** Largest message downloaded, in bytes. */
  public long maxMessageSize() {
    return maxMessageSize;
  }

  /** Most bytes of a header section held back for the policies. */
  public int maxHeaderBytes() {
    return maxHeaderBytes;
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

  /** Builds {@link FetchLimits}; each setting may be set once and must be positive. */
  public static final class Builder {
    private int maxListing = 100_000;
    private int maxMessagesPerRun = Integer.MAX_VALUE;
    private long maxBytesPerRun = Long.MAX_VALUE;
    private long maxMessageSize = 100L << 20;
    private int maxHeaderBytes = 256 << 10;
    private final java.util.Set<String> set = new java.util.HashSet<>();

    private Builder() {}

    /**
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxListing(int messages) {
      once("maxListing");
      this.maxListing = positive("maxListing", messages);
      return this;
    }

    /**
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxMessagesPerRun(int messages) {
      once("maxMessagesPerRun");
      this.maxMessagesPerRun = positive("maxMessagesPerRun", messages);
      return this;
    }

    /**
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxBytesPerRun(long bytes) {
      once("maxBytesPerRun");
      this.maxBytesPerRun = positive("maxBytesPerRun", bytes);
      return this;
    }

    /**
     * @throws IllegalArgumentException if not positive; IllegalStateException if set before
     */
    public Builder maxMessageSize(long bytes) {
      once("maxMessageSize");
      this.maxMessageSize = positive("maxMessageSize", bytes);
      return this;
    }

    /**
     * @throws IllegalArgumentException if below 1 KiB or above 16 MiB; IllegalStateException if set
     *     before
     */
    public Builder maxHeaderBytes(int bytes) {
      once("maxHeaderBytes");
      if (bytes < 1024 || bytes > (16 << 20)) {
        throw new IllegalArgumentException(
            String.format(
                java.util.Locale.ROOT, "maxHeaderBytes must be from 1024 to 16 MiB: %d", bytes));
      }
      this.maxHeaderBytes = bytes;
      return this;
    }

    public FetchLimits build() {
      return new FetchLimits(this);
    }

    private void once(String name) {
      if (!set.add(name)) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    private static int positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(
            String.format(java.util.Locale.ROOT, "%s must be positive: %d", name, value));
      }
      return value;
    }

    private static long positive(String name, long value) {
      if (value <= 0) {
        throw new IllegalArgumentException(
            String.format(java.util.Locale.ROOT, "%s must be positive: %d", name, value));
      }
      return value;
    }
  }
}
