package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What a tolerant listing (Tolerance.UNORDERED_LISTING) had to leave out, and the warning that says
 * so. STAT, LIST and UIDL must name the same messages 1 to N (RFC 1939 §5); a server that breaks
 * this is mended by dropping the lines that name no message STAT counts (or one again), and a
 * message that one listing does not name cannot be fetched. Every such loss is said once per
 * session, as a WRONG_ORDER warning that names what disagreed and which messages stay behind: the
 * quirk ID alone in a summary tells a person nothing, and mail left behind in silence is what
 * Gmail's fetcher was left for. The server's own tokens are counted, never echoed: they are what a
 * hostile listing is made of (case R-09).
 */
final class ListingDisagreement {
  private static final int SHOWN = 10;

  private final int count;
  private int listDropped;
  private int listBeyond;
  private int uidlDropped;
  private int uidlBeyond;

  /**
   * @param count the messages STAT counts
   */
  ListingDisagreement(int count) {
    this.count = count;
  }

  /**
   * A LIST line dropped: it names no message STAT counts ({@code number} beyond it, or none), or
   * one again.
   */
  void droppedList(long number) {
    listDropped++;
    listBeyond += number > count ? 1 : 0;
  }

  /** As {@link #droppedList}, for UIDL. */
  void droppedUidl(long number) {
    uidlDropped++;
    uidlBeyond += number > count ? 1 : 0;
  }

  /**
   * The warning for this listing, or null when nothing was left out.
   *
   * @param sizes LIST's size of each message by number, -1 where it gave none
   * @param named the messages UIDL named, or null where UIDL was not used
   */
  FetchException warning(String server, long[] sizes, BitSet named) {
    List<Integer> notSized = new ArrayList<>();
    List<Integer> notNamed = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      if (sizes[n] < 0) {
        notSized.add(n);
      } else if (named != null && !named.get(n)) {
        notNamed.add(n);
      }
    }
    if (listDropped == 0 && uidlDropped == 0 && notSized.isEmpty() && notNamed.isEmpty()) {
      return null;
    }
    List<String> what = new ArrayList<>();
    if (listDropped > 0) {
      what.add(dropped("LIST", listDropped, listBeyond));
    }
    if (uidlDropped > 0) {
      what.add(dropped("UIDL", uidlDropped, uidlBeyond));
    }
    if (!notSized.isEmpty()) {
      what.add("LIST gives no size for " + messages(notSized));
    }
    if (!notNamed.isEmpty()) {
      what.add("UIDL does not name " + messages(notNamed));
    }
    int behind = notSized.size() + notNamed.size();
    int rest = count - behind;
    String outcome =
        behind == 0
            ? "every message STAT counts is fetched, but a message those lines name (one that arrived during the"
                + " session, say) is not fetched in this session"
            : (behind == 1 ? "that message is" : "those " + behind + " messages are")
                + " not fetched in this session,"
                + " nor at any later one while the server lists them so; "
                + (rest == 0
                    ? "no other is listed"
                    : rest == 1
                        ? "the other message is fetched"
                        : "the other " + rest + " are fetched");
    return new FetchException(
        FetchError.WRONG_ORDER,
        server
            + "'s listings disagree (RFC 1939 §5): STAT counts "
            + count
            + (count == 1 ? " message; " : " messages; ")
            + String.join("; ", what)
            + ". Mended as far as it"
            + " can be (quirk Q29), the listing leaves out what it cannot match: "
            + outcome
            + ".",
        null,
        null,
        Remedy.of(
            "Tell the provider that STAT, LIST and UIDL disagree, quoting this message: nothing on this side makes the"
                + " server list those messages. mailfetch looks again at every run, so they arrive once it lists them"
                + " properly (--strict stops the run at such a listing instead of fetching the rest).",
            "Tell the provider that STAT, LIST and UIDL disagree, quoting this message: nothing on this side makes the"
                + " server list those messages. Each run looks again, so they arrive once it lists them properly"
                + " (without Tolerance.UNORDERED_LISTING the run stops at such a listing instead of fetching the"
                + " rest)."));
  }

  private String dropped(String verb, int lines, int beyond) {
    String which =
        beyond == lines
            ? "a number beyond " + count
            : beyond == 0
                ? "a number of 0, none at all, or a message named already"
                : "a number of 0 or beyond " + count + ", none at all, or a message named already";
    return verb
        + " has "
        + lines
        + (lines == 1 ? " line" : " lines")
        + " that name no message STAT counts ("
        + which
        + ")";
  }

  /** "message 3", "messages 2, 3 and 4", "messages 1, 2, … and 40 more". */
  static String messages(List<Integer> numbers) {
    if (numbers.size() == 1) {
      return "message " + numbers.get(0);
    }
    StringBuilder sb = new StringBuilder("messages ");
    int shown = Math.min(numbers.size(), SHOWN);
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        sb.append(i == numbers.size() - 1 ? " and " : ", ");
      }
      sb.append(numbers.get(i));
    }
    if (numbers.size() > shown) {
      sb.append(" and ").append(numbers.size() - shown).append(" more");
    }
    return sb.toString();
  }
}
