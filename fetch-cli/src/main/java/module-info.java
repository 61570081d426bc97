/**
 * The {@code mailfetch} command: fetch, doctor, demo and fake-server (issue #6). It will export
 * nothing: it is an application, not a library.
 */
module dev.mailfetch.cli {
  requires dev.mailfetch.api;
  requires dev.mailfetch.pop3;
  requires dev.mailfetch.dedup;
  requires dev.mailfetch.sink;
  requires dev.mailfetch.testkit;
}
