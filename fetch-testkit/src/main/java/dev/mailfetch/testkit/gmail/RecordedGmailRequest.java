package dev.mailfetch.testkit.gmail;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request a {@link FakeGmailServer} received, as a test asserts on it. Secrets (tokens,
 * client secrets, codes) are never recorded: the query and form values of those names read {@code
 * <redacted>}.
 *
 * @param sequence the request's number on this server, from 1
 * @param endpoint what the request was
 * @param method the HTTP method
 * @param path the path, without the query
 * @param query the query parameters (each name with its values in order)
 * @param account the mailbox the request was for, lower case, or null where none (token, unknown
 *     user)
 * @param status the HTTP status answered, or 0 where the connection was cut before an answer
 * @param bodyBytes how many body bytes the server read
 * @param fault the injected fault that hit this request, or null
 * @param received when the request arrived
 */
public record RecordedGmailRequest(
    int sequence,
    GmailEndpoint endpoint,
    String method,
    String path,
    Map<String, List<String>> query,
    String account,
    int status,
    long bodyBytes,
    GmailFault fault,
    Instant received) {

  /** The first value of a query parameter, or null. */
  public String param(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
