package dev.mailfetch.api;

import static dev.mailfetch.api.MessageOutcome.Kind.FAILED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Text is escaped once, where it enters: a server's words (untrusted) as {@code \xNN}, mailfetch's
 * own words kept in printable Unicode ({@code RFC 1939 §4}), and nothing that is already escaped is
 * escaped again on its way through a wrapper, the state store or a quarantine. Control characters
 * and the characters that reorder a line (bidi overrides) never reach a log line.
 */
class EscapingTest {
  /** How the POP3 reader hands over a reply: one char per byte (ISO-8859-1), here "-ERR Über ü". */
  private static final String UTF8_REPLY_AS_BYTES = "-ERR \u00c3\u009cber \u00c3\u00bc";

  @Test
  void aRecordKeepsMailfetchsOwnWords_inUnicode_butNoControlOrReorderingCharacter() {
    String words =
        "the server refused message 2 (RFC 1939 §4: a server keeps what it listed) — Grüße\r\n"
            + "2026-11-21 INFO forged\u001b[2J \u202eevil\u202c \u2028next \u0085 \ud83d\udce7";
    String kept = UidRecord.boundedDetail(words);
    assertTrue(
        kept.startsWith(
            "the server refused message 2 (RFC 1939 §4: a server keeps what it listed) — Grüße"
                + "\\x0D\\x0A2026-11-21 INFO forged\\x1B[2J \\u202Eevil\\u202C \\u2028next \\x85 \ud83d\udce7"),
        kept);
    assertEquals(kept, UidRecord.boundedDetail(kept), "applying it twice changes nothing");
  }

  @Test
  void aBoundedRecordIsNeverCutInsideACharacter() {
    String words = "x".repeat(UidRecord.MAX_DETAIL_CHARS - 4) + "\ud83d\udce7".repeat(10);
    String kept = UidRecord.boundedDetail(words);
    assertTrue(kept.length() <= UidRecord.MAX_DETAIL_CHARS, kept);
    assertTrue(kept.endsWith("..."), kept);
    String before = kept.substring(0, kept.length() - 3);
    assertFalse(
        Character.isHighSurrogate(before.charAt(before.length() - 1)),
        "a lone surrogate at the cut: " + kept);
  }

  @Property
  void keptWords_haveNoControlNorFormatCharacter_andKeepingThemTwiceChangesNothing(
      @ForAll String s) {
    String kept = UidRecord.boundedDetail(s);
    kept.codePoints()
        .forEach(
            cp -> {
              int type = Character.getType(cp);
              assertFalse(
                  type == Character.CONTROL
                      || type == Character.FORMAT
                      || type == Character.SURROGATE
                      || type == Character.LINE_SEPARATOR
                      || type == Character.PARAGRAPH_SEPARATOR,
                  () -> kept);
            });
    assertEquals(kept, UidRecord.boundedDetail(kept));
  }

  @Test
  void aWrapperThatKeepsItsCausesReply_escapesItOnce() {
    FetchException inner =
        new FetchException(FetchError.READ_ERROR, "no status line", UTF8_REPLY_AS_BYTES, null);
    assertEquals("-ERR \\xC3\\x9Cber \\xC3\\xBC", inner.serverReply().orElseThrow());
    // What the POP3 reader does when a message did not end where its terminator said (quirk Q04).
    FetchException outer =
        new FetchException(
            FetchError.READ_ERROR,
            "message 3 did not end where its terminator" + " said",
            inner.serverReply().orElse(null),
            inner);
    assertEquals(inner.serverReply(), outer.serverReply(), "escaped once, not twice");
    assertTrue(
        outer.getMessage().endsWith("(server said: \"-ERR \\xC3\\x9Cber \\xC3\\xBC\")"),
        outer.getMessage());
  }

  @Test
  void aFailureSaidInAWiderContext_keepsItsCode_itsRemedy_andItsReplyEscapedOnce() {
    Remedy own = Remedy.of("Free some space.", "Free some space, or call sync less often.");
    FetchException inner =
        new FetchException(
            FetchError.STATE_FAILED,
            "cannot write /s/uids.journal: No space left" + " on device",
            UTF8_REPLY_AS_BYTES,
            null,
            own);
    FetchException outer = inner.inContext("saving the state of message 3");
    assertEquals(FetchError.STATE_FAILED, outer.error());
    assertEquals(
        "STATE_FAILED: saving the state of message 3: cannot write /s/uids.journal: No space left on device"
            + " (server said: \"-ERR \\xC3\\x9Cber \\xC3\\xBC\")",
        outer.getMessage());
    assertEquals(own, outer.remedy());
    assertSame(inner, outer.getCause());
    FetchException more = inner.withConsequence("it stays quarantined", null);
    assertEquals(
        "cannot write /s/uids.journal: No space left on device; it stays quarantined"
            + " (server said: \"-ERR \\xC3\\x9Cber \\xC3\\xBC\")",
        more.detail());
    assertEquals(own, more.remedy(), "no remedy given: its own is kept");
  }

