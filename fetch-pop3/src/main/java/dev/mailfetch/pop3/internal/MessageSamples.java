package dev.mailfetch.pop3.internal;

import static dev.mailfetch.pop3.internal.DoctorWords.apart;
import static dev.mailfetch.pop3.internal.DoctorWords.shorten;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.internal.Sizes;
import dev.mailfetch.pop3.Symptom;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The compliance checks on a few sampled messages: TOP of each (whole when small) for its dots,
 * line ends and size, and with {@code --deep} RETR of each, to tell which of LIST and TOP is off.
 * Only RETR can tell TOP not working (quirk Q33) from a message the server refuses (Q34), and a
 * size LIST counts wrong (Q32) from TOP's own bytes (Q55).
 */
final class MessageSamples {
  /** A message up to this size is sampled whole by TOP; a larger one by its header alone. */
  private static final long WHOLE_TOP_MAX = 1 << 20;

  private final ExamContext ctx;
  private final Pop3Connection ses;
  private final StepDraft d;
  private final MailboxListing l;
  private final List<Integer> numbers;

  /** The bytes TOP sent of each sample it answered. */
  private final Map<Integer, byte[]> topped = new HashMap<>();

  /**
   * Samples whose TOP was refused, with what was said, for the deep RETR to judge (quirk Q33 or
   * Q34).
   */
  private final Map<Integer, String> topRefused = new LinkedHashMap<>();

  /**
   * Sampled messages that came as something else than the message: the server's notice (quirk Q52)
   * or nothing of it (quirk Q53). No size of theirs is LIST's or TOP's.
   */
  private final Set<Integer> notices = new HashSet<>();

  /** A sampled message whose header holds UTF-8, to ask for again without UTF-8 mode; or null. */
  private Integer eightBitSample;

  MessageSamples(ExamContext ctx, Pop3Connection ses, StepDraft d, MailboxListing l) {
    this.ctx = ctx;
    this.ses = ses;
    this.d = d;
    this.l = l;
    this.numbers = choose(l.listNumbers(), ctx.plan().samples());
  }

  /** Up to {@code samples} messages: the first, the last, and some in between. */
  static List<Integer> choose(List<Integer> listed, int samples) {
    TreeSet<Integer> out = new TreeSet<>();
    if (listed.isEmpty() || samples == 0) {
      return List.of();
    }
    out.add(listed.get(0));
    if (out.size() < samples) {
      out.add(listed.get(listed.size() - 1));
    }
    int step = Math.max(1, listed.size() / Math.max(1, samples));
    for (int i = step; i < listed.size() && out.size() < samples; i += step) {
      out.add(listed.get(i));
    }
    return List.copyOf(out);
  }

  /** The messages sampled. */
  List<Integer> numbers() {
    return numbers;
  }

  /** How many samples TOP answered. */
  int topped() {
    return topped.size();
  }

  /** A sampled message whose header holds UTF-8, or null. */
  Integer eightBitSample() {
    return eightBitSample;
  }

