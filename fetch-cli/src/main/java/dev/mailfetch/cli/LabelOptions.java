package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.dedup.LabelRules;
import java.util.List;

/**
 * The label policy that --label, --label-rule and --archive give, each label and rule checked
 * first: in words a person can act on (the rule's shape, a bad regex), and into Gmail against the
 * names Gmail refuses, before its token is read.
 */
final class LabelOptions {
  private LabelOptions() {}

  /**
   * The policy; an IllegalArgumentException in the words of the option that cannot be used, for the
   * command to give as a bad argument.
   */
  static LabelPolicy policy(
      List<String> labels, List<String> labelRules, boolean archive, boolean intoGmail) {
    LabelRules.Builder b = LabelRules.builder().archive(archive);
    for (String label : labels) {
      String refused = intoGmail ? GmailLabelNames.problem(label) : null;
      if (refused != null) {
        throw new IllegalArgumentException(
            "--label \"" + FetchException.escape(label) + "\": " + refused);
      }
      try {
        b.label(label);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--label \"" + FetchException.escape(label) + "\": " + e.getMessage());
      }
    }
    for (String rule : labelRules) {
      String wrong = LabelRuleWords.problem(rule);
      if (wrong != null) {
        throw new IllegalArgumentException("--label-rule " + rule + ": " + wrong);
      }
      String ruled = intoGmail ? GmailLabelNames.ofRule(rule) : null;
      String refused = ruled == null || ruled.isBlank() ? null : GmailLabelNames.problem(ruled);
      if (refused != null) {
        throw new IllegalArgumentException("--label-rule " + rule + ": " + refused);
      }
      try {
        b.rule(rule);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--label-rule " + rule + ": " + e.getMessage());
      }
    }
    return b.build();
  }
}
