/**
 * The one intent journal of the sinks into remote stores (Gmail, IMAP, LMTP and SMTP): a delivery
 * written "intended" before its message is sent and "done" after the destination's answer, so that
 * what a crash left in doubt is known. Each sink keeps what its records mean (Gmail's message id,
 * IMAP's UID, LMTP's recipients) as fields of a record. Not API: exported to the sink modules only.
 */
package dev.mailfetch.api.internal.journal;
