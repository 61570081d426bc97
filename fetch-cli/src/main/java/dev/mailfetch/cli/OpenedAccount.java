package dev.mailfetch.cli;

import dev.mailfetch.api.Fetcher;
import java.io.IOException;
import java.util.List;

/**
 * This command's account, with its sink and state open: a Fetcher to run as often as wanted; {@code
 * retrying} the same with --retry-quarantined, for a poll's first check (null without it); {@code
 * warnings} what the command warns of once the account's first run has listed its mailbox (while
 * nothing is listed, its state is not kept, so the next run would be new again: see {@link
 * #notices()}), {@code listed} whether a run has.
 */
record OpenedAccount(
    Fetcher fetcher,
    Fetcher retrying,
    String host,
    String describe,
    List<Problem> warnings,
    Listed listed,
    Closer resources,
    Closer unmade)
    implements AutoCloseable {
  /**
   * The command's own warnings about the account, once a run has listed its mailbox; none before. A
   * run that fails before it lists (a refused login, a failed TLS handshake) downloads nothing and
   * leaves no state behind, so a warning about what it downloads would be false, and the run that
   * next lists would say it again. Called before {@link #close()}.
   */
  List<Problem> notices() {
    try {
      return listed.get() ? warnings : List.of();
    } catch (IOException e) {
      return warnings; // the state cannot tell: say it rather than hide it
    }
  }

  @Override
  public void close() throws IOException {
    resources.close();
  }

  /**
   * For a poll, once every account of it is closed (they can share a place and its dedup store):
   * removes the places this account created if it never got to list its mailbox, as a fetch's close
   * does by itself.
   */
  void removeIfNeverListed() throws IOException {
    unmade.close();
  }

  /** Whether an account's run has listed its mailbox (its state keeps a first run). */
  interface Listed {
    boolean get() throws IOException;
  }

  /** Closes what an account holds open. */
  interface Closer {
    void close() throws IOException;
  }
}
