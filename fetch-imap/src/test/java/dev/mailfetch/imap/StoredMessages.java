package dev.mailfetch.imap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.InMemorySink;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Messages compared byte for byte as sets (each once), for the real servers' interop tests. */
final class StoredMessages {
  private StoredMessages() {}

  /** The messages as a set of their bytes; fails if one is there twice. */
  static Set<String> asSet(List<byte[]> messages) {
    Set<String> out = new HashSet<>();
    for (byte[] m : messages) {
      assertTrue(out.add(Base64.getEncoder().encodeToString(m)), "a message twice");
    }
    return out;
  }

  /** What the sink received, in order. */
  static List<byte[]> contents(InMemorySink sink) {
    return sink.messages().stream().map(InMemorySink.StoredMessage::content).toList();
  }

  /** The first message of {@code got} that {@code expected} lacks, shown in words, or "none". */
  static String firstMissing(List<byte[]> expected, List<byte[]> got) {
    Set<String> want = asSet(expected);
    for (byte[] g : got) {
      if (!want.contains(Base64.getEncoder().encodeToString(g))) {
        String s = new String(g, StandardCharsets.ISO_8859_1);
        return "not stored so: ["
            + s.substring(0, Math.min(300, s.length())).replace("\r", "\\r").replace("\n", "\\n")
            + "]";
      }
    }
    return "none";
  }
}
