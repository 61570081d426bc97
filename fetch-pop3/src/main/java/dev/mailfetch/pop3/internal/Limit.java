package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.Remedy;
import java.time.Duration;

/**
 * The caps and deadlines of {@code Pop3Limits}, each with what it bounds in words, the builder
 * call a developer changes, and the {@code mailfetch} option that sets it, where there is one. An
 * error names the limit in words; its {@link #remedy} names what each reader can type, and says so
 * plainly where the command has no option for it.
 */
enum Limit {
  CONNECT_TIMEOUT("the time allowed to connect", "connectTimeout", null),
  HANDSHAKE_TIMEOUT("the time allowed for the TLS handshake", "handshakeTimeout", null),
  READ_TIMEOUT("the time the server may stay silent", "readTimeout", "--timeout SECONDS"),
  COMMAND_TIMEOUT("the time one reply may take", "commandTimeout", "--timeout SECONDS (a reply may take twice that)"),
  STATUS_LINE("the longest reply line", "maxStatusLine", null),
  LISTING_LINE("the longest capability or listing line", "maxListingLine", null),
  LISTING_ENTRIES("the most lines one listing may have", "maxListingEntries", null),
  MESSAGE_SIZE("the largest message this client reads", "maxMessageSize", null),
  SASL_ROUNDS("the most challenges one login may send", "maxSaslRounds", null),
  SASL_CHALLENGE("the longest login challenge", "maxSaslChallenge", null);

  private final String words;
  private final String builder;
  private final String option;

  Limit(String words, String builder, String option) {
    this.words = words;
    this.builder = builder;
    this.option = option;
  }

  /** What it bounds, in words ("the longest reply line"). */
  String words() {
    return words;
  }

  /** The limit in words with its value: "the longest reply line (64 KiB)". */
  String words(long value) {
    return words + " (" + (isTime() ? seconds(Duration.ofMillis(value)) : bytes(value)) + ")";
  }

  /** As {@link #words(long)}, for a deadline. */
  String words(Duration value) {
    return words + " (" + seconds(value) + ")";
  }

  private boolean isTime() {
    return name().endsWith("TIMEOUT");
  }

  /**
   * What to do when this limit was reached at {@code value}: raise it where the server is
   * trustworthy (by the option, or, where the command has none, saying so), else tell the provider.
   */
  Remedy remedy(String value) {
    String library = "Pop3Limits.Builder." + builder + " (now " + value + ")";
    if (isTime()) {
      String command = option != null
          ? "If the server is slow but working, give it more time with " + option + "; otherwise try again"
              + " later, and if it keeps happening at the same point, ask the provider."
          : "Check the server name and port, and try again later; if it keeps happening, ask the provider. The"
              + " command has no option to change " + words + " (" + value + ").";
      return Remedy.of(command, "If the server is slow but working, raise " + library + "; otherwise try again"
          + " later, and if it keeps happening at the same point, ask the provider.");
    }
    String command = option != null
        ? "If the server is trustworthy and the size expected, raise it with " + option + "; otherwise tell the"
            + " provider what the message shows."
        : "The command has no option to raise " + words + " (" + value + "): a server that sends more is broken or"
            + " hostile, so tell the provider what the message shows.";
    return Remedy.of(command, "If the server is trustworthy and the size expected, raise " + library
        + "; otherwise tell the provider what the message shows.");
  }

  /** {@link #remedy(String)} for a size or count. */
  Remedy remedy(long value) {
    return remedy(bytes(value));
  }

  /** {@link #remedy(String)} for a deadline. */
  Remedy remedy(Duration value) {
    return remedy(seconds(value));
  }

  /** A size as a person reads it: "512 bytes", "64 KiB", "1 GiB"; counts stay plain numbers. */
  String bytes(long n) {
    if (this == LISTING_ENTRIES || this == SASL_ROUNDS) {
      return String.format(java.util.Locale.ROOT, "%,d", n);
    }
    if (n >= 1L << 30 && n % (1L << 30) == 0) {
      return (n >> 30) + " GiB";
    }
    if (n >= 1L << 20 && n % (1L << 20) == 0) {
      return (n >> 20) + " MiB";
    }
    if (n >= 1L << 10 && n % (1L << 10) == 0) {
      return (n >> 10) + " KiB";
    }
    return n + " bytes";
  }

  static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
