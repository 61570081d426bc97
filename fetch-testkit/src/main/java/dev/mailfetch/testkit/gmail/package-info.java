/**
 * A Gmail on loopback that follows the Gmail API's published reference and misbehaves on purpose:
 * the OAuth 2.0 token endpoint, {@code users.getProfile}, labels, {@code messages.import}
 * (multipart and resumable uploads) and {@code messages.list}, with every failure a Gmail sink must
 * survive injected by name. docs/gmail.md says which behaviours come from the reference and which
 * are our reading of it.
 */
package dev.mailfetch.testkit.gmail;
