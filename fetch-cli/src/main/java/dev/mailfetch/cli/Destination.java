package dev.mailfetch.cli;

import dev.mailfetch.api.MessageSink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What --to names: how to open it, what opening it creates here, where its state goes by default,
 * how to name it in a sentence, and what it needs to be usable (for the advice when it cannot be
 * opened).
 */
record Destination(Opener opener, List<Path> creates, Path defaultState, String describe, String needs,
    UnaryOperator<Path> journal) {
  /** A destination that keeps nothing beside the account's state. */
  Destination(Opener opener, List<Path> creates, Path defaultState, String describe, String needs) {
    this(opener, creates, defaultState, describe, needs, null);
  }

  /** What it keeps beside the account's state ({@code accountState}), or none. */
  java.util.Optional<Path> journalOf(Path accountState) {
    return journal == null ? java.util.Optional.empty() : java.util.Optional.of(journal.apply(accountState));
  }

  /** Opens the sink for the account whose state is kept in {@code accountState}. */
  MessageSink open(Path accountState) throws IOException {
    return opener.open(accountState);
  }

  /** Opens a sink; {@code accountState} is the account's own state directory (a Gmail journal goes beside it). */
  interface Opener {
    MessageSink open(Path accountState) throws IOException;
  }
}
