package dev.mailfetch.api;

import java.util.List;

/**
 * A session's ability to read the header section of a message without its body (POP3: {@code TOP n
 * 0}; IMAP: {@code BODY.PEEK[HEADER]}), read-only: it marks nothing on the server. The engine uses
 * it to recognise messages whose unique ids the server changed (quirk Q26) or reused (quirk Q51)
 * without downloading them. A session offers it through {@link FetchSession#headerReading()}.
 */
@FunctionalInterface
public interface HeaderReading {
  /**
   * Reads the header section of each message, in this order, and hands it to the handler as {@link
   * FetchSession#retrieve} hands whole messages ({@code start}, {@code data}, {@code end}; a
   * message the server will not show is {@code failed} alone, and the session goes on).
   *
   * <p><b>Deadline.</b> As {@link FetchSession#retrieve}: bounded by the source's own timeouts.
   *
   * @throws FetchException if the session broke; it is then unusable
   */
  void readHeaders(List<MessageRef> batch, MessageHandler handler) throws FetchException;
}
