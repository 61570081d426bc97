package dev.mailfetch.cli;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What is wrong with a {@code --label-rule HEADER~REGEX=LABEL}, in words: a regular expression that
 * does not compile is called invalid, with what is wrong and where (the library would say the
 * first, not the second); a rule without its {@code =LABEL} says that too. The library still checks
 * the rest (the header name, the label).
 */
final class LabelRuleWords {
  private LabelRuleWords() {}

  /** What is wrong with {@code rule}'s form or regular expression, or null when both are right. */
  static String problem(String rule) {
    int tilde = rule.indexOf('~');
    if (tilde <= 0) {
      return null; // no HEADER~: the library's words say the form
    }
    int eq = rule.lastIndexOf('=');
    boolean noLabel = eq < tilde + 1 || eq == rule.length() - 1;
    String regex =
        noLabel && (eq < tilde + 1)
            ? rule.substring(tilde + 1)
            : rule.substring(tilde + 1, Math.max(eq, tilde + 1));
    String invalid = invalid(regex);
    if (noLabel) {
      return "a label rule is HEADER~REGEX=LABEL, for example 'List-Id~java\\.net=Lists/Java'; this one has no"
          + " =LABEL at its end"
          + (invalid == null ? "" : ", and " + invalid);
    }
    return invalid == null
        ? null
        : invalid
            + " (a label rule is HEADER~REGEX=LABEL, REGEX a regular expression"
            + " matched without regard to case)";
  }

  /**
   * "the regular expression "x" is not valid: what, near character n", or null when it compiles.
   */
  static String invalid(String regex) {
    try {
      Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
      return null;
    } catch (PatternSyntaxException e) {
      String what =
          e.getDescription() == null || e.getDescription().isBlank()
              ? "it cannot be read"
              : e.getDescription().substring(0, 1).toLowerCase(Locale.ROOT)
                  + e.getDescription().substring(1);
      String where =
          e.getIndex() < 0
              ? ""
              : e.getIndex() >= regex.length()
                  ? ", at its end"
                  : ", near character "
                      + (e.getIndex() + 1)
                      + " ('"
                      + regex.charAt(e.getIndex())
                      + "')";
      return "the regular expression \"" + regex + "\" is not valid: " + what + where;
    }
  }
}
