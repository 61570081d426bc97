/**
 * What the doctors (POP3's and IMAP's) share: the DNS questions (A and AAAA, RFC 6186 SRV records,
 * asked with the JDK's own DNS client) and the layout of the report. Not API: exported to the
 * protocol modules only.
 */
package dev.mailfetch.api.internal.doctor;
