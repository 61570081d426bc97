package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelOptionsTest {
  @Test
  void aLabelGmailRefuses_isRefusedOnlyIntoGmail() {
    assertThrows(
        IllegalArgumentException.class,
        () -> LabelOptions.policy(List.of("SPAM"), List.of(), false, true));
    LabelOptions.policy(List.of("SPAM"), List.of(), false, false);
  }

  @Test
  void aRuleThatIsNotHeaderTildeRegexEqualsLabel_isRefusedNamingTheOption() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LabelOptions.policy(List.of(), List.of("no rule here"), false, false));
    assertTrue(e.getMessage().startsWith("--label-rule no rule here: "), e.getMessage());
  }

  @Test
  void aRuleWithABadRegex_saysSoInTheRulesWords() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LabelOptions.policy(List.of(), List.of("List-Id~[=X"), false, false));
    assertTrue(
        e.getMessage().startsWith("--label-rule List-Id~[=X: the regular expression"),
        e.getMessage());
  }
}
