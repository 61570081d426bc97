package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.Quirk;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The quick doctor says only what it measured: where TOP and LIST disagree on a size it says so and
 * suggests {@code --deep}, instead of blaming LIST; a deep one, which retrieves, names the side at
 * fault. A sample that is the server's notice in place of a message (quirk Q52) is said to be one,
 * and its size is nobody's fault.
 */
@Timeout(120)
class DoctorSizesTest {
  private static Diagnosis examine(FakeMailbox box, boolean deep, Quirk... quirks) {
    try (FakePop3Server s = Pop3SourceTest.server(box).quirk(quirks).start()) {
      return Pop3Doctor.builder()
          .source(Pop3SourceTest.client(s, Security.NONE).build())
          .otherPorts()
          .timeout(Duration.ofSeconds(5))
          .deep(deep)
          .build()
          .examine();
    }
  }

  @Test
  void Q55_theQuickDoctor_saysTopAndListDisagree_andSuggestsDeep_notThatListIsWrong() {
    Diagnosis d =
        examine(MailCorpus.generate(55, 4).toMailbox(), false, Quirk.Q55_TOP_ADDS_EMPTY_LINE);
    assertTrue(d.found(Symptom.TOP_LIST_DISAGREE), d.report());
    assertFalse(d.found(Symptom.LIST_SIZE_WRONG), "LIST is right: " + d.report());
    assertFalse(d.report().contains("LIST must give the exact size"), d.report());
    assertTrue(
        d.report(Diagnosis.Reader.COMMAND_LINE).contains("--deep"),
        d.report(Diagnosis.Reader.COMMAND_LINE));
    assertTrue(d.report().contains("Pop3Doctor.Builder.deep(true)"), d.report());
    assertTrue(d.healthy(), d.report());
  }

  @Test
  void Q55_theDeepDoctor_findsTopAtFault_andListRight() {
    Diagnosis d =
        examine(MailCorpus.generate(55, 4).toMailbox(), true, Quirk.Q55_TOP_ADDS_EMPTY_LINE);
    assertTrue(d.found(Symptom.TOP_BROKEN), d.report());
    assertFalse(d.found(Symptom.LIST_SIZE_WRONG) || d.found(Symptom.TOP_LIST_DISAGREE), d.report());
  }

  /**
   * Q34: TOP and RETR both refused for a listed message: the server refuses that message; TOP is
   * not blamed.
   */
  @Test
  void Q34_theDeepDoctor_saysTheServerRefusesThatMessage_notThatTopIsBroken_andExitsAsFetchWould() {
    Diagnosis d = examine(MailCorpus.generate(34, 4).toMailbox(), true, Quirk.Q34_RETR_ERR_LISTED);
    assertTrue(d.found(Symptom.LISTED_MESSAGE_REFUSED), d.report());
    assertFalse(d.found(Symptom.TOP_BROKEN), "TOP works for what RETR sends: " + d.report());
    assertTrue(d.report().contains("Message 2 expunged."), "the server's words: " + d.report());
    assertEquals(FetchError.PROTOCOL.exitCode(), d.exitCode(), "as a fetch of it stops");
  }

  /**
   * Sizes in the units fetch uses (decimal, B/kB/MB) and times in seconds: no raw octets, KiB or
   * milliseconds.
   */
  @Test
  void Q32_theDeepDoctorsSizes_andTimes_areInTheWordsFetchUses() {
    Diagnosis d =
        examine(MailCorpus.generate(32, 4).toMailbox(), true, Quirk.Q32_LIST_SIZE_LF_COUNT);
    String report = d.report();
    assertFalse(
        report.matches("(?s).*\\d octets.*") || report.contains("KiB") || report.contains(" ms)"),
        report);
    assertTrue(
        report.matches(
            "(?s).*LIST says message \\d+ has [0-9.]+ k?B; RETR sent [0-9.]+ k?B \\([0-9,]+ bytes? more\\).*"),
        report);
  }

  @Test
  void Q32_theDeepDoctor_findsListAtFault() {
    Diagnosis d =
        examine(MailCorpus.generate(32, 4).toMailbox(), true, Quirk.Q32_LIST_SIZE_LF_COUNT);
    assertTrue(d.found(Symptom.LIST_SIZE_WRONG), d.report());
    assertFalse(d.found(Symptom.TOP_BROKEN) || d.found(Symptom.TOP_LIST_DISAGREE), d.report());
  }

  @Test
  void Q52_aMessageTheServerReplaces_isSaidToBeReplaced_notThatListOrTopIsWrong() {
    for (boolean deep : new boolean[] {false, true}) {
      Diagnosis d =
          examine(
              DoctorTest.withUtf8Header(),
              deep,
              Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8,
              Quirk.Q19_CAPA_ERR);
      assertTrue(d.found(Symptom.UNICODE_MESSAGES_REPLACED), d.report());
      assertTrue(
          d.report().contains("CAPA failed, so UTF-8 mode (RFC 6856) could not be turned on"),
          d.report());
      assertFalse(
          d.found(Symptom.TOP_LIST_DISAGREE)
              || d.found(Symptom.LIST_SIZE_WRONG)
              || d.found(Symptom.TOP_BROKEN),
          "deep=" + deep + ": " + d.report());
    }
  }

