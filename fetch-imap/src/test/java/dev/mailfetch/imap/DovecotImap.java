package dev.mailfetch.imap;

import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.testkit.PrivateDovecot;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * A private Dovecot serving IMAP for the sink's tests, and what it stored read back from its own
 * Maildir files: the message under a key, found by the header the sink put first.
 */
final class DovecotImap {
  final PrivateDovecot dovecot;
  final Path pem;

  private DovecotImap(PrivateDovecot dovecot, Path pem) {
    this.dovecot = dovecot;
    this.pem = pem;
  }

  static DovecotImap start(Path dir) throws Exception {
    TestCertificates certs = TestCertificates.generate();
    PrivateDovecot d =
        PrivateDovecot.start(EnumSet.of(PrivateDovecot.Service.IMAP), m -> {}, certs);
    return new DovecotImap(d, certs.writeCaPem(dir));
  }

  /** A sink into {@code folder}, over implicit TLS checked against the test CA. */
  ImapAppendSink.Builder sink(String folder) {
    return ImapAppendSink.builder()
        .host("localhost")
        .port(dovecot.imapsPort())
        .trustPem(pem)
        .user(PrivateDovecot.USER)
        .password(() -> PrivateDovecot.PASSWORD)
        .folder(folder);
  }

  /** The header line the sink puts first, as Dovecot stores it (LF). */
  static byte[] keyLine(DeliveryKey key) {
    return (ImapAppendSink.KEY_HEADER + ": " + key + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The stored bytes (LF line ends) of the message under {@code key} in {@code folder}, header line
   * included.
   */
  Optional<byte[]> stored(String folder, DeliveryKey key) throws IOException, InterruptedException {
    byte[] line = keyLine(key);
    Optional<byte[]> found = Optional.empty();
    for (Path f : dovecot.files(folder)) {
      byte[] b = Files.readAllBytes(f);
      if (b.length >= line.length && Arrays.equals(b, 0, line.length, line, 0, line.length)) {
        if (found.isPresent()) {
          throw new AssertionError(key + " is stored twice in " + folder);
        }
        found = Optional.of(b);
      }
    }
    return found;
  }

  /** How many messages of {@code folder} carry {@code key}. */
  int count(String folder, DeliveryKey key) throws IOException, InterruptedException {
    byte[] line = keyLine(key);
    int n = 0;
    for (Path f : dovecot.files(folder)) {
      byte[] b = Files.readAllBytes(f);
      if (b.length >= line.length && Arrays.equals(b, 0, line.length, line, 0, line.length)) {
        n++;
      }
    }
    return n;
  }

  /** The folders Dovecot has, by their IMAP names. */
  List<String> folders() throws IOException, InterruptedException {
    return dovecot
        .doveadm("mailbox", "list")
        .lines()
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  void stop() throws Exception {
    dovecot.stop();
  }
}
