/**
 * Durable state and duplicate discarding for mailfetch: the crash-safe UID journal, dedup policies
 * and stores, and label policies on headers.
 */
module dev.mailfetch.dedup {
  requires transitive dev.mailfetch.api;
  requires org.slf4j;

  exports dev.mailfetch.dedup;
}
