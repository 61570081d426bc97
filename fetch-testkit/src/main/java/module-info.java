/**
 * mailfetch's testkit: fake POP3 and IMAP servers that misbehave exactly like real ones, TLS
 * certificate profiles, a mail corpus generator, and the sink contract tests. A test-scope
 * dependency for users.
 */
module dev.mailfetch.testkit {
  requires transitive dev.mailfetch.api;
  requires transitive org.junit.jupiter.api;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.util;
  requires com.fasterxml.jackson.core;
  requires jdk.httpserver;

  exports dev.mailfetch.testkit;
  exports dev.mailfetch.testkit.gmail;
  exports dev.mailfetch.testkit.imap;
  exports dev.mailfetch.testkit.smtp;
}
