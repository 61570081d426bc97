package dev.mailfetch.gmail;

import dev.mailfetch.api.DoctorStatus;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.gmail.internal.Checkup;
import dev.mailfetch.gmail.internal.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the Gmail side of a delivery with the same settings as the {@link GmailImportSink} (what
 * {@code mailfetch doctor} runs for a {@code gmail:} destination): that an access token can be had,
 * that it grants what an import needs, that it opens the configured mailbox, and that the labels
 * the run files mail under exist or can be created. Imports nothing.
 *
 * <pre>{@code
 * GmailCheckup.Report r = GmailImportSink.builder().mailbox("me@gmail.com").tokens(tokens)
 *     .checkup().withLabels(Set.of("Lists/Work")).run();
 * r.findings().forEach(f -> System.out.println(f.status().mark() + " " + f.words()));
 * }</pre>
 *
 * <p>Costs a few dozen quota units (a profile read, a label listing, one search, and an empty
 * import, which Gmail refuses as empty when the token may import and as forbidden when it may not);
 * creates labels only when asked with {@link #creatingMissingLabels(boolean)}.
 */
public final class GmailCheckup {
  private final Config config;
  private final Set<String> labels;
  private final boolean createMissingLabels;

  GmailCheckup(Config config, Set<String> labels, boolean createMissingLabels) {
    this.config = config;
    this.labels = Set.copyOf(labels);
    this.createMissingLabels = createMissingLabels;
  }

  /** The same checkup, also checking these labels (those the runs will file mail under). */
  public GmailCheckup withLabels(Set<String> labels) {
    return new GmailCheckup(config, Objects.requireNonNull(labels, "labels"), createMissingLabels);
  }

  /**
   * The same checkup, creating the labels of {@link #withLabels} that are missing (as the first
   * import would) when {@code create}; otherwise it only says they will be created.
   */
  public GmailCheckup creatingMissingLabels(boolean create) {
    return new GmailCheckup(config, labels, create);
  }

  /**
   * Runs the checks, in order; never throws for what Gmail, the token endpoint or the network does.
   */
  public Report run() {
    return new Report(config.mailbox(), new Checkup(config, labels, createMissingLabels).run());
  }

  /** How a finding bears on delivery: the {@link DoctorStatus} of the same name. */
  public enum Status {
    /** Works. */
    OK,
    /** Works, with something to know. */
    WARNING,
    /** Stops mail from reaching Gmail. */
    FAILED,
    /** Not checked, because an earlier check failed. */
    SKIPPED;

    /** One character for a report line: its {@link DoctorStatus#mark()}. */
    public String mark() {
      return DoctorStatus.valueOf(name()).mark();
    }
  }

  /** The checks, in the order they run. */
  public enum Check {
    /** An access token can be had from the token provider. */
    TOKEN("access token"),
    /** The token opens the configured mailbox ({@code users.getProfile}). */
    ACCOUNT("account"),
    /** The token grants what the sink needs (labels, search, import). */
    SCOPES("permissions"),
    /** The labels mail is filed under exist or can be created. */
    LABELS("labels");

    private final String title;

    Check(String title) {
      this.title = title;
    }

    /** The check's name in a report. */
    public String title() {
      return title;
    }
  }

  /** What a finding says, with its status, the error a run would meet, and what to do. */
  public enum Code {
    /** A token was had. */
    TOKEN_OK(Check.TOKEN, Status.OK, null, null),
    /** The grant behind the token is gone ({@code invalid_grant}). */
    TOKEN_REFUSED(
        Check.TOKEN,
        Status.FAILED,
        FetchError.AUTH_FAILED,
        "Authorize mailfetch again (mailfetch oauth); if the Google Cloud app is in \"Testing\", publish it"
            + " (\"In production\"), or its refresh tokens expire after 7 days. See docs/oauth.md."),
    /**
     * No token could be had for another reason (the token endpoint unreachable, a file unreadable).
     */
    TOKEN_UNAVAILABLE(
        Check.TOKEN,
        Status.FAILED,
        FetchError.SINK_FAILED,
        "Check the network and the token file named in the message, then run the check again."),
    /** Gmail could not be reached, or failed. */
    GMAIL_UNREACHABLE(
        Check.ACCOUNT,
        Status.FAILED,
        FetchError.SINK_FAILED,
        "Check the network (and a proxy or firewall between this machine and gmail.googleapis.com), then run"
            + " the check again."),
    /** Gmail refused the token itself ({@code 401} twice). */
    TOKEN_NOT_ACCEPTED(
        Check.ACCOUNT,
        Status.FAILED,
        FetchError.AUTH_TOKEN_EXPIRED,
        "Authorize mailfetch again (mailfetch oauth): the token was refused even fresh. See docs/oauth.md."),
    /** The token opens the configured mailbox. */
    ACCOUNT_MATCHES(Check.ACCOUNT, Status.OK, null, null),
    /** The token opens another mailbox than the configured one. */
    ACCOUNT_OTHER(
        Check.ACCOUNT,
        Status.FAILED,
        FetchError.CONFIGURATION,
        "Authorize again signed in as the configured address, or configure the address Gmail names."),
    /**
     * The token grants labels, search and import ({@code gmail.modify}, or {@code gmail.insert},
     * {@code gmail.labels} and {@code gmail.readonly}).
     */
    SCOPES_OK(Check.SCOPES, Status.OK, null, null),
    /** The token lacks a permission the sink needs. */
    SCOPE_MISSING(
        Check.SCOPES,
        Status.FAILED,
        FetchError.AUTH_FAILED,
        "Authorize mailfetch again granting Gmail's gmail.modify scope (or gmail.insert, gmail.labels and"
            + " gmail.readonly together). See docs/gmail.md, \"Scopes\"."),
    /** The labels were listed. */
    LABELS_LISTED(Check.LABELS, Status.OK, null, null),
    /** A label exists. */
    LABEL_PRESENT(Check.LABELS, Status.OK, null, null),
    /** A label is missing and will be created at the first import that needs it. */
    LABEL_WILL_BE_CREATED(Check.LABELS, Status.OK, null, null),
    /** A missing label was created. */
    LABEL_CREATED(Check.LABELS, Status.OK, null, null),
    /** Gmail refused to create a label (an invalid or reserved name). */
    LABEL_REFUSED(
        Check.LABELS,
        Status.FAILED,
        FetchError.CONFIGURATION,
        "Choose another label name: Gmail's reason is in the message."),
    /** Not checked because an earlier check failed. */
    NOT_CHECKED(null, Status.SKIPPED, null, null);

    private final Check check;
    private final Status status;
    private final FetchError error;
    private final String remedy;

    Code(Check check, Status status, FetchError error, String remedy) {
      this.check = check;
      this.status = status;
      this.error = error;
      this.remedy = remedy;
    }

    /** The check it belongs to; empty for {@link #NOT_CHECKED}, which any check may give. */
    public Optional<Check> check() {
      return Optional.ofNullable(check);
    }

    /** How it bears on delivery. */
    public Status status() {
      return status;
    }

    /** The error a run would meet, for a failure. */
    public Optional<FetchError> error() {
      return Optional.ofNullable(error);
    }

    /** What to do, where there is something to do. */
    public Optional<Remedy> remedy() {
      return remedy == null ? Optional.empty() : Optional.of(Remedy.of(remedy));
    }
  }

  /**
   * One finding.
   *
   * @param check the check that made it
   * @param code what it says
   * @param words what was found, in plain words (names, Gmail's reason), never a token
   */
  public record Finding(Check check, Code code, String words) {
    /**
     * Checks the components.
     *
     * @param check the check that made it
     * @param code what it says
     * @param words what was found, in plain words (names, Gmail's reason), never a token
     */
    public Finding {
      Objects.requireNonNull(check, "check");
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(words, "words");
    }

    /** The code's status. */
    public Status status() {
      return code.status();
    }

    /** The code's remedy. */
    public Optional<Remedy> remedy() {
      return code.remedy();
    }
  }

  /**
   * What a checkup found.
   *
   * @param mailbox the configured Gmail address
   * @param findings the findings, in the order of the checks
   */
  public record Report(String mailbox, List<Finding> findings) {
    /**
     * Checks the components.
     *
     * @param mailbox the configured Gmail address
     * @param findings the findings, in the order of the checks
     */
    public Report {
      Objects.requireNonNull(mailbox, "mailbox");
      findings = List.copyOf(findings);
    }

    /** True when no finding stops mail. */
    public boolean healthy() {
      return findings.stream().noneMatch(f -> f.status() == Status.FAILED);
    }

    /** The first finding that stops mail, if any. */
    public Optional<Finding> firstFailure() {
      return findings.stream().filter(f -> f.status() == Status.FAILED).findFirst();
    }

    /** 0 when healthy, else the exit code of the first failure's error. */
    public int exitCode() {
      return firstFailure().flatMap(f -> f.code().error()).map(FetchError::exitCode).orElse(0);
    }

    /** A report for a person, a line a finding, each failure followed by what to do. */
    public String text() {
      List<String> lines = new ArrayList<>();
      lines.add("Gmail " + mailbox + ":");
      for (Finding f : findings) {
        lines.add("  " + f.status().mark() + " " + f.check().title() + ": " + f.words());
        if (f.status() != Status.OK) {
          f.remedy().ifPresent(r -> lines.add("      what to do: " + r.library()));
        }
      }
      return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }
  }
}