  @Test
  void aStateStoreThatFailsWithATypedError_isReportedWithOneCode() {
    Rig rig = new Rig().withMessages(2);
    FetchResult r =
        Fetcher.builder()
            .source(rig.mailbox.source(Rig.ACCOUNT))
            .sink(rig.sink)
            .clock(rig.clock)
            .uidStore(
                new ForwardingStore(rig.store) {
                  @Override
                  public void sync() throws IOException {
                    throw new FetchException(
                        FetchError.STATE_FAILED,
                        "cannot write /state/headers.journal: No space left on" + " device");
                  }
                })
            .build()
            .run();
    FetchException e = r.error().orElseThrow();
    assertEquals(FetchError.STATE_FAILED, e.error());
    assertEquals(1, e.getMessage().split("STATE_FAILED", -1).length - 1, e.getMessage());
    assertTrue(
        e.detail().contains("cannot write /state/headers.journal: No space left on device"),
        e.detail());
  }

  @Test
  void aSinkThatFailsWithATypedError_isReportedWithItsCodeOnce() {
    Rig rig = new Rig().withMessages(2);
    FetchResult r =
        Fetcher.builder()
            .source(rig.mailbox.source(Rig.ACCOUNT))
            .uidStore(rig.store)
            .clock(rig.clock)
            .sink(
                new ForwardingMessageSink(rig.sink) {
                  @Override
                  public boolean contains(DeliveryKey key) throws IOException {
                    throw new FetchException(
                        FetchError.SINK_FAILED, "cannot read the Maildir /m: Input/output error");
                  }
                })
            .build()
            .run();
    FetchException e = r.error().orElseThrow();
    assertEquals(1, e.getMessage().split("SINK_FAILED", -1).length - 1, e.getMessage());
  }

  @Test
  void Q04_aQuarantinedMessage_saysTheServersWordsEscapedOnce_andMailfetchsOwnInUnicode() {
    Rig rig = new Rig().withMessages(2);
    FetchException inner =
        new FetchException(FetchError.READ_ERROR, "no status line", UTF8_REPLY_AS_BYTES, null);
    rig.faults.refuse.put(
        "m2",
        new FetchException(
            FetchError.PROTOCOL,
            "the server refused message 2 (RFC 1939 §4)",
            inner.serverReply().orElse(null),
            inner));
    for (int run = 1; run <= 2; run++) {
      assertEquals(FAILED, rig.fetcher(b -> b.quarantineAfter(2)).run().outcomes().get(1).kind());
    }
    rig.crash(); // read back from what the state made durable
    String said = rig.fetcher(b -> b.quarantineAfter(2)).run().outcomes().get(1).error().detail();
    assertTrue(
        said.contains(
            "Its last error: the server refused message 2 (RFC 1939 §4) (server said: \"-ERR"
                + " \\xC3\\x9Cber \\xC3\\xBC\")"),
        said);
  }

  @Test
  void aPolicysFailure_isSaidWithOneCode_andInItsOwnLanguage() {
    Rig rig = new Rig().withMessages(2);
    LabelPolicy labels =
        (account, h) -> {
          throw new IllegalStateException("no rule for Grüße\r\n2026 INFO forged");
        };
    DedupPolicy dedup =
        (env, h) -> {
          throw new FetchException(
              FetchError.STATE_FAILED, "cannot write /d/dedup: No space left on device");
        };
    FetchResult r = rig.fetcher(b -> b.labelPolicy(labels).dedupPolicy(dedup)).run();
    assertEquals(2, r.warnings().size(), r.warnings()::toString);
    assertTrue(
        r.warnings().get(0).detail().contains("no rule for Grüße\\x0D\\x0A2026 INFO forged"),
        r.warnings().get(0).detail());
    FetchException w = r.warnings().get(1);
    assertEquals(1, w.getMessage().split("STATE_FAILED", -1).length - 1, w.getMessage());
    assertTrue(
        w.detail().contains("message 1 (uid m1): cannot write /d/dedup: No space left on device"),
        w.detail());
  }

  @Test
  void aMessageIsNamedByItsUniqueIdAsItIs() {
    assertEquals("3 (uid a\\b\"c)", FetchRun.describe(new MessageRef(3, "a\\b\"c", 10)));
  }
}
