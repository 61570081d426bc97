package dev.mailfetch.testkit.gmail;

/**
 * The requests a {@link FakeGmailServer} answers, each named after the method of Google's reference
 * it stands for. A {@link FaultRule} aims at one or more of them; every {@link
 * RecordedGmailRequest} names the one it was.
 */
public enum GmailEndpoint {
  /** {@code POST /token}: Google's OAuth 2.0 token endpoint (refresh and code grants). */
  TOKEN,
  /** {@code GET /o/oauth2/v2/auth}: the browser's authorization request. */
  AUTHORIZATION,
  /** {@code GET /gmail/v1/users/{userId}/profile}: {@code users.getProfile}. */
  PROFILE,
  /** {@code GET /gmail/v1/users/{userId}/labels}: {@code users.labels.list}. */
  LABELS_LIST,
  /** {@code POST /gmail/v1/users/{userId}/labels}: {@code users.labels.create}. */
  LABELS_CREATE,
  /** {@code GET /gmail/v1/users/{userId}/messages}: {@code users.messages.list}. */
  MESSAGES_LIST,
  /** {@code POST /gmail/v1/users/{userId}/messages/{id}/modify}: {@code users.messages.modify}. */
  MESSAGES_MODIFY,
  /** {@code GET /gmail/v1/users/{userId}/history}: {@code users.history.list}. */
  HISTORY_LIST,
  /** {@code GET /gmail/v1/users/{userId}/messages/{id}}: {@code users.messages.get}. */
  MESSAGES_GET,
  /**
   * {@code users.messages.import}: the request that carries a whole message and completes the
   * import, that is a multipart or media upload, a JSON {@code raw} import, or the last chunk of a
   * resumable upload. For {@link GmailFault#SLOW_UPLOAD} and {@link
   * GmailFault#CONNECTION_CUT_MID_UPLOAD} it means any request carrying message bytes, a resumable
   * chunk included.
   */
  IMPORT,
  /** The first request of a resumable import, which opens the upload session. */
  UPLOAD_SESSION,
  /**
   * A request inside a resumable upload session that does not complete it (a chunk, a status
   * query).
   */
  UPLOAD_CHUNK,
  /** Any other path or method: answered 404 (or 405) as Google does. */
  OTHER
}
