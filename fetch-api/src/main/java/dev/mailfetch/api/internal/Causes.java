package dev.mailfetch.api.internal;

import java.util.Optional;

/**
 * Finding a failure of a given type behind the ones that explain it. An error said in context
 * ({@code FetchException.inContext}, {@code withConsequence}) is a new exception with the first as
 * its cause, so a mark that is a type (a refusal of its own kind, the daily limit) is found here,
 * never by the words.
 */
public final class Causes {
  /** Causes followed at most: a chain longer than this is not one a fetch builds. */
  private static final int MAX_DEPTH = 32;

  private Causes() {}

  /** {@code failure} or the first of its causes that is a {@code type}, if any. */
  public static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++) {
      if (type.isInstance(t)) {
        return Optional.of(type.cast(t));
      }
      t = t.getCause() == t ? null : t.getCause();
    }
    return Optional.empty();
  }
}
