package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import java.time.Duration;

/**
 * What the reader does when a body rests at {@code .\r} and nothing more comes (quirk Q02 on a
 * server that does not pipeline): wait a short grace, then let the session send a probe whose
 * answer shows whether the message ended there ({@link DotStuffedBody} asks; {@link
 * RetrievalPipeline} answers, with NOOP).
 */
public interface DotCrProbe {
  /** Sets how long the next read may wait; null restores the normal read timeout. */
  void readTimeout(Duration wait) throws FetchException;

  /** How long to wait at {@code .\r} before probing. */
  Duration grace();

  /** Sends the probe command; its answer is the caller's to read. */
  void send() throws FetchException;
}
