package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.DeliveriesFailed;
import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.testkit.gmail.FaultRule;
import dev.mailfetch.testkit.gmail.GmailFault;
import dev.mailfetch.testkit.gmail.GmailLabel;
import dev.mailfetch.testkit.gmail.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The words and codes of the destination's failures: a failure remembered from another message is
 * said as the destination's; a label named like one of Gmail's system labels is refused before
 * anything is sent; a token provider's plain IOException is the same AUTH_FAILED as in POP3.
 */
@Timeout(120)
class GmailDestinationWordsTest {
  @TempDir Path dir;

  private static Envelope envelope(String uid, Set<String> labels) {
    return new Envelope("alice@pop", uid, 100, labels, false);
  }

  @Test
  void aFailureRememberedFromAnotherMessage_isSaidAsTheDestinations_notAsThatMessages()
      throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(0))) {
      rig.gmail.inject(
          FaultRule.of(GmailFault.TOO_MANY_REQUESTS_429)
              .always()
              .retryAfter(Duration.ofSeconds(900)));
      try (GmailImportSink sink = rig.sink().retryBudget(Duration.ofSeconds(1)).build()) {
        Delivery d = sink.begin(envelope("u5", Set.of()));
        d.write(ByteBuffer.wrap(GmailRig.message(5)));
        DeliveryKey k5 = DeliveryKey.of("alice@pop", "u5");
        d.complete(k5);
        DeliveriesFailed failed = assertThrows(DeliveriesFailed.class, sink::sync);
        assertEquals(FetchError.QUOTA_EXCEEDED, failed.failures().get(k5).error());
        FetchException seven =
            assertThrows(FetchException.class, () -> sink.begin(envelope("u7", Set.of())));
        assertEquals(FetchError.QUOTA_EXCEEDED, seven.error());
        String words = seven.detail();
        assertTrue(words.startsWith("message u7 of alice@pop was not sent"), words);
        assertTrue(words.contains("Gmail (" + GmailRig.ME + ") failed as a destination"), words);
      }
    }
  }

  @Test
  void
      aLabelNamedLikeTrashOrSpam_inAnyCase_isRefusedAtTheFirstBegin_withConfiguration_andNothingIsSent()
          throws Exception {
    for (String name : new String[] {"Trash", "spam", "DRAFT", "Sent", "chat"}) {
      Path d = dir.resolve(name);
      try (GmailRig rig = new GmailRig(d, GmailRig.mailbox(2))) {
        rig.labels = LabelPolicy.fixed(Set.of("Work", name), false);
        FetchResult r = rig.runOnce();
        FetchException e = r.firstError().orElseThrow(() -> new AssertionError(r.summary()));
        assertEquals(FetchError.CONFIGURATION, e.error(), e.getMessage());
        assertTrue(
            e.getMessage().contains("\"" + name + "\"") && e.getMessage().contains("system label"),
            e.getMessage());
        assertTrue(e.remedy().commandLine().contains("--label"), e.remedy().commandLine());
        assertEquals(0, rig.inGmail().size(), name + ": nothing imported");
        assertEquals(2, rig.onServer().size(), name + ": nothing deleted");
        assertFalse(
            rig.gmail.labels(GmailRig.ME).stream().anyMatch(l -> l.name().equals("Work")),
            "refused before any label was created");
      }
    }
  }

  @Test
  void STARRED_andIMPORTANT_inAnyCase_areGmailsOwnMarks_notNewLabels() throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(1))) {
      rig.labels = LabelPolicy.fixed(Set.of("Starred", "important"), false);
      FetchResult r = rig.runOnce();
      assertTrue(r.ok(), r::summary);
      StoredMessage m = rig.inGmail().get(0);
      assertEquals(Set.of("INBOX", "UNREAD", "STARRED", "IMPORTANT"), Set.copyOf(m.labelIds()));
      assertEquals(
          Set.of(),
          rig.gmail.labels(GmailRig.ME).stream()
              .filter(l -> !l.system())
              .map(GmailLabel::name)
              .collect(Collectors.toSet()),
          "no user label created");
    }
  }

  @Test
  void aTokenProvidersPlainIOException_isAuthFailed_asInPop3_withTheProvidersWords()
      throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(0))) {
      TokenProvider broken =
          new TokenProvider() {
            @Override
            public String accessToken() throws IOException {
              throw new IOException("the token file /x/token.json cannot be read");
            }

            @Override
            public void invalidate(String token) {}
          };
      try (GmailImportSink sink = rig.sink().tokens(broken).build()) {
        FetchException e =
            assertThrows(FetchException.class, () -> sink.begin(envelope("u1", Set.of())));
        assertEquals(FetchError.AUTH_FAILED, e.error(), e.getMessage());
        assertTrue(
            e.getMessage().contains("the token file /x/token.json cannot be read"), e.getMessage());
      }
    }
  }

  @Test
  void aTokenProvidersFetchException_passesThroughAsItIs() throws Exception {
    try (GmailRig rig = new GmailRig(dir, GmailRig.mailbox(0))) {
      FetchException given =
          new FetchException(FetchError.CONNECTION_TIMED_OUT, "the token endpoint is slow");
      TokenProvider slow =
          new TokenProvider() {
            @Override
            public String accessToken() throws IOException {
              throw given;
            }

            @Override
            public void invalidate(String token) {}
          };
      try (GmailImportSink sink = rig.sink().tokens(slow).build()) {
        FetchException e =
            assertThrows(FetchException.class, () -> sink.begin(envelope("u1", Set.of())));
        assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error(), e.getMessage());
        assertTrue(e.getMessage().contains("the token endpoint is slow"), e.getMessage());
      }
    }
  }
}
