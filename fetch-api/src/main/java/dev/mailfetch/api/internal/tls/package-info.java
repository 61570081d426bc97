/**
 * TLS for every protocol client (POP3, IMAP, SMTP and LMTP): the handshake over a connected socket,
 * the trust of a PEM file, and the words of a failed handshake, with each protocol's own words as a
 * {@link dev.mailfetch.api.internal.tls.TlsWords} value. Not API: exported to the protocol modules
 * only.
 */
package dev.mailfetch.api.internal.tls;
