package dev.mailfetch.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.DeliveryReceipt;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.ForwardingDelivery;
import dev.mailfetch.api.ForwardingMessageSink;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.testkit.MessageSinkContract;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.RequiresDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sink contract, kept by {@link LmtpSink} against a private Dovecot's LMTP server: every
 * message read back from the file Dovecot wrote into its Maildir (the one that appeared when the
 * message was delivered), without the {@code Return-Path} line Dovecot puts first, byte for byte.
 * Dovecot stores LF, as the sink is handed. One Dovecot serves the whole class.
 */
@RequiresDovecot(PrivateDovecot.Service.LMTP)
abstract class LmtpDovecotContract extends MessageSinkContract {
  static PrivateDovecot dovecot;
  private final Map<DeliveryKey, Path> stored = new HashMap<>();

  @BeforeAll
  static void startDovecot() throws Exception {
    Optional<String> why = PrivateDovecot.whyUnavailable(PrivateDovecot.Service.LMTP);
    assumeTrue(why.isEmpty(), () -> why.get());
    dovecot =
        PrivateDovecot.start(
            EnumSet.of(PrivateDovecot.Service.LMTP), m -> {}, TestCertificates.generate());
  }

  @AfterAll
  static void stopDovecot() throws Exception {
    if (dovecot != null) {
      dovecot.stop();
      dovecot = null;
    }
  }

  /** The builder, told where the server is. */
  abstract LmtpSink.Builder server(LmtpSink.Builder b);

  @Override
  protected SinkUnderTest open(Path location) {
    LmtpSink lmtp =
        server(LmtpSink.builder())
            .recipients(PrivateDovecot.USER + "@example.org")
            .journal(location.resolve("lmtp-journal"))
            .build();
    MessageSink watched =
        new ForwardingMessageSink(lmtp) {
          @Override
          public Delivery begin(Envelope envelope) throws IOException {
            return new ForwardingDelivery(super.begin(envelope)) {
              @Override
              public DeliveryReceipt complete(DeliveryKey key) throws IOException {
                Set<Path> before = new HashSet<>(inbox());
                DeliveryReceipt r = super.complete(key);
                if (!r.alreadyHeld()) {
                  List<Path> added = inbox().stream().filter(p -> !before.contains(p)).toList();
                  if (added.size() != 1) {
                    throw new AssertionError("one new file in the Maildir, not " + added);
                  }
                  stored.put(key, added.get(0));
                }
                return r;
              }
            };
          }
        };
    return SinkUnderTest.of(
        watched,
        key -> {
          Path p = stored.get(key);
          return p == null
              ? Optional.empty()
              : Optional.of(PrivateDovecot.withoutReturnPath(Files.readAllBytes(p)));
        });
  }

  private static List<Path> inbox() throws IOException {
    try {
      return dovecot.files("INBOX");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  @Test
  void check_greetsWithLhlo_andOffersTheRecipient() throws Exception {
    try (LmtpSink sink = server(LmtpSink.builder()).recipients("alice@example.org").build()) {
      List<String> steps = sink.check();
      assertTrue(steps.get(0).startsWith("connected to LMTP server "), steps.toString());
      assertTrue(steps.contains("the server takes mail for alice@example.org"), steps.toString());
      assertTrue(
          steps.stream().anyMatch(s -> s.contains("CHUNKING") && s.contains("PIPELINING")),
          steps.toString());
    }
  }

  @Test
  void aBareLocalPart_isAnLmtpRecipient_andDovecotDeliversToThatUser() throws Exception {
    byte[] message =
        "Subject: to a local user\n\nfor alice alone\n".getBytes(StandardCharsets.UTF_8);
    Set<Path> before = new HashSet<>(inbox());
    try (LmtpSink sink = server(LmtpSink.builder()).recipients(PrivateDovecot.USER).build()) {
      assertTrue(
          sink.check().contains("the server takes mail for " + PrivateDovecot.USER),
          "RCPT TO:<alice> is taken by Dovecot's LMTP");
      Delivery d = sink.begin(new Envelope("local-part", "u1", 0, Set.of(), false));
      d.write(ByteBuffer.wrap(message));
      d.complete(DeliveryKey.of("local-part", "u1"));
    }
    List<Path> added = inbox().stream().filter(p -> !before.contains(p)).toList();
    assertEquals(1, added.size(), added.toString());
    assertArrayEquals(message, PrivateDovecot.withoutReturnPath(Files.readAllBytes(added.get(0))));
  }
}
