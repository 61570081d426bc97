package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.poll.CheckRecord;
import dev.mailfetch.poll.PollListener;
import dev.mailfetch.poll.PollSchedule;
import dev.mailfetch.poll.Poller;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Push against a real server: Dovecot's IDLE, the IDLE connection cut at random by a proxy, a
 * message APPENDed over a second connection, and the time until it is in the sink.
 */
@Timeout(60)
class ImapIdleDovecotTest {
  private static final int MESSAGES = 6;
  private static final long LIMIT_MILLIS = 2000;

  @Test
  void aMessageAppendedReachesTheSinkInUnderTwoSeconds_whileTheIdleConnectionIsCutAtRandom()
      throws Exception {
    Optional<String> why = PrivateDovecot.whyUnavailable(PrivateDovecot.Service.IMAP);
    assumeTrue(why.isEmpty(), () -> "Dovecot is not installed: " + why.orElse(""));
    PrivateDovecot dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.IMAP), m -> {}, TestCertificates.generate());
    InMemorySink sink = InMemorySink.create();
    CountDownLatch watching = new CountDownLatch(1);
    AtomicInteger watchingAgain = new AtomicInteger();
    try (IdleCuttingProxy proxy = IdleCuttingProxy.start(dovecot.imapPort(), 250, 900)) {
      ImapSource source =
          ImapSource.builder()
              .host(InetAddress.getLoopbackAddress().getHostAddress())
              .port(proxy.port())
              .security(ImapSecurity.NONE)
              .allowPlaintextAuthentication(true)
              .user(PrivateDovecot.USER)
              .password(() -> PrivateDovecot.PASSWORD)
              .build();
      Fetcher fetcher =
          Fetcher.builder().source(source).sink(sink).uidStore(InMemoryUidStore.create()).build();
      PollListener heard =
          new PollListener() {
            @Override
            public void pushWatching(String account, String mailbox) {
              watchingAgain.incrementAndGet();
              watching.countDown();
            }
          };
      try (Poller poller =
          Poller.builder()
              .schedule(PollSchedule.builder().minInterval(Duration.ofHours(1)).build())
              .listener(heard)
              .build()) {
        poller.add(fetcher, "dovecot.test");
        poller.start();
        assertTrue(watching.await(10, TimeUnit.SECONDS), "the watch reached IDLE");
        long worst = 0;
        List<byte[]> sent = new ArrayList<>();
        for (int i = 1; i <= MESSAGES; i++) {
          Thread.sleep(ThreadLocalRandom.current().nextLong(300, 900)); // cuts happen meanwhile
          byte[] message = message(i);
          sent.add(message);
          long t0 = System.nanoTime();
          append(dovecot.imapPort(), message);
          long deadline = t0 + TimeUnit.SECONDS.toNanos(10);
          while (sink.size() < i && System.nanoTime() < deadline) {
            Thread.sleep(2);
          }
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
          assertEquals(i, sink.size(), "message " + i + " arrived (after " + millis + " ms)");
          worst = Math.max(worst, millis);
        }
        System.out.printf(
            "IDLE latency: worst %d ms over %d messages; %d IDLE connections cut, watching %d"
                + " times%n",
            worst, MESSAGES, proxy.cuts(), watchingAgain.get());
        assertTrue(worst < LIMIT_MILLIS, "worst latency " + worst + " ms");
        assertTrue(proxy.cuts() >= 2, "the proxy cut IDLE " + proxy.cuts() + " times");
        assertTrue(watchingAgain.get() > proxy.cuts() / 2, "the watch came back after cuts");
        for (int i = 0; i < MESSAGES; i++) {
          assertArrayEquals(sent.get(i), sink.messages().get(i).content(), "message " + (i + 1));
        }
        assertTrue(
            poller.history(fetcher.account()).stream()
                .anyMatch(r -> r.cause() == CheckRecord.Cause.PUSHED),
            "the history says which checks a push started");
      }
    } finally {
      dovecot.stop();
    }
  }

  private static byte[] message(int i) {
    return ("Message-ID: <idle-"
            + i
            + "-"
            + System.nanoTime()
            + "@test>\r\n"
            + "Subject: pushed "
            + i
            + "\r\n"
            + "\r\n"
            + "body "
            + i
            + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** APPENDs over a connection of its own, as another mail client or a delivery would. */
  private static void append(int port, byte[] message) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      in.readLine(); // greeting
      say(out, "a LOGIN \"" + PrivateDovecot.USER + "\" \"" + PrivateDovecot.PASSWORD + "\"");
      until(in, "a ");
      say(out, "b APPEND INBOX {" + message.length + "}");
      until(in, "+");
      out.write(message);
      say(out, "");
      until(in, "b ");
      say(out, "c LOGOUT");
    }
  }

  private static void say(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static void until(BufferedReader in, String prefix) throws IOException {
    for (String l = in.readLine(); l != null; l = in.readLine()) {
      if (l.startsWith(prefix)) {
        assertTrue(prefix.equals("+") || l.startsWith(prefix + "OK"), l);
        return;
      }
    }
    throw new IOException("the server ended the session");
  }
}
