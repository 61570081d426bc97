package dev.mailfetch.cli;

import dev.mailfetch.api.FetchListener;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The progress of a run: on a terminal a bar redrawn in place (messages done of total, bytes,
 * rate, time left), otherwise a line every tenth of the way, so a log stays readable. One line per
 * failed message either way.
 */
final class Progress implements FetchListener {
  private final PrintWriter out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private int total;
  private long totalBytes;
  private int done;
  private long bytes;
  private int lastTenth = -1;
  private long lastDraw;

  Progress(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void planned(int messages, long octets) {
    total = messages;
    totalBytes = octets;
    draw(true);
  }

  @Override
  public void messageFinished(MessageOutcome outcome) {
    MessageOutcome.Kind k = outcome.kind();
    if (k != MessageOutcome.Kind.DELIVERED && k != MessageOutcome.Kind.DUPLICATE
        && !(k == MessageOutcome.Kind.FAILED && outcome.attempted())) {
      return; // not part of the planned download
    }
    done++;
    bytes += outcome.bytes();
    if (outcome.kind() == MessageOutcome.Kind.FAILED && outcome.attempted()) {
      clearLine();
      out.println("  message " + outcome.ref().number() + " failed: " + outcome.error().getMessage());
    }
    draw(false);
  }

  @Override
  public void runFinished(FetchResult result) {
    draw(true);
    if (terminal) {
      out.println();
    }
  }

  private void draw(boolean force) {
    if (total == 0) {
      return;
    }
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - started) / 1e9);
    double rate = bytes / seconds;
    long left = rate > 0 && totalBytes > bytes ? (long) ((totalBytes - bytes) / rate) : 0;
    String figures = String.format(Locale.ROOT, "%d/%d messages  %s  %s/s  %s left", Math.min(done, total), total,
        size(bytes), size((long) rate), left >= 60 ? (left / 60) + " min" : left + " s");
    if (terminal) {
      if (!force && now - lastDraw < 100_000_000L && done < total) {
        return;
      }
      lastDraw = now;
      int width = 30;
      int filled = (int) ((long) width * Math.min(done, total) / total);
      out.print("\r  [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + figures + "   ");
      out.flush();
    } else {
      int tenth = (int) (10L * Math.min(done, total) / total);
      if (tenth != lastTenth) {
        lastTenth = tenth;
        out.println("  " + figures);
      }
    }
  }

  private void clearLine() {
    if (terminal) {
      out.print("\r" + " ".repeat(100) + "\r");
    }
  }

  static String size(long b) {
    if (b < 10_000) {
      return b + " B";
    }
    if (b < 10_000_000) {
      return (b / 1000) + " KB";
    }
    return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
  }
}
