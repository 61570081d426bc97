/**
 * What the doctors (POP3's and IMAP's) share inside: the DNS questions (A and AAAA, RFC 6186 SRV
 * records, asked with the JDK's own DNS client), the JDK's trust that certificates are judged by,
 * and the one reading of a {@link dev.mailfetch.api.DoctorReport} (the finding that stops a fetch,
 * the report's layout). Not API: exported to the protocol modules only.
 */
package dev.mailfetch.api.internal.doctor;