  /** TOP of every sample; false when the replies went out of step. */
  boolean top() throws FetchException {
    for (int n : numbers) {
      if (!top(n)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The samples whose TOP was refused, said once: not retrieved, so what was measured, blaming
   * neither TOP nor the message.
   */
  void sayTopRefused() {
    if (topRefused.isEmpty()) {
      return;
    }
    List<Integer> worked = topped.keySet().stream().sorted().toList();
    d.add(
        Symptom.TOP_REFUSED,
        String.join("; ", topRefused.values())
            + (worked.isEmpty()
                ? "; TOP was refused for every sampled message"
                : "; TOP of " + DoctorWords.messages(worked) + " worked"));
    topRefused.clear();
  }

  /**
   * TOP of one message, whole when small: its dots, line ends and size. False when replies went out
   * of step.
   */
  private boolean top(int n) throws FetchException {
    long listed = l.size(n);
    boolean whole = listed >= 0 && listed <= WHOLE_TOP_MAX;
    String cmd = "TOP " + n + " " + (whole ? 1_000_000 : 0);
    ses.send(Pop3Command.plain(cmd));
    Reply r = ses.reply("sampling message " + n + " (" + cmd + ")");
    if (!r.ok()) {
      // only RETR tells whether TOP or the message is at fault (Q33 or Q34)
      topRefused.put(n, cmd + " was answered \"" + FetchException.escape(r.line()) + "\"");
      return true;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      ses.reader()
          .readBody(
              slice -> {
                byte[] b = new byte[slice.remaining()];
                slice.get(b);
                body.write(b, 0, b.length);
              },
              2 * WHOLE_TOP_MAX + (1 << 16));
    } catch (FetchException e) {
      if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
        d.add(
            Symptom.GLUED_TERMINATOR,
            "message " + n + " (" + cmd + ") never ended within the deadline: " + e.detail());
        ctx.block();
        return false;
      }
      throw e;
    }
    byte[] bytes = body.toByteArray();
    topped.put(n, bytes);
    if (bytes.length >= 3 && bytes[0] == '+' && bytes[1] == 'O' && bytes[2] == 'K') {
      d.add(Symptom.TOP_BROKEN, cmd + " was answered with two +OK lines");
    }
    if (!endedWhereItSaid(n, cmd)) {
      return false;
    }
    if (UnicodeCheck.isNotice(bytes)) {
      // Not the message: its size, line ends and all are the notice's (quirk Q52).
      notices.add(n);
      d.add(
          Symptom.UNICODE_MESSAGES_REPLACED,
          "message "
              + n
              + " arrived as the server's notice \"Cannot display"
              + " Unicode content\" with the original attached; "
              + UnicodeCheck.whyModeOff(ses));
      return true;
    }
    Set<String> only = whole ? ServedEmpty.fieldsIfEmpty(bytes) : null;
    if (only != null) {
      notices.add(n); // its size is nobody's but the server's fault (quirk Q53)
      d.add(
          Symptom.MESSAGES_SERVED_EMPTY, ServedEmpty.evidence(n, cmd, only, bytes.length, listed));
      return true;
    }
    if (eightBitSample == null && UnicodeCheck.eightBitHeader(bytes)) {
      eightBitSample = n;
    }
    int bareLf = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) {
        bareLf++;
      }
    }
    if (bareLf > 0 && !d.has(Symptom.BARE_LF_IN_MESSAGES)) {
      d.add(
          Symptom.BARE_LF_IN_MESSAGES,
          "message " + n + " has " + bareLf + " line(s) ending in a bare LF");
    }
    // Only RETR can tell whether LIST or TOP is off: without --deep, say what was measured.
    if (whole
        && listed >= 0
        && bytes.length != listed
        && !ctx.plan().deep()
        && !d.has(Symptom.TOP_LIST_DISAGREE)) {
      d.add(
          Symptom.TOP_LIST_DISAGREE,
          "LIST says message "
              + n
              + " has "
              + Sizes.size(listed)
              + "; "
              + cmd
              + " sent "
              + Sizes.size(bytes.length)
              + apart(listed, bytes.length)
              + sizeHint(bytes, listed));
    }
    return true;
  }

  /**
   * Whether the answer to a NOOP comes right after message {@code n}'s TOP ({@code cmd}) ended:
   * anything else is the rest of a message cut short by an unescaped lone dot (quirk Q04); false,
   * with that finding, then.
   */
  private boolean endedWhereItSaid(int n, String cmd) throws FetchException {
    ses.send(Pop3Commands.NOOP);
    String next;
    try {
      next = ses.reader().readLine(ctx.settings().limits().maxStatusLine(), Limit.STATUS_LINE);
    } catch (FetchException e) {
      if (e.error() == FetchError.LIMIT_EXCEEDED) {
        d.add(
            Symptom.UNSTUFFED_DOT,
            "after " + cmd + " ended, a long line came where the answer to NOOP was due");
        ctx.block();
        return false;
      }
      throw e;
    }
    String upper = next.toUpperCase(Locale.ROOT);
    if (!upper.startsWith("+OK") && !upper.startsWith("-ERR")) {
      d.add(
          Symptom.UNSTUFFED_DOT,
          "after "
              + cmd
              + " ended at a line with a single '.', the server went on with \""
              + FetchException.escape(shorten(next))
              + "\" where the answer to NOOP was due: message "
              + n
              + " holds a lone '.' line it did not escape");
      ctx.block();
      return false;
    }
    return true;
  }

