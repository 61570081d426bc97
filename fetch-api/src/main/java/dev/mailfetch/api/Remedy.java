package dev.mailfetch.api;

import java.io.Serializable;
import java.util.Objects;

/**
 * What a person can do about a failure, in the form they can act on.
 *
 * <p>The same failure reaches two kinds of reader: someone running the {@code mailfetch} command,
 * who can type an option ({@code --ca-file FILE}), and a developer calling the library, who can
 * change a builder call ({@code Pop3Source.Builder.trustPem}). Advice that names the wrong one is
 * no advice, so a remedy carries both: {@link #commandLine()} and {@link #library()}. Where the
 * advice needs no setting ("try again later") the two are the same text.
 *
 * <p>Immutable; equal when both forms are equal. Serializable, as the {@link FetchException} that
 * carries it is.
 */
public final class Remedy implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String commandLine;
  private final String library;

  private Remedy(String commandLine, String library) {
    this.commandLine = requireText(commandLine, "commandLine");
    this.library = requireText(library, "library");
  }

  /** Advice that reads the same for everyone: it names no option and no API call. */
  public static Remedy of(String words) {
    return new Remedy(words, words);
  }

  /**
   * Advice in two forms.
   *
   * @param commandLine for a person running {@code mailfetch}: names its options
   * @param library for a developer calling the library: names the builder methods and values
   */
  public static Remedy of(String commandLine, String library) {
    return new Remedy(commandLine, library);
  }

  /** The advice for a person running the {@code mailfetch} command, naming its options. */
  public String commandLine() {
    return commandLine;
  }

  /** The advice for a developer calling the library, naming builder methods and values. */
  public String library() {
    return library;
  }

  private static String requireText(String s, String name) {
    Objects.requireNonNull(s, name);
    if (s.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Remedy
        && ((Remedy) o).commandLine.equals(commandLine)
        && ((Remedy) o).library.equals(library);
  }

  @Override
  public int hashCode() {
    return 31 * commandLine.hashCode() + library.hashCode();
  }

  /** The library form: this is what an embedder's log shows. */
  @Override
  public String toString() {
    return library;
  }
}
