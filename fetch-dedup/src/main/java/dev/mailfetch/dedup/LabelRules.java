package dev.mailfetch.dedup;

import dev.mailfetch.api.HeaderBlock;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.api.internal.Require;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labels from rules on headers, as Gmail's fetcher let users label and archive fetched mail: fixed
 * labels for every message of the account, plus a label for each rule whose pattern is found in a
 * header, and "archive" (skip the inbox).
 *
 * <pre>{@code
 * LabelPolicy labels = LabelRules.builder()
 *     .label("Fetched")                              // every message
 *     .rule("List-Id~java\\.net=Lists/Java")         // HEADER~REGEX=LABEL, as the CLI takes it
 *     .rule("Subject", "(?i)invoice", "Receipts")
 *     .archive(false)
 *     .build();
 * }</pre>
 *
 * <p>A pattern is a Java regular expression, found anywhere in the header's value (add {@code ^}
 * and {@code $} to match it whole), without regard to case, on every field of that name, after RFC
 * 2047 encoded words are decoded and folding undone: a rule on {@code Subject} sees what a mail
 * reader shows. Any header name works; {@code From}, {@code To}, {@code Cc}, {@code List-Id},
 * {@code Subject} and {@code Delivered-To} are the usual ones.
 *
 * <p>Header values come from the server, so a pattern must not be made to run for ever by one
 * (catastrophic backtracking): each match may look at most a million characters, after which the
 * rule counts as not matching and a warning is logged. Values are cut at 4,000 characters.
 */
public final class LabelRules implements LabelPolicy {
  private static final Logger log = LoggerFactory.getLogger(LabelRules.class);
  private static final int MAX_VALUE = 4000;
  private static final int MAX_STEPS = 1_000_000;

  /**
   * One rule: a label for messages whose header matches.
   *
   * @param header the header field's name, compared without regard to case
   * @param pattern found anywhere in each value of that field (decoded and unfolded)
   * @param label the label a message gets when the pattern is found
   */
  public record Rule(String header, Pattern pattern, String label) {
    /**
     * Checks the components.
     *
     * @param header the header field's name, compared without regard to case
     * @param pattern found anywhere in each value of that field (decoded and unfolded)
     * @param label the label a message gets when the pattern is found
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if the header name is blank or holds ':', or the label is
     *     not one a {@link dev.mailfetch.api.LabelDecision} accepts
     */
    public Rule {
      Objects.requireNonNull(header, "header");
      Objects.requireNonNull(pattern, "pattern");
      new LabelDecision(Set.of(label), false); // the rules of any label
      if (header.isBlank() || header.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "a header name has no spaces or ':': \"" + header + "\"");
      }
    }
  }

  private final Set<String> fixed;
  private final List<Rule> rules;
  private final boolean archive;

  /** The decision without rules, the same for every message: made once, not per message. */
  private final LabelDecision fixedOnly;

  private LabelRules(Builder b) {
    this.fixed = Set.copyOf(b.fixed);
    this.rules = List.copyOf(b.rules);
    this.archive = b.archive;
    this.fixedOnly = new LabelDecision(fixed, archive);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public LabelDecision decide(String account, HeaderBlock headers) {
    if (rules.isEmpty()) {
      return fixedOnly;
    }
    Set<String> labels = new LinkedHashSet<>(fixed);
    for (Rule r : rules) {
      if (!labels.contains(r.label()) && matches(r, headers)) {
        labels.add(r.label());
      }
    }
    return new LabelDecision(labels, archive);
  }

  @Override
  public boolean needsHeaders() {
    return !rules.isEmpty();
  }

  /** The rules, in order. */
  public List<Rule> rules() {
    return rules;
  }

  private static boolean matches(Rule r, HeaderBlock headers) {
    for (String value : headers.values(r.header())) {
      String text = EncodedWords.decode(value);
      if (text.length() > MAX_VALUE) {
        text = text.substring(0, MAX_VALUE);
      }
      try {
        if (r.pattern().matcher(new Bounded(text)).find()) {
          return true;
        }
      } catch (Bounded.TooLong e) {
        log.warn(
            "label rule {}~{} gave up on a {} header after {} steps (the pattern backtracks too much);"
                + " not labelled {}",
            r.header(),
            r.pattern(),
            r.header(),
            MAX_STEPS,
            r.label());
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "LabelRules[labels=" + fixed + ", rules=" + rules.size() + ", archive=" + archive + "]";
  }

  /** A string that stops a regular expression that has looked at it too often. */
  private static final class Bounded implements CharSequence {
    static final class TooLong extends RuntimeException {
      private static final long serialVersionUID = 1L;

      TooLong() {
        super(null, null, false, false);
      }
    }

    private final String s;
    private final int[] steps;

    Bounded(String s) {
      this(s, new int[1]);
    }

    private Bounded(String s, int[] steps) {
      this.s = s;
      this.steps = steps;
    }

    @Override
    public char charAt(int i) {
      if (++steps[0] > MAX_STEPS) {
        throw new TooLong();
      }
      return s.charAt(i);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Bounded(s.substring(start, end), steps);
    }

    @Override
    public String toString() {
      return s;
    }
  }

  /**
   * Builds {@link LabelRules}; every label and rule is checked when added (they add up), and {@link
   * #archive} may be set once.
   */
  public static final class Builder {
    private final Set<String> fixed = new LinkedHashSet<>();
    private final List<Rule> rules = new ArrayList<>();
    private boolean archive;
    private final Require.Once once = new Require.Once();

    private Builder() {}

    /** A label for every message. */
    public Builder label(String label) {
      new LabelDecision(Set.of(label), false);
      fixed.add(label);
      return this;
    }

    /** A rule: {@code label} when {@code regex} is found in a {@code header} (case ignored). */
    public Builder rule(String header, String regex, String label) {
      Pattern p;
      try {
        p = Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "the pattern of a label rule on "
                + header
                + " is not a valid regular"
                + " expression: "
                + e.getDescription()
                + " in \""
                + regex
                + "\"",
            e);
      }
      rules.add(new Rule(header, p, label));
      return this;
    }

    /**
     * A rule written as {@code HEADER~REGEX=LABEL} (the CLI's {@code --label-rule}): the header is
     * what comes before the first '~', the label what follows the last '='.
     */
    public Builder rule(String spec) {
      int tilde = spec.indexOf('~');
      int eq = spec.lastIndexOf('=');
      if (tilde <= 0 || eq < tilde + 1 || eq == spec.length() - 1) {
        throw new IllegalArgumentException(
            "a label rule is HEADER~REGEX=LABEL, for example"
                + " 'List-Id~java\\.net=Lists/Java'; got \""
                + spec
                + "\"");
      }
      return rule(
          spec.substring(0, tilde).strip(),
          spec.substring(tilde + 1, eq),
          spec.substring(eq + 1).strip());
    }

    /**
     * Whether every message skips the inbox (Gmail's "archive"); false by default.
     *
     * @throws IllegalStateException if set before
     */
    public Builder archive(boolean archive) {
      once.set("archive", this.archive);
      this.archive = archive;
      return this;
    }

    public LabelRules build() {
      return new LabelRules(this);
    }
  }
}
