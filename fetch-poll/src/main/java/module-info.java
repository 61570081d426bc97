/**
 * Polling many accounts with mailfetch: {@link dev.mailfetch.poll.Poller} checks each account on
 * its own adaptive schedule, within bounds on the checks running at once overall and per server.
 */
module dev.mailfetch.poll {
  requires transitive dev.mailfetch.api;
  requires org.slf4j;

  exports dev.mailfetch.poll;
}
