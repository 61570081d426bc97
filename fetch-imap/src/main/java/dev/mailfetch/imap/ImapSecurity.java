package dev.mailfetch.imap;

/**
 * How the connection to an IMAP server is protected. Each protocol module names its own (POP3's
 * {@code Security}, SMTP's {@code SmtpSecurity}): the default ports and the command that starts TLS
 * differ, and so do the words of each value.
 */
public enum ImapSecurity {
  /**
   * TLS from the first byte, port 993 by default (RFC 8314). The default and the recommendation.
   */
  IMPLICIT_TLS,
  /**
   * Plain text until STARTTLS, port 143 by default (RFC 9051 §6.2.1). STARTTLS is required: if the
   * server does not offer it, or it fails, the session stops before any credential is sent.
   */
  STARTTLS,
  /**
   * No TLS at all, port 143 by default. Needs {@code allowPlaintextAuthentication(true)}, because
   * the password or token then crosses the network readable by anyone on the path.
   */
  NONE
}
