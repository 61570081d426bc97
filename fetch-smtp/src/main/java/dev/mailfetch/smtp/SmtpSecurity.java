package dev.mailfetch.smtp;

/**
 * How the connection to an SMTP or LMTP server is protected. Each protocol module names its own
 * (POP3's {@code Security}, IMAP's {@code ImapSecurity}): the default ports and the command that
 * starts TLS differ, and so do the words of each value.
 */
public enum SmtpSecurity {
  /**
   * TLS from the first byte ("submissions", port 465 by default, RFC 8314). The recommendation for
   * a submission server.
   */
  IMPLICIT_TLS,
  /**
   * Plain text until STARTTLS (RFC 3207), port 25 (SMTP) or 24 (LMTP) by default. STARTTLS is
   * required: if the server does not offer it, or it fails, the session stops before any credential
   * or message is sent. The default for SMTP.
   */
  STARTTLS,
  /**
   * No TLS at all. The default for LMTP (a local delivery agent, on loopback or a Unix socket); for
   * SMTP it must be chosen on purpose, and credentials then need {@code
   * allowPlaintextAuthentication(true)}, because they cross the network readable by anyone on the
   * path.
   */
  NONE
}
