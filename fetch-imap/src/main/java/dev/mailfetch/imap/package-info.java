/**
 * Delivery into an IMAP mailbox: {@code ImapAppendSink} and its options. The IMAP client itself is
 * internal; the IMAP source (a later release) is built on the same client.
 */
package dev.mailfetch.imap;
