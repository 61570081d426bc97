package dev.mailfetch.api;

import java.util.Set;

/**
 * Decides the labels of a message, and whether it skips the inbox, from its account and headers, as
 * Gmail's fetcher let users label and archive fetched mail.
 *
 * <p>Called once per message before its body is stored, on the thread that runs the fetch. It must
 * be fast and must not throw; an implementation is used by one run at a time but may be shared by
 * fetchers on several threads, so it must be safe for concurrent use. Stock policies come from the
 * static methods here; rules on headers live in {@code fetch-dedup}.
 *
 * <p><b>Deadline.</b> The engine sets no timer: {@link #decide} runs while the source reads the
 * message, so its time counts against the source's deadline for it (docs/engine.md, "Deadlines").
 * It computes from the headers; it waits on nothing.
 */
@FunctionalInterface
public interface LabelPolicy {
  /** The labels and inbox choice for one message. */
  LabelDecision decide(String account, HeaderBlock headers);

  /**
   * Whether {@link #decide} reads the headers. A policy that does not lets the engine hand bytes to
   * the sink without holding the header section back first.
   */
  default boolean needsHeaders() {
    return true;
  }

  /** Every message in the inbox, without labels. The default. */
  static LabelPolicy none() {
    return FixedLabels.NONE;
  }

  /** The same labels for every message, archived (kept out of the inbox) or not. */
  static LabelPolicy fixed(Set<String> labels, boolean archived) {
    return new FixedLabels(new LabelDecision(labels, archived));
  }
}

/** A label policy that gives every message the same decision. */
final class FixedLabels implements LabelPolicy {
  static final FixedLabels NONE = new FixedLabels(LabelDecision.INBOX);

  private final LabelDecision decision;

  FixedLabels(LabelDecision decision) {
    this.decision = decision;
  }

  @Override
  public LabelDecision decide(String account, HeaderBlock headers) {
    return decision;
  }

  @Override
  public boolean needsHeaders() {
    return false;
  }

  @Override
  public String toString() {
    return "LabelPolicy.fixed(" + decision.labels() + ", archived=" + decision.archived() + ")";
  }
}
