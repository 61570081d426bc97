package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import java.util.Optional;

/**
 * A command sent queued behind others (pipelined) went unanswered (quirk Q21): nothing of it was
 * handed over as failed, so the session's caller ({@link PipeliningFallback}) may connect again,
 * one command at a time, and do the same again. The connection is broken.
 */
final class PipelinedUnanswered extends FetchException {
  private static final long serialVersionUID = 1L;

  PipelinedUnanswered(FetchException cause) {
    super(cause.error(), cause.detail(), null, cause, cause.remedy());
  }

  /** The quirk of the error it wraps: this is that error, said to have gone unanswered. */
  @Override
  public Optional<QuirkId> quirk() {
    return ((FetchException) getCause()).quirk();
  }
}
