/**
 * The IMAP client core (RFC 9051 and RFC 3501): connection, TLS, capabilities, login, tagged
 * commands in flight, literals both ways, response codes and their errors, mailbox names. Not API:
 * never exported; the few public types are for {@code ImapAppendSink} and the IMAP source.
 */
package dev.mailfetch.imap.internal;
