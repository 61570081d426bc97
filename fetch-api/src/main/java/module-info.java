/**
 * mailfetch's API: the SPIs a fetch is made of, the values they exchange, the error vocabulary, and
 * the protocol-independent engine {@link dev.mailfetch.api.Fetcher}.
 */
module dev.mailfetch.api {
  requires org.slf4j;

  exports dev.mailfetch.api;
}
