package dev.mailfetch.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.HeaderBlock;
import dev.mailfetch.api.LabelDecision;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LabelRulesTest {
  private static HeaderBlock headers(String text) {
    return HeaderBlock.of(text.getBytes(StandardCharsets.UTF_8), true);
  }

  @Test
  void fixedLabels_andEachMatchingRule_andArchive() {
    LabelRules rules =
        LabelRules.builder()
            .label("Fetched")
            .rule("List-Id~java\\.net=Lists/Java")
            .rule("From", "@bank\\.example$|@bank\\.example>", "Bank")
            .rule("Subject~unmatched=Never")
            .archive(true)
            .build();
    LabelDecision d =
        rules.decide(
            "a",
            headers(
                "From: Statements <no-reply@bank.example>\r\n"
                    + "List-Id: Java users <users.java.net>\r\nSubject: hello\r\n\r\n"));
    assertEquals(Set.of("Fetched", "Lists/Java", "Bank"), d.labels());
    assertTrue(d.archived());
    assertTrue(rules.needsHeaders());
    assertFalse(
        LabelRules.builder().label("x").build().needsHeaders(), "fixed labels need no headers");
  }

  @Test
  void rulesSeeDecodedFoldedText_withoutRegardToCase_onEveryFieldOfTheName() {
    LabelRules rules =
        LabelRules.builder().rule("Subject~grüße aus=German").rule("To~second@=Second").build();
    HeaderBlock h =
        headers(
            "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n =?ISO-8859-1?Q?_AUS_Berlin?=\r\n"
                + "To: first@example.org\r\nTo: second@example.org\r\n\r\n");
    assertEquals(Set.of("German", "Second"), rules.decide("a", h).labels());
  }

  @Test
  void theCliForm_isCheckedWhenGiven_withAClearMessage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LabelRules.builder().rule("Subject=x"));
    assertTrue(e.getMessage().contains("HEADER~REGEX=LABEL"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> LabelRules.builder().rule("Subject~([=x"));
    assertTrue(e.getMessage().contains("not a valid regular expression"), e.getMessage());
    assertEquals(
        "a=b",
        LabelRules.builder().rule("X-Tag~a=b=Label").build().rules().get(0).pattern().pattern(),
        "the label follows the last '='");
  }

  @Test
  @Timeout(10)
  void aHostileHeaderCannotMakeARuleRunForEver() {
    LabelRules rules =
        LabelRules.builder().rule("Subject", "(a+)+$", "Evil").rule("Subject~aaa=Plain").build();
    LabelDecision d = rules.decide("a", headers("Subject: " + "a".repeat(3000) + "!\r\n\r\n"));
    assertEquals(
        Set.of("Plain"), d.labels(), "the backtracking rule gave up; the others still apply");
  }

  @Test
  void archiveSetTwice_isRefused_showingTheFirstValue_whileLabelsAndRulesAddUp() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> LabelRules.builder().archive(true).archive(false));
    assertEquals("archive was already set to true", e.getMessage());
    LabelRules.builder().label("A").label("B").rule("Subject~x=C").rule("Subject~y=D").build();
  }
}
