package dev.mailfetch.gmail.internal;

import dev.mailfetch.gmail.GmailCheckup;
import java.util.List;
import java.util.Set;

/** The checks of GmailCheckup, in order. (Being written: API first.) */
public final class Checkup {
  private final Config config;
  private final Set<String> labels;
  private final boolean create;

  /** A checkup of {@code config}'s mailbox and {@code labels}. */
  public Checkup(Config config, Set<String> labels, boolean create) {
    this.config = config;
    this.labels = labels;
    this.create = create;
  }

  /** Runs the checks. */
  public List<GmailCheckup.Finding> run() {
    throw new UnsupportedOperationException("in progress: " + config.mailbox() + labels + create);
  }
}
