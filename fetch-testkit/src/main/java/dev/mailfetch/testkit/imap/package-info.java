/**
 * A fake IMAP server ({@link dev.mailfetch.testkit.imap.FakeImapServer}) for clients that deliver
 * mail by APPEND, with named faults ({@link dev.mailfetch.testkit.imap.ImapFault}) and Gmail's IMAP
 * behaviour on request.
 */
package dev.mailfetch.testkit.imap;
