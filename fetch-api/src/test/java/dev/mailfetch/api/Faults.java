package dev.mailfetch.api;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a test makes things go wrong. Two kinds of fault:
 *
 * <ul>
 *   <li>one armed step: every observable operation of the source, sink and store counts as a step;
 *       at step N the operation either crashes the "process" ({@link SimulatedCrash}, which the
 *       engine must not catch) or fails the way that component fails (an exception the engine must
 *       turn into an outcome);
 *   <li>targeted faults by unique id: a server that refuses one message, a connection that drops in
 *       the middle of one, a sink that cannot write one.
 * </ul>
 */
final class Faults {
  /** What happens at the armed step. */
  enum Kind {
    CRASH,
    FAIL
  }

  /** The process dies here: thrown through the engine untouched, as a kill -9 would stop it. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String step) {
      super("simulated crash at " + step);
    }
  }

  private int steps;
  private int armedAt = -1;
  private Kind armedKind;
  private String firedAt;

  final Map<String, FetchException> refuse = new HashMap<>();
  final Map<String, Long> dropAfterBytes = new HashMap<>();

  /**
   * UIDs the sink refuses for themselves (a destination that rejects that message), the others go
   * in.
   */
  final Set<String> sinkWriteFails = new HashSet<>();

  /**
   * Bytes the sink's disk can still take, or -1 for no limit: once they are used, every write fails
   * as a full disk does, with the JDK's text for ENOSPC.
   */
  long diskSpace = -1;

  /**
   * Thrown by the sink's begin for every message when set: its place is unusable (gone, no
   * permission).
   */
  IOException placeBroken;

  boolean sinkSyncFails;
  boolean addLabelsFails;
  boolean storeSyncFails;
  boolean deleteFails;
  boolean quitUnconfirmed;

  /** UIDs whose DELE the server refuses (the session goes on). */
  final Set<String> deleteRefused = new HashSet<>();

  /**
   * The reply line with which the server refuses a DELE ({@link FetchSession#lastRefusal()}), or
   * null for none.
   */
  String deleteRefusalWords;

  /**
   * The reply line with which the server does not confirm QUIT, or null for a QUIT that got no
   * words (a connection that broke): the session's last refusal is then still the one before, if
   * any.
   */
  String quitRefusalWords;

  /** Arms step {@code n} (counted from now, from 1). */
  void arm(int n, Kind kind) {
    armedAt = steps + n;
    armedKind = kind;
    firedAt = null;
  }

  /**
   * Counts one step; throws {@link SimulatedCrash} if it is the armed crash, and returns true if it
   * is the armed failure (the caller then throws its component's own exception).
   */
  boolean step(String name) {
    steps++;
    if (steps != armedAt) {
      return false;
    }
    armedAt = -1;
    firedAt = name;
    if (armedKind == Kind.CRASH) {
      throw new SimulatedCrash(name);
    }
    return true;
  }

  /** Disarms a step that has not fired yet. */
  void disarm() {
    armedAt = -1;
  }

  /** Where the armed fault fired, or null. */
  String firedAt() {
    return firedAt;
  }
}
