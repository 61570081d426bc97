/**
 * File-based sinks for mailfetch: Maildir, mbox (mboxrd) and a directory of .eml files.
 *
 * <p>It will export {@code dev.mailfetch.sink} once that package has its first type (issue #5).
 */
module dev.mailfetch.sink {
  requires transitive dev.mailfetch.api;
  requires org.slf4j;
}
