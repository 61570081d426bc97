package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A deletion the server refused (DELE) or did not confirm (QUIT) is said with the server's own
 * words ({@link FetchSession#lastRefusal()}), as every failure that has a server reply is: {@code
 * CODE: detail (server said: "reply")}. Words that belong to another refusal are never quoted.
 */
class DeletionWordsTest {
  private static FetchResult deleteAll(Rig rig) {
    return rig.fetcher(b -> b.retention(Retention.DELETE_AFTER_DELIVERY)).run();
  }

  @Test
  void aRefusedDele_isSaidWithTheServersWords_escaped() {
    Rig rig = new Rig().withMessages(3);
    rig.faults.deleteRefused.add("m2");
    rig.faults.deleteRefusalWords = "-ERR [SYS/TEMP] cannot delete now\r\nforged line";
    FetchResult r = deleteAll(rig);

    assertEquals(1, r.warnings().size(), r.warnings()::toString);
    FetchException w = r.warnings().get(0);
    assertEquals(FetchError.DELETION_UNCONFIRMED, w.error());
    assertEquals(
        Optional.of("-ERR [SYS/TEMP] cannot delete now\\r\\nforged line"), w.serverReply());
    assertTrue(
        w.getMessage()
            .startsWith("DELETION_UNCONFIRMED: the server refused to delete message 2 (uid m2)"),
        w.getMessage());
    assertTrue(
        w.getMessage()
            .endsWith(" (server said: \"-ERR [SYS/TEMP] cannot delete now\\r\\nforged line\")"),
        w.getMessage());
    assertTrue(
        w.remedy().commandLine().contains("quoting what the server said"),
        w.remedy().commandLine());
    assertFalse(
        w.remedy().commandLine().contains("--trace"),
        "the reply is right there: " + w.remedy().commandLine());
    assertFalse(
        w.remedy().library().contains("trace"),
        "the reply is right there: " + w.remedy().library());
    assertEquals(Set.of("m2"), rig.mailbox.uids());
  }

  @Test
  void aQuitTheServerDidNotConfirm_isSaidWithItsWords() {
    Rig rig = new Rig().withMessages(2);
    rig.faults.quitUnconfirmed = true;
    rig.faults.quitRefusalWords = "-ERR Error locking your mailbox";
    FetchResult r = deleteAll(rig);

    assertEquals(1, r.warnings().size(), r.warnings()::toString);
    FetchException w = r.warnings().get(0);
    assertEquals(FetchError.DELETION_UNCONFIRMED, w.error());
    assertTrue(
        w.detail().startsWith("the server did not confirm the end of the session (QUIT)"),
        w.detail());
    assertTrue(
        w.detail().endsWith("(server said: \"-ERR Error locking your mailbox\")"), w.detail());
    assertTrue(
        w.remedy().commandLine().contains("quoting what the server said"),
        w.remedy().commandLine());
  }

  @Test
  void
      aQuitWithoutWords_afterARefusedDele_isNotGivenTheDelesWords_norAdviceToQuoteWhatWasNotSaid() {
    Rig rig = new Rig().withMessages(3);
    rig.faults.deleteRefused.add("m2");
    rig.faults.deleteRefusalWords = "-ERR cannot delete now";
    rig.faults.quitUnconfirmed = true; // and QUIT gets no words: the connection broke
    FetchResult r = deleteAll(rig);

    assertEquals(2, r.warnings().size(), r.warnings()::toString);
    assertEquals(Optional.of("-ERR cannot delete now"), r.warnings().get(0).serverReply());
    FetchException quit = r.warnings().get(1);
    assertTrue(
        quit.detail().startsWith("the server did not confirm the end of the session (QUIT)"),
        quit.detail());
    assertEquals(Optional.empty(), quit.serverReply(), quit::getMessage);
    assertFalse(
        quit.remedy().commandLine().contains("quoting"),
        "it said nothing: " + quit.remedy().commandLine());
    assertTrue(quit.remedy().commandLine().contains("--trace"), quit.remedy().commandLine());
    assertTrue(quit.remedy().library().contains("trace"), quit.remedy().library());
  }

  @Test
  void aSourceThatGivesNoWords_saysWhatHappenedWithoutAQuote() {
    Rig rig = new Rig().withMessages(2);
    rig.faults.deleteRefused.add("m1");
    FetchResult r = deleteAll(rig);
    FetchException w = r.warnings().get(0);
    assertEquals(Optional.empty(), w.serverReply());
    assertFalse(w.getMessage().contains("server said"), w.getMessage());
    assertFalse(w.remedy().commandLine().contains("quoting"), w.remedy().commandLine());
  }
}
