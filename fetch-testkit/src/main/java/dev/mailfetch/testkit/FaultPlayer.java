package dev.mailfetch.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Plays a session's {@link Fault}s where they bite: byte faults and trickling in the {@link
 * ServerOutput} it builds, a delay before the greeting, the idle timeout, close/reset/stall at the
 * k-th command, endless output in place of a reply, and the silences quirks ask for (a hang).
 */
final class FaultPlayer {
  /** How long a hang lasts (Q19, Q21, a scripted stall) before the server closes. */
  static final Duration QUIRK_HANG = Duration.ofSeconds(30);

  private final Socket socket;
  private final List<Fault> faults;
  private final ServerOutput out;
  private final CommandReader reader;
  private final Map<String, Integer> seen = new HashMap<>();

  FaultPlayer(Socket socket, List<Fault> faults, ServerOutput out, CommandReader reader) {
    this.socket = socket;
    this.faults = faults;
    this.out = out;
    this.reader = reader;
  }

  /** The faults of {@code all} that apply to session {@code number}. */
  static List<Fault> forSession(List<Fault> all, int number) {
    List<Fault> mine = new ArrayList<>();
    for (Fault f : all) {
      if (f.appliesTo(number)) {
        mine.add(f);
      }
    }
    return List.copyOf(mine);
  }

  /** The idle time after which a session is dropped: {@code standard}, or what a fault says. */
  static Duration idleTimeout(Duration standard, List<Fault> faults) {
    Duration idle = standard;
    for (Fault f : faults) {
      if (f.kind == Fault.Kind.IDLE_TIMEOUT) {
        idle = f.duration;
      }
    }
    return idle;
  }

  /** The session's output, with the byte faults and trickling of {@code faults} built in. */
  static ServerOutput output(
      Socket socket, OutputStream raw, Segmentation segmentation, List<Fault> faults) {
    long closeAt = -1;
    boolean reset = false;
    int trickleBytes = 0;
    Duration tricklePeriod = null;
    for (Fault f : faults) {
      if (f.kind == Fault.Kind.CLOSE_AT_BYTE || f.kind == Fault.Kind.RESET_AT_BYTE) {
        closeAt = f.bytes;
        reset = f.kind == Fault.Kind.RESET_AT_BYTE;
      } else if (f.kind == Fault.Kind.TRICKLE) {
        trickleBytes = (int) f.bytes;
        tricklePeriod = f.duration;
      }
    }
    return new ServerOutput(socket, raw, segmentation, closeAt, reset, trickleBytes, tricklePeriod);
  }

  /** Whether a fault of {@code kind} applies to this session. */
  boolean has(Fault.Kind kind) {
    return fault(kind) != null;
  }

  private Fault fault(Fault.Kind kind) {
    for (Fault f : faults) {
      if (f.kind == kind) {
        return f;
      }
    }
    return null;
  }

  /** Waits as long as a greeting-delay fault says, if there is one. */
  void delayGreeting() throws IOException {
    Fault delay = fault(Fault.Kind.GREETING_DELAY);
    if (delay != null) {
      ServerOutput.pause(delay.duration.toNanos());
    }
  }

  /**
   * Applies the close/reset/stall faults for this occurrence of {@code verb}; false if the session
   * ended.
   */
  boolean atCommand(String verb) throws IOException {
    int count = seen.merge(verb, 1, Integer::sum);
    for (Fault f : faults) {
      if (f.command == null || !f.command.equals(verb) || f.occurrence != count) {
        continue;
      }
      switch (f.kind) {
        case CLOSE_AT_COMMAND:
          out.endAbruptly(false, "close at " + verb);
          return false;
        case RESET_AT_COMMAND:
          out.endAbruptly(true, "reset at " + verb);
          return false;
        case STALL_AT_COMMAND:
          waitForClientOrTime(f.duration);
          out.endAbruptly(false, "stall at " + verb);
          return false;
        default:
          break;
      }
    }
    return true;
  }

  /** Writes {@code head}, then {@code chunk} again and again, within the endless budgets. */
  void endless(byte[] head, Supplier<String> chunk) throws IOException {
    out.write(head);
    long deadline = System.nanoTime() + Fault.ENDLESS_TIME_BUDGET.toNanos();
    long sent = head.length;
    while (sent < Fault.ENDLESS_BYTE_BUDGET && System.nanoTime() < deadline) {
      byte[] c = chunk.get().getBytes(StandardCharsets.US_ASCII);
      out.write(c);
      sent += c.length;
    }
    out.endAbruptly(false, "endless output budget used up");
  }

  /** Says nothing until {@link #QUIRK_HANG} passes, or until the client leaves; then closes. */
  void hang() throws IOException {
    waitForClientOrTime(QUIRK_HANG);
    out.endAbruptly(false, "hung");
  }

  /** Reads and drops what the client sends, until it closes or {@code d} passes. */
  private void waitForClientOrTime(Duration d) throws IOException {
    long end = System.nanoTime() + d.toNanos();
    int saved = socket.getSoTimeout();
    try {
      socket.setSoTimeout(50);
      byte[] sink = new byte[4096];
      while (System.nanoTime() < end) {
        try {
          if (reader.stream().read(sink) < 0) {
            return; // the client gave up: so do we, and the maildrop lock goes with us
          }
        } catch (SocketTimeoutException stillThere) {
          // keep waiting
        }
      }
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(saved);
      }
    }
  }
}
