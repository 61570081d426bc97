package dev.mailfetch.api;

import java.io.IOException;

/**
 * Supplies OAuth 2.0 access tokens to whatever logs in with one: a POP3 or IMAP source (SASL
 * XOAUTH2 or OAUTHBEARER), the Gmail API. It is protocol-neutral on purpose, so that one provider
 * (for example fetch-gmail's refresh-token provider, with presets for Google and Microsoft) serves
 * the account's mailbox and its destination alike.
 *
 * <p>The user of a token asks for one each time it logs in or sends a request. When the other side
 * refuses a token as expired or revoked (an HTTP {@code 401}, a SASL error naming it), the user
 * calls {@link #invalidate} with that token and may ask once more: a provider that can refresh
 * hands out a fresh token then; one that cannot hands out the same, and the login fails with {@link
 * FetchError#AUTH_TOKEN_EXPIRED}.
 *
 * <p>Must be safe for concurrent use. Tokens never appear in a log, an exception or a trace.
 *
 * <p><b>Deadline.</b> {@link #accessToken} is called while a source logs in or a sink sends a
 * request, and counts against that call's deadline ({@link FetchSource#open}'s, say). A provider
 * that fetches a token over the network bounds that with timeouts of its own (fetch-gmail's sets
 * connect and request timeouts) and throws past them.
 */
@FunctionalInterface
public interface TokenProvider {
  /**
   * A current access token.
   *
   * @throws FetchException of {@link FetchError#AUTH_FAILED} when the grant behind it is gone (for
   *     example OAuth's {@code invalid_grant}: revoked, or expired), with the remedy in words; of a
   *     network code when the token endpoint cannot be reached
   * @throws IOException when the token cannot be had for another reason (a file cannot be read)
   */
  String accessToken() throws IOException;

  /** The other side refused {@code token} as expired or revoked. Does nothing by default. */
  default void invalidate(String token) {}
}
