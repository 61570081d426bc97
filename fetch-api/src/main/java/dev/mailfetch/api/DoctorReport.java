package dev.mailfetch.api;

import dev.mailfetch.api.internal.doctor.DoctorText;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a doctor found, in the shape every doctor shares: one {@link DoctorStep} per stage of a
 * fetch, in the order a fetch goes through them, each with what was measured and, for anything
 * wrong, a {@link DoctorFinding} that says what it means and what to do. POP3's {@code Diagnosis}
 * and IMAP's {@code ImapDiagnosis} are ones; {@code mailfetch doctor --json} writes these fields.
 *
 * <p>Implementations are immutable values; the default methods are the one reading of them that
 * every doctor shares (docs/doctor.md), not to be overridden with another.
 */
public interface DoctorReport {
  /** Who reads the {@link #text(Reader)}: its advice comes in the form that reader can act on. */
  enum Reader {
    /** A person running {@code mailfetch doctor}: the advice names the command's options. */
    COMMAND_LINE,
    /** A developer calling the library: the advice names the builder calls. */
    LIBRARY
  }

  /** The protocol examined, in lower case: {@code pop3}, {@code imap}. */
  String protocol();

  /** The server as {@code host:port}. */
  String server();

  /** When the examination began. */
  Instant started();

  /** How long it took. */
  Duration took();

  /** The stages, in order, each present (a stage that could not run is SKIPPED). */
  List<? extends DoctorStep> steps();

  /** Whether nothing stops mail from being fetched (warnings allowed). */
  default boolean healthy() {
    return firstBlocking().isEmpty();
  }

  /**
   * The first finding that stops mail from being fetched: one that stops all mail, in stage order,
   * before one that stops only the message it names (as a fetch ends with the error that stopped
   * the run before a failed message's).
   */
  default Optional<? extends DoctorFinding> firstBlocking() {
    return DoctorText.firstBlocking(steps());
  }

  /**
   * 0 when healthy, else the exit code of the first blocking finding's error (docs/errors.md): the
   * code a fetch with these settings would end with.
   */
  default int exitCode() {
    return firstBlocking().flatMap(DoctorFinding::error).map(FetchError::exitCode).orElse(0);
  }

  /**
   * The report a person reads: one line per stage with its mark, then what works, then for each
   * problem what was seen, what it means, what to do and where to read more, in the form {@code
   * reader} can act on; last, the verdict. Never a stack trace, never a secret.
   */
  default String text(Reader reader) {
    return DoctorText.render(this, reader);
  }
}
