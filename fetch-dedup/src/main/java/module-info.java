/**
 * Durable state and duplicate discarding for mailfetch: the crash-safe UID journal, dedup
 * policies and stores, and label policies on headers.
 *
 * <p>It will export {@code dev.mailfetch.dedup} once that package has its first type (issue #5).
 */
module dev.mailfetch.dedup {
  requires transitive dev.mailfetch.api;
  requires org.slf4j;
}
