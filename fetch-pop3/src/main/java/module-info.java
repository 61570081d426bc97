/**
 * The POP3 client of mailfetch: connection, TLS and STLS, authentication, capabilities, pipelining,
 * and the streaming dot-unstuffing reader behind {@code Pop3Source}.
 *
 * <p>Implementation lives in {@code dev.mailfetch.pop3.internal}, which is never exported.
 */
// "pop3" is the protocol's name; javac's advice against a terminal digit does not fit it.
@SuppressWarnings("module")
module dev.mailfetch.pop3 {
  requires transitive dev.mailfetch.api;
  requires org.slf4j;

  exports dev.mailfetch.pop3;
}
