package dev.mailfetch.pop3;

/** How a {@link Pop3Source} protects its connection. */
public enum Security {
  /**
   * TLS from the first byte, port 995 by default (RFC 8314). The default and the recommendation.
   */
  IMPLICIT_TLS,
  /**
   * Plain text until STLS, port 110 by default (RFC 2595). STLS is required: if the server does not
   * offer it, or it fails, the session stops before any credential is sent.
   */
  STARTTLS,
  /**
   * No TLS at all, port 110 by default. Needs {@code allowPlaintextAuthentication(true)}, because
   * the password or token then crosses the network readable by anyone on the path.
   */
  NONE
}
