package dev.mailfetch.cli;

import dev.mailfetch.api.FetchListener;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.MessageRef;
import java.io.PrintWriter;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The progress of a run: on a terminal a bar redrawn in place (messages done of total, bytes, rate,
 * time left), otherwise a line every tenth of the way, so a log stays readable. What failed is said
 * once, by the report at the end, not here as well.
 *
 * <p>A message counts when its bytes are whole ({@code messageReceived}), not when its batch of up
 * to 50 is made durable ({@code messageFinished}): counted at the barrier, the bar stood still and
 * then jumped by 50, and the rate swung with it. One that fails before its end counts at its
 * outcome. Each message counts once, for its listed size: the total is the listed sizes of what the
 * run plans to fetch, so what is done is counted in the same unit and the total is reached.
 *
 * <p>The rate is measured from the end of the first message, never from the start of the run:
 * connecting, logging in, listing and the first reply's latency are not throughput, and a rate
 * taken over them made a six-second fetch announce "154 min left". Rate and time left appear once a
 * second of transfer has been measured.
 */
final class Progress implements FetchListener {
  /** How long the transfer is measured before a rate and a time left are shown. */
  private static final long MEASURE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Least time between two redraws of the bar. */
  private static final long REDRAW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final PrintWriter out;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private int total;
  private long totalBytes;
  private int done;
  private long bytes;

  /**
   * When the first message ended, and the bytes counted by then: where the rate is measured from.
   */
  private long markTime;

  private long markBytes = -1;
  private int lastTenth = -1;
  private long lastDraw;
  private boolean drawn;

  /** How many messages the bar showed when last drawn on a terminal (-1: never). */
  private int drawnDone = -1;

  /** The messages counted already (by number), so that none counts twice. */
  private final BitSet counted = new BitSet();

  Progress(PrintWriter out, boolean terminal) {
    this(out, terminal, System::nanoTime);
  }

  /** With a clock of its own, for tests. */
  Progress(PrintWriter out, boolean terminal, LongSupplier nanoTime) {
    this.out = out;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
  }

  @Override
  public void planned(int messages, long octets) {
    total = messages;
    totalBytes = octets;
    draw(true);
  }

  @Override
  public void messageReceived(MessageRef ref, long octets) {
    // Counted at its listed size, the unit of the total (planned sums the listed sizes), not at the
    // bytes it brought (stored with other line ends, without dot-stuffing): so the total is
    // reached.
    count(ref.number(), ref.size());
  }

  @Override
  public void messageFinished(MessageOutcome outcome) {
    MessageOutcome.Kind k = outcome.kind();
    if (k != MessageOutcome.Kind.DELIVERED
        && k != MessageOutcome.Kind.DUPLICATE
        && !(k == MessageOutcome.Kind.FAILED && outcome.attempted())) {
      return; // not part of the planned download
    }
    count(outcome.ref().number(), outcome.ref().size()); // a part way failure counts as done
  }

  private void count(int number, long octets) {
    if (counted.get(number)) {
      return;
    }
    counted.set(number);
    done++;
    bytes += octets;
    if (markBytes < 0) {
      markTime = nanoTime.getAsLong();
      markBytes = bytes;
    }
    draw(false);
  }

  @Override
  public void runFinished(FetchResult result) {
    if (total == 0) {
      return;
    }
    if (!terminal || drawnDone != done) { // the last bar is drawn once
      draw(true);
    }
    if (terminal && drawn) {
      out.println();
      out.flush();
    }
  }

  private void draw(boolean force) {
    if (total == 0) {
      return;
    }
    long now = nanoTime.getAsLong();
    StringBuilder figures =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%d/%d messages  %s of %s",
                Math.min(done, total),
                total,
                Units.size(bytes),
                Units.size(Math.max(totalBytes, bytes))));
    long measured = markBytes < 0 ? 0 : now - markTime;
    if (measured >= MEASURE_NANOS) {
      double rate = (bytes - markBytes) / (measured / 1e9);
      figures.append("  ").append(Units.rate(rate));
      if (done < total && rate > 0 && totalBytes > bytes) {
        figures
            .append("  ")
            .append(Units.duration((long) Math.ceil((totalBytes - bytes) / rate)))
            .append(" left");
      }
    }
    if (terminal) {
      if (!force && now - lastDraw < REDRAW_NANOS && done < total) {
        return;
      }
      lastDraw = now;
      drawn = true;
      drawnDone = done;
      int width = 30;
      int filled = (int) ((long) width * Math.min(done, total) / total);
      // Erase to the end of the line (ANSI EL): the figures can get shorter.
      out.print(
          "\r  [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + figures + "\033[K");
      out.flush();
    } else {
      int tenth = (int) (10L * Math.min(done, total) / total);
      if (tenth != lastTenth) {
        lastTenth = tenth;
        out.println("  " + figures);
      }
    }
  }

  /** A size in the command's units; see {@link Units#size}. */
  static String size(long b) {
    return Units.size(b);
  }
}