  @Test
  void Q52_aServerThatReplacesForProgramsWithoutUtf8_isNoticed_andMailfetchGetsTheOriginals() {
    Diagnosis d =
        examine(DoctorTest.withUtf8Header(), false, Quirk.Q52_UNICODE_SUBSTITUTED_WITHOUT_UTF8);
    assertTrue(d.found(Symptom.UNICODE_MESSAGES_REPLACED_FOR_OTHERS), d.report());
    assertFalse(
        d.found(Symptom.UNICODE_MESSAGES_REPLACED) || d.found(Symptom.TOP_LIST_DISAGREE),
        d.report());
    assertTrue(d.report().contains("UTF-8 mode: on"), d.report());
    assertTrue(d.healthy(), d.report());
  }

  @Test
  void Q53_theQuickDoctor_findsAMessageServedEmpty_asItsOwnFinding() {
    Diagnosis d = examine(MailCorpus.generate(53, 5).toMailbox(), false, Quirk.Q53_SERVED_EMPTY);
    assertTrue(d.found(Symptom.MESSAGES_SERVED_EMPTY), d.report());
    assertTrue(d.report().contains("message 2") && d.report().contains("X-UIDL"), d.report());
    assertFalse(d.found(Symptom.TOP_LIST_DISAGREE) || d.found(Symptom.LIST_SIZE_WRONG), d.report());
  }

  @Test
  void Q53_theDeepDoctor_doesNotBlameList_forAMessageServedEmpty() {
    Diagnosis d = examine(MailCorpus.generate(53, 5).toMailbox(), true, Quirk.Q53_SERVED_EMPTY);
    assertTrue(d.found(Symptom.MESSAGES_SERVED_EMPTY), d.report());
    assertFalse(d.found(Symptom.LIST_SIZE_WRONG) || d.found(Symptom.TOP_BROKEN), d.report());
    assertFalse(d.report().contains("LIST must give the exact size"), d.report());
  }

  @Test
  void theMailboxSize_isSaidInTheCommandsDecimalUnits_neverBinaryLabelledKb() {
    Diagnosis d = examine(MailCorpus.generate(13, 5).toMailbox(), false);
    String mailbox = d.step(Diagnosis.Stage.MAILBOX).summary();
    assertTrue(mailbox.matches("5 messages, [0-9.]+ (B|kB|MB|GB);.*"), mailbox);
    assertFalse(d.report().contains(" KB") || d.report().contains("KiB"), d.report());
  }

  @Test
  void Q51_uidsThatAreTheMessageNumbers_areFound() {
    Diagnosis d =
        examine(MailCorpus.generate(51, 4).toMailbox(), false, Quirk.Q51_UIDL_FROM_MESSAGE_NUMBER);
    assertTrue(d.found(Symptom.UIDS_FROM_NUMBERS), d.report());
    assertTrue(d.healthy(), "a warning: mail still flows " + d.report());
    Diagnosis ordinary = examine(MailCorpus.generate(51, 4).toMailbox(), false);
    assertFalse(ordinary.found(Symptom.UIDS_FROM_NUMBERS), ordinary.report());
  }

  /** TOP refused for one message is said as measured, not blamed on TOP. */
  @Test
  void Q34_theQuickDoctor_saysTopWasRefusedForThatMessage_andSuggestsDeep_notThatTopIsBroken() {
    Diagnosis d = examine(MailCorpus.generate(34, 3).toMailbox(), false, Quirk.Q34_RETR_ERR_LISTED);
    assertFalse(d.found(Symptom.TOP_BROKEN), "TOP works for the other messages: " + d.report());
    assertTrue(d.found(Symptom.TOP_REFUSED), d.report());
    Diagnosis.Finding f =
        d.findings().stream()
            .filter(x -> x.symptom() == Symptom.TOP_REFUSED)
            .findFirst()
            .orElseThrow();
    assertTrue(
        f.evidence().contains("TOP 2 ")
            && f.evidence().contains("Message 2 expunged.")
            && f.evidence().contains("messages 1 and 3"),
        f.evidence());
    String cli = d.report(Diagnosis.Reader.COMMAND_LINE);
    assertTrue(cli.contains("--deep"), cli);
    assertFalse(cli.contains("support TOP"), cli);
  }

  /** One message the server refuses does not make all mail unfetchable. */
  @Test
  void Q34_theDeepDoctor_saysTheOtherMessagesAreFetched_withTheFetchsExitCode() {
    Diagnosis d = examine(MailCorpus.generate(34, 3).toMailbox(), true, Quirk.Q34_RETR_ERR_LISTED);
    assertTrue(d.found(Symptom.LISTED_MESSAGE_REFUSED), d.report());
    assertFalse(d.report().contains("Mail cannot be fetched"), d.report());
    assertTrue(d.report().contains("the other messages can be fetched"), d.report());
    assertEquals(52, d.exitCode(), "as the fetch that fails that message: " + d.report());
  }

  /** TOP refused for every sample: the quick doctor cannot tell TOP from the messages either. */
  @Test
  void Q33_topErr_theQuickDoctor_saysTopWasRefused_andTheDeepOneThatTopIsBroken() {
    Diagnosis quick = examine(MailCorpus.generate(33, 3).toMailbox(), false, Quirk.Q33_TOP_ERR);
    assertTrue(
        quick.found(Symptom.TOP_REFUSED) && !quick.found(Symptom.TOP_BROKEN), quick.report());
    Diagnosis deep = examine(MailCorpus.generate(33, 3).toMailbox(), true, Quirk.Q33_TOP_ERR);
    assertTrue(deep.found(Symptom.TOP_BROKEN) && !deep.found(Symptom.TOP_REFUSED), deep.report());
    assertTrue(deep.healthy(), deep.report());
  }
}
