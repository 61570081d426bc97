/** File-based sinks for mailfetch: Maildir, mbox (mboxrd) and a directory of .eml files. */
module dev.mailfetch.sink {
  requires transitive dev.mailfetch.api;
  requires org.slf4j;

  exports dev.mailfetch.sink;
}
