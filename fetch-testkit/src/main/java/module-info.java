/**
 * mailfetch's testkit: fake POP3 servers that misbehave exactly like real ones, TLS certificate
 * profiles, a mail corpus generator, and the sink contract tests. A test-scope dependency for
 * users.
 *
 * <p>It will export {@code dev.mailfetch.testkit} once that package has its first type (issue #3).
 */
module dev.mailfetch.testkit {
  requires transitive dev.mailfetch.api;
  requires org.junit.jupiter.api;
}
