package dev.mailfetch.testkit;

/** How a {@link FakePop3Server} secures its sessions. */
public enum TlsMode {
  /** Plain text throughout; no STLS offered. */
  NONE,
  /** TLS from the first byte, as on port 995 (RFC 8314). */
  IMPLICIT,
  /** Plain text until the client sends STLS, as on port 110 (RFC 2595 §4). */
  STLS
}
