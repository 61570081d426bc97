package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.Sizes;
import java.time.Duration;
import java.util.Locale;

/**
 * The caps and deadlines of {@code Pop3Limits}, each with what it bounds in words and the builder
 * call a developer changes. An error names the limit in words ({@link #words}); its {@link #remedy}
 * names what each reader can type, and says plainly where the command has no option for it (the
 * command sets only the deadlines of the TLS handshake, of a read and of a reply, with {@code
 * --timeout}).
 */
enum Limit {
  CONNECT_TIMEOUT("the time allowed to connect", "connectTimeout"),
  HANDSHAKE_TIMEOUT("the time allowed for the TLS handshake", "handshakeTimeout"),
  STATUS_LINE("the longest reply line", "maxStatusLine"),
  LISTING_LINE("the longest capability or listing line", "maxListingLine"),
  LISTING_ENTRIES("the most lines one listing may have", "maxListingLinesOnTheWire"),
  MESSAGE_SIZE("the largest message this client reads", "maxBodyBytesOnTheWire"),
  SASL_ROUNDS("the most challenges one login may send", "maxSaslRounds"),
  SASL_CHALLENGE("the longest login challenge", "maxSaslChallenge");

  private final String words;
  private final String builder;

  Limit(String words, String builder) {
    this.words = words;
    this.builder = builder;
  }

  /** The limit in words with its value: "the longest reply line (64 KiB)". */
  String words(long value) {
    return words + " (" + value(value) + ")";
  }

  /** As {@link #words(long)}, for a deadline: "the time allowed to connect (30 s)". */
  String words(Duration value) {
    return words + " (" + seconds(value) + ")";
  }

  /** What to do when this cap was reached at {@code value}. */
  Remedy remedy(long value) {
    return remedy(value(value));
  }

  /** What to do when this deadline passed. */
  Remedy remedy(Duration value) {
    return remedy(seconds(value));
  }

  private Remedy remedy(String value) {
    String setting = "Pop3Limits.Builder." + builder + " (now " + value + ")";
    if (this == HANDSHAKE_TIMEOUT) { // the command's --timeout sets it, with the read deadline
      return Remedy.of(
          "Try again later; if it keeps happening, ask the provider (mailfetch doctor URL shows what the port"
              + " answers). If the server is slow but working, give it more time with --timeout SECONDS (now "
              + value
              + ").",
          "Try again later; if it keeps happening, ask the provider (Pop3Doctor shows what the port answers). If"
              + " the server is slow but working, raise "
              + setting
              + ".");
    }
    if (name().endsWith("TIMEOUT")) {
      return Remedy.of(
          "Check the server name and port, and try again later; if it keeps happening, ask the provider. The"
              + " command has no option to change "
              + words
              + " ("
              + value
              + ").",
          "Check the server name and port, and try again later; if the server is slow but working, raise "
              + setting
              + ".");
    }
    if (this
        == MESSAGE_SIZE) { // the command raises it with --max-message-size; a body past it outgrew
      // its listing
      return Remedy.of(
          "The server sent more than it listed for this message and more than "
              + words
              + " ("
              + value
              + "; --max-message-size and a quarter more): a working server does not, so this one is broken or"
              + " hostile. Tell the provider what the message shows (mailfetch doctor URL gives a report to send"
              + " them); the mail stays on the server. Only if the message is really this large, run with a larger"
              + " --max-message-size.",
          "If the server is trustworthy and the size expected, raise "
              + setting
              + "; otherwise tell the provider"
              + " what the message shows.");
    }
    String none =
        "The command has no option to raise "
            + words
            + " ("
            + value
            + "), which protects this machine";
    if (this
        == LISTING_ENTRIES) { // a real mailbox can be this large: what the reader can do is make it
      // smaller
      return Remedy.of(
          none
              + ": delete or move mail out of the inbox on the server (webmail, another mail program)"
              + " until it holds fewer messages, then run again. Delete or move, not only read: the server lists"
              + " every message it keeps.",
          "Delete or move mail out of the inbox on the server until it holds fewer messages, or, if this machine"
              + " can afford it, raise "
              + setting
              + ".");
    }
    return Remedy.of(
        none
            + ": a working server sends nothing this large, so this one is broken or hostile. Nothing"
            + " to type here: tell the provider what the message shows (mailfetch doctor URL gives a report to send"
            + " them); the mail stays on the server, where webmail or another program can reach it.",
        "If the server is trustworthy and the size expected, raise "
            + setting
            + "; otherwise tell the provider"
            + " what the message shows.");
  }

  private String value(long n) {
    if (this == LISTING_ENTRIES || this == SASL_ROUNDS) {
      return String.format(Locale.ROOT, "%,d", n);
    }
    return Sizes.size(n); // the units every other message of mailfetch uses
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
