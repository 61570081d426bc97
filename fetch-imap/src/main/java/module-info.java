/**
 * The IMAP client of mailfetch (connection, TLS and STARTTLS, capabilities, LOGIN and SASL, tagged
 * responses, literals both ways, response codes, modified UTF-7) and {@code ImapAppendSink}, which
 * delivers fetched mail into any IMAP mailbox.
 *
 * <p>Implementation lives in {@code dev.mailfetch.imap.internal}, which is never exported.
 */
module dev.mailfetch.imap {
  requires transitive dev.mailfetch.api;
  requires org.slf4j;

  exports dev.mailfetch.imap;
}
