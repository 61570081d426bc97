package dev.mailfetch.cli;

import dev.mailfetch.api.MessageSink;
import dev.mailfetch.sink.EmlDirectorySink;
import dev.mailfetch.sink.MaildirSink;
import dev.mailfetch.sink.MboxSink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What --to names: how to open it, what opening it creates here, where its state goes by default,
 * how to name it in a sentence, and what it needs to be usable (for the advice when it cannot be
 * opened).
 */
record Destination(
    Opener opener,
    List<Path> creates,
    Path defaultState,
    String describe,
    String needs,
    UnaryOperator<Path> journal) {
  /** A destination that keeps nothing beside the account's state. */
  Destination(Opener opener, List<Path> creates, Path defaultState, String describe, String needs) {
    this(opener, creates, defaultState, describe, needs, null);
  }

  /**
   * A destination of files here, of {@code kind} (maildir, mbox, eml) at {@code p}, with its state
   * inside its place by default; null for another kind.
   */
  static Destination files(String kind, Path p) {
    switch (kind) {
      case "maildir": // state without a leading dot: not a Maildir++ folder
        return new Destination(
            account -> MaildirSink.open(p),
            List.of(p, p.resolve("cur"), p.resolve("new"), p.resolve("tmp")),
            p.resolve("mailfetch-state"),
            "the Maildir " + p,
            "a directory you may write or create");
      case "mbox":
        return new Destination(
            account -> MboxSink.open(p),
            List.of(p),
            p.resolveSibling(p.getFileName() + ".mailfetch-state"),
            "the mbox " + p,
            "a file you may write, in a directory you may write (for its lock" + " file)");
      case "eml":
        return new Destination(
            account -> EmlDirectorySink.open(p),
            List.of(p),
            p.resolve(".mailfetch-state"),
            ".eml files in " + p,
            "a directory you may write or create");
      default:
        return null;
    }
  }

  /** What it keeps beside the account's state ({@code accountState}), or none. */
  Optional<Path> journalOf(Path accountState) {
    return journal == null ? Optional.empty() : Optional.of(journal.apply(accountState));
  }

  /** Opens the sink for the account whose state is kept in {@code accountState}. */
  MessageSink open(Path accountState) throws IOException {
    return opener.open(accountState);
  }

  /**
   * Opens a sink; {@code accountState} is the account's own state directory (a Gmail journal goes
   * beside it).
   */
  interface Opener {
    MessageSink open(Path accountState) throws IOException;
  }
}
