/**
 * The one spool of the sinks that need a whole message before they send it (Gmail, IMAP, LMTP and
 * SMTP): in memory up to a bound, in a temporary file beyond it, with the counts and the header a
 * wire needs. Not API: exported to the sink modules only.
 */
package dev.mailfetch.api.internal.spool;
