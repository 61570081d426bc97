/**
 * SASL (RFC 4422) client mechanisms, one class per mechanism, for every protocol mailfetch speaks:
 * the bytes each mechanism sends and how it reads what the server says, and nothing of the protocol
 * around them. A protocol adapter (POP3's {@code AUTH} of RFC 5034 today; IMAP's {@code
 * AUTHENTICATE} and SMTP's {@code AUTH} next) frames the command, the base64 lines and the final
 * status, and says each failure in its own words; {@link
 * dev.mailfetch.api.internal.sasl.SaslExchange} drives the rounds after the client's first message,
 * bounded.
 *
 * <p>Not part of the API: exported only to mailfetch's own protocol modules.
 */
package dev.mailfetch.api.internal.sasl;
