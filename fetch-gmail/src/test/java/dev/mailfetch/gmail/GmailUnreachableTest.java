package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gmail cannot be reached at all (a name that does not resolve, a connection refused): the run
 * stops within seconds, not after the whole retry budget, in words without a Java class name, and
 * nothing is deleted.
 */
@Timeout(120)
class GmailUnreachableTest {
  @TempDir Path dir;

  @Test
  void gmailRefusingEveryConnection_stopsTheRunInSeconds_notAfterTheRetryBudget_inWords()
      throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort(); // nobody listens there once closed
    }
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(3))) {
      long start = System.nanoTime();
      FetchResult r;
      try (GmailImportSink sink =
          rig.sink()
              .apiBase(URI.create("http://127.0.0.1:" + closedPort + "/"))
              .retryBudget(Duration.ofMinutes(5))
              .build()) {
        r = rig.run(sink);
      }
      long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
      FetchException e = r.error().orElseThrow(() -> new AssertionError(r.summary()));
      assertEquals(FetchError.SINK_FAILED, e.error(), e.getMessage());
      assertTrue(
          e.detail().contains("Gmail could not be reached")
              && e.detail().contains("so the run stopped"),
          e.detail());
      assertFalse(e.getMessage().contains("Exception"), "no Java class name: " + e.getMessage());
      assertTrue(seconds < 60, "stopped after " + seconds + " s, not the 5-minute budget");
      assertEquals(3, rig.onServer().size(), "nothing deleted");
    }
  }
}
