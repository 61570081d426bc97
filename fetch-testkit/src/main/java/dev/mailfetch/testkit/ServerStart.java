package dev.mailfetch.testkit;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How the real servers started here ({@link PrivateDovecot}, {@link PrivateCourier}, {@link
 * PrivateCyrus}) are waited for: their ports asked until they answer, and a start that fails on a
 * port taken meanwhile tried again on other free ports.
 */
final class ServerStart {
  /** The longest a server is given to start listening. */
  static final long LISTENING_WITHIN_SECONDS = 20;

  private ServerStart() {}

  /** A server started on {@code ports} (free a moment ago), not yet known to listen. */
  interface OnPorts<S> {
    S start(int[] ports) throws IOException, InterruptedException;
  }

  /** Something done to a server started by {@link OnPorts}: waiting for it, or ending it. */
  interface Step<S> {
    void on(S server) throws IOException, InterruptedException;
  }

  /**
   * Starts a server on {@code count} free ports and waits for it, three times at most: a port found
   * free can be taken by another process before the server binds it (other tests start servers all
   * the time), and then {@code awaitListening} fails, the server is ended and other ports tried.
   *
   * @throws IOException the last attempt's failure to start listening
   */
  static <S> S onFreePorts(int count, OnPorts<S> start, Step<S> awaitListening, Step<S> kill)
      throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      S server = start.start(DovecotHost.freePorts(count));
      try {
        awaitListening.on(server);
        return server;
      } catch (IOException e) {
        last = e;
        kill.on(server); // a port taken meanwhile: other ports
      }
    }
    throw last;
  }

  /**
   * Whether {@code listening} comes true within {@value #LISTENING_WITHIN_SECONDS} s, asked every
   * {@code pauseMillis}; false at once when {@code alive} turns false (the server ended, and its
   * log says why).
   */
  static boolean listening(BooleanSupplier listening, BooleanSupplier alive, long pauseMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LISTENING_WITHIN_SECONDS);
    while (System.nanoTime() < deadline) {
      if (listening.getAsBoolean()) {
        return true;
      }
      if (!alive.getAsBoolean()) {
        return false;
      }
      Thread.sleep(pauseMillis);
    }
    return false;
  }
}
