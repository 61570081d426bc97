package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;

/**
 * A failure as the command reports it, in text and in JSON: its code (a {@code FetchError} name, or
 * {@code ARGUMENTS} or {@code UNEXPECTED}, the command's own), its exit code, what happened, what
 * it means and what to do, in words a person at the command line can act on (options, never Java
 * identifiers).
 *
 * @param code the code a script matches on
 * @param exitCode the command's exit code for it
 * @param message what happened, as {@code CODE: detail}, for the command's own codes too (the
 *     JSON's old {@code message} field, kept for the scripts that read it)
 * @param detail what happened, without the code in front
 * @param meaning what it means, in one sentence
 * @param remedy what to do, naming the options to type
 */
record Problem(
    String code, int exitCode, String message, String detail, String meaning, String remedy) {
  /** The code of an argument the command cannot use (exit code 2). */
  static final String ARGUMENTS = "ARGUMENTS";

  /** The code of a failure the command does not expect: a bug (exit code 1). */
  static final String UNEXPECTED = "UNEXPECTED";

  /**
   * The code of a warning of the command's own: a URL names a known mailbox under another name
   * (exit code 3).
   */
  static final String ACCOUNT_KNOWN_ELSEWHERE = "ACCOUNT_KNOWN_ELSEWHERE";

  /** A typed failure, with its own advice where it has some (the command's form of its remedy). */
  static Problem of(FetchException e) {
    return of(e, Advice.COMMAND_LINE);
  }

  /**
   * A typed failure, its remedy in the form {@code advice}'s reader types (a config file's
   * account).
   */
  static Problem of(FetchException e, Advice advice) {
    return new Problem(
        e.error().name(),
        e.error().exitCode(),
        e.getMessage(),
        e.detail(),
        e.error().summary(),
        advice.words(e.remedy().commandLine()));
  }

  /**
   * A warning of the command's own (its code not a FetchError's): the run goes on, and ends with
   * status warning (exit code 3) unless something worse happens.
   */
  static Problem warning(String code, String detail, String meaning, String remedy) {
    return new Problem(code, 3, code + ": " + detail, detail, meaning, remedy);
  }

  /**
   * This problem as a warning: its exit code the one it gives the run, 3 (WARNING), the same for
   * every warning, the library's and the command's own; its code still says which it is (a
   * DELETION_UNCONFIRMED that stopped a library caller's run would be 53, but in a run it never
   * does).
   */
  Problem asWarning() {
    return new Problem(code, 3, message, detail, meaning, remedy);
  }

  /** An argument {@code mailfetch COMMAND} cannot use; {@code message} names the option. */
  static Problem arguments(String message, String command) {
    return new Problem(
        ARGUMENTS,
        2,
        ARGUMENTS + ": " + message,
        message,
        "The command's arguments are not valid, so nothing was done.",
        "Correct what the message names; mailfetch " + command + " --help lists every option.");
  }

  /**
   * One account of a config file that cannot be used as its lines say ({@link Advice#badAccount}):
   * code ARGUMENTS and exit code 2 as for the command's, with what it means for that account.
   */
  static Problem accountArguments(String detail, String meaning, String remedy) {
    return new Problem(ARGUMENTS, 2, ARGUMENTS + ": " + detail, detail, meaning, remedy);
  }

  /** A failure the command does not expect: a bug, said without a Java class name. */
  static Problem unexpected(Throwable e) {
    String what =
        e.getMessage() != null && !e.getMessage().isBlank()
            ? e.getMessage()
            : "no explanation was given";
    String detail = "an unexpected failure: " + FetchException.escape(what);
    return new Problem(
        UNEXPECTED,
        1,
        UNEXPECTED + ": " + detail,
        detail,
        "mailfetch failed in a way it does not expect (a bug); what was stored before it stays stored.",
        "Run the command again with --verbose to see where it happened, and report it with that output.");
  }

  /**
   * The first line of the text: the code and what happened (the command's own codes go without).
   */
  String headline() {
    return code.equals(ARGUMENTS) || code.equals(UNEXPECTED) ? detail : code + ": " + detail;
  }

  /** The second line of the text: what it means and what to do. */
  String advice() {
    return meaning + " " + remedy;
  }
}