  /** What the numbers themselves show, without saying which side is wrong. */
  private static String sizeHint(byte[] bytes, long listed) {
    int lines = 0;
    for (byte b : bytes) {
      if (b == '\n') {
        lines++;
      }
    }
    if (bytes.length - lines == listed) {
      return " (the difference is the number of line ends, as when LF is counted instead of CRLF: "
          + QuirkId.Q32
          + ")";
    }
    if (bytes.length - listed == 2) {
      return " (two octets more: one line end more, as when TOP adds an empty line: "
          + QuirkId.Q55
          + ")";
    }
    if (listed % 1024 == 0) {
      return " (LIST's size is a multiple of 1024, as when sizes are rounded: " + QuirkId.Q32 + ")";
    }
    return "";
  }

  /** RETR of every sample, to compare its size with LIST's and TOP's (deep only). */
  void retrieve() throws FetchException {
    for (int n : numbers) {
      if (notices.contains(n)) {
        continue; // RETR would send the notice again: nothing to measure
      }
      retrieve(n);
    }
    for (String refused : topRefused.values()) { // TOP refused what RETR sends: TOP is at fault
      if (!d.has(Symptom.TOP_BROKEN)) {
        d.add(Symptom.TOP_BROKEN, refused);
      }
    }
    topRefused.clear();
  }

  private void retrieve(int n) throws FetchException {
    String cmd = "RETR " + n;
    ses.send(Pop3Command.plain(cmd));
    Reply r = ses.reply("retrieving message " + n + " (deep)");
    if (!r.ok()) {
      String refusedTop = topRefused.remove(n);
      if (!d.has(Symptom.LISTED_MESSAGE_REFUSED)) {
        d.add(
            Symptom.LISTED_MESSAGE_REFUSED,
            cmd
                + " was answered \""
                + FetchException.escape(r.line())
                + "\""
                + (refusedTop != null ? "; " + refusedTop : ""));
      }
      return;
    }
    long[] size = {0};
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    ses.reader()
        .readBody(
            slice -> {
              size[0] += slice.remaining();
              while (slice.hasRemaining() && head.size() < 1 << 16) {
                head.write(slice.get());
              }
            },
            ctx.settings().limits().maxBodyBytesOnTheWire());
    long listed = l.size(n);
    Set<String> only = size[0] <= 1 << 16 ? ServedEmpty.fieldsIfEmpty(head.toByteArray()) : null;
    if (only != null) {
      d.add(
          Symptom.MESSAGES_SERVED_EMPTY, ServedEmpty.evidence(n, cmd, only, (int) size[0], listed));
      return; // the server's fault, not LIST's (quirk Q53)
    }
    if (listed >= 0 && size[0] != listed && !d.has(Symptom.LIST_SIZE_WRONG)) {
      d.add(
          Symptom.LIST_SIZE_WRONG,
          "LIST says message "
              + n
              + " has "
              + Sizes.size(listed)
              + "; RETR sent "
              + Sizes.size(size[0])
              + apart(listed, size[0]));
    }
    // Only a whole message's TOP compares with RETR: a large one was sampled by TOP n 0, its
    // header alone.
    byte[] top = listed >= 0 && listed <= WHOLE_TOP_MAX ? topped.get(n) : null;
    if (top != null && top.length != size[0] && listed == size[0] && !d.has(Symptom.TOP_BROKEN)) {
      d.add(
          Symptom.TOP_BROKEN,
          "TOP "
              + n
              + " sent "
              + Sizes.size(top.length)
              + " of the whole message; RETR sent "
              + Sizes.size(size[0])
              + apart(top.length, size[0]));
    }
  }
}
