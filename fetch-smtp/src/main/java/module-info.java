/**
 * The SMTP (RFC 5321) and LMTP (RFC 2033) client of mailfetch and the sinks over it, {@code
 * SmtpSink} and {@code LmtpSink}, which hand fetched mail to a mail server the way fetchmail does.
 *
 * <p>Implementation lives in {@code dev.mailfetch.smtp.internal}, which is never exported.
 */
module dev.mailfetch.smtp {
  requires transitive dev.mailfetch.api;
  requires org.slf4j;

  exports dev.mailfetch.smtp;
}
