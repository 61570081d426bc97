package dev.mailfetch.api;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label and dedup policies' say on one message, each call guarded: a policy that fails never
 * costs a message (it is filed in the inbox, or delivered as new, and the run warns once through
 * {@link PolicyTrouble}). A message is let go as a duplicate only while the sink holds its first
 * copy; the sink's failures are thrown, worded, for the receiver to fail the message with.
 */
final class DuplicateDecision {
  // Named after the public class: users configure logging by the names they know.
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

  private final RunConfig config;
  private final PolicyTrouble policyTrouble;

  /** Where the source found each message ({@link SourceLabels}), or null for a source without. */
  private final SourceLabels sourceLabels;

  DuplicateDecision(RunConfig config, PolicyTrouble policyTrouble, SourceLabels sourceLabels) {
    this.config = config;
    this.policyTrouble = policyTrouble;
    this.sourceLabels = sourceLabels;
  }

  /**
   * The labels for a message: the label policy's (the inbox if it fails) and the source's, joined
   * (archived when either says so), so a sink files the message where the source had it and where
   * the user's rules put it.
   */
  LabelDecision labels(RunItem item, HeaderBlock headers) {
    return withSourceLabels(item, policyLabels(item, headers));
  }

  private LabelDecision withSourceLabels(RunItem item, LabelDecision policy) {
    if (sourceLabels == null) {
      return policy;
    }
    LabelDecision found;
    try {
      found = sourceLabels.labelsOf(item.ref);
      if (found == null) {
        throw new IllegalStateException("the source's labels of a message were null");
      }
    } catch (RuntimeException e) {
      // A label lost files the message in the inbox, which costs no message: said, and delivered.
      log.warn(
          "{} - the source could not say where it found message {}; filed by the label policy"
              + " alone: {}",
          config.account(),
          item.ref.number(),
          e.toString());
      return policy;
    }
    if (found.labels().isEmpty() && !found.archived()) {
      return policy;
    }
    Set<String> all = new TreeSet<>(policy.labels());
    all.addAll(found.labels());
    return new LabelDecision(all, policy.archived() || found.archived());
  }

  private LabelDecision policyLabels(RunItem item, HeaderBlock headers) {
    try {
      LabelDecision labels = config.labelPolicy().decide(config.account(), headers);
      if (labels == null) {
        throw new IllegalStateException("the label policy returned null");
      }
      return labels;
    } catch (RuntimeException e) {
      log.warn(
          "{} - label policy threw for message {}; filed in the inbox: {}",
          config.account(),
          item.ref.number(),
          e.toString());
      policyTrouble.failed(PolicyTrouble.Kind.LABELS, item.ref, e);
      return LabelDecision.INBOX;
    }
  }

  /**
   * The dedup policy's look at the envelope and header section: the verdict of a copy the sink
   * holds, or null to deliver the message.
   *
   * @throws FetchException the sink failed to say whether it holds the first copy
   */
  DedupVerdict firstLook(RunItem item, Envelope envelope, HeaderBlock headers)
      throws FetchException {
    DedupVerdict verdict = DedupVerdict.NEW;
    try {
      verdict = config.dedupPolicy().check(envelope, headers);
      if (verdict == null) {
        verdict = DedupVerdict.NEW;
        throw new IllegalStateException("the dedup policy returned null");
      }
    } catch (IOException | RuntimeException e) {
      log.warn(
          "{} - dedup policy failed for message {}; delivered as new: {}",
          config.account(),
          item.ref.number(),
          e.toString());
      policyTrouble.failed(PolicyTrouble.Kind.DEDUP_CHECK, item.ref, e);
    }
    return heldCopy(item, verdict) ? verdict : null;
  }

  /**
   * The dedup policy's look at the content, once the body is in ({@code item.contentDigest}): the
   * verdict of a copy the sink holds, or null to deliver the message.
   *
   * @throws FetchException the sink failed to say whether it holds the first copy
   */
  DedupVerdict secondLook(RunItem item) throws FetchException {
    DedupVerdict verdict;
    try {
      verdict = config.dedupPolicy().checkContent(item.envelope, item.headers, item.contentDigest);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "{} - dedup policy failed for message {}; delivered as new: {}",
          config.account(),
          item.ref.number(),
          e.toString());
      policyTrouble.failed(PolicyTrouble.Kind.DEDUP_CHECK, item.ref, e);
      return null;
    }
    return verdict != null && heldCopy(item, verdict) ? verdict : null;
  }

  /**
   * Whether {@code verdict} names another message the sink holds: never the message's own key, nor
   * the empty copy a message served whole again was stored as.
   */
  private boolean heldCopy(RunItem item, DedupVerdict verdict) throws FetchException {
    if (!verdict.isDuplicate()
        || verdict.firstCopy().equals(item.key)
        || EmptyMessageCheck.copyOfItsEmptyCopy(item, verdict)) {
      return false;
    }
    boolean held;
    try {
      held = config.sink().contains(verdict.firstCopy());
    } catch (IOException | RuntimeException e) {
      throw RunFailures.sink("checking a duplicate's first copy", e);
    }
    if (!held) {
      log.info(
          "{} - message {} matched {} but the sink does not hold that copy; delivered",
          config.account(),
          item.ref.number(),
          verdict.reason());
    }
    return held;
  }

  /**
   * The message is a duplicate of one the sink holds: it keeps the labels it would have had, added
   * to the first copy's (Gmail dropped the labels of the copy it discarded).
   *
   * @throws FetchException the sink failed to add them; the message is then no duplicate
   */
  void accept(RunItem item, DedupVerdict verdict, Set<String> labels) throws FetchException {
    item.duplicateOf(verdict);
    if (labels.isEmpty()) {
      return;
    }
    try {
      if (config.sink().addLabels(verdict.firstCopy(), labels)) {
        log.info(
            "{} - message {} is a duplicate ({}); its labels {} were added to the first copy",
            config.account(),
            item.ref.number(),
            verdict.reason(),
            labels);
      }
    } catch (IOException | RuntimeException e) {
      item.notDuplicate();
      throw RunFailures.sink("adding a duplicate's labels to its first copy", e);
    }
  }

  /**
   * Tells the dedup policy the sink holds the message, so that a second copy in the same batch is
   * caught. Forgetting costs at worst a later duplicate, never a message.
   */
  void remember(RunItem item) {
    try {
      config.dedupPolicy().delivered(item.envelope, item.headers, item.key, item.contentDigest);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "{} - dedup policy could not record message {}: {}",
          config.account(),
          item.ref.number(),
          e.toString());
      policyTrouble.failed(PolicyTrouble.Kind.DEDUP_RECORD, item.ref, e);
    }
  }
}
