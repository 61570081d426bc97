/**
 * Delivery to a mail server: {@code LmtpSink} (RFC 2033, over TCP or a Unix socket) and {@code
 * SmtpSink} (RFC 5321), with their options. The SMTP and LMTP client itself is internal.
 */
package dev.mailfetch.smtp;
