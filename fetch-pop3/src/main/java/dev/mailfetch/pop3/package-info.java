/**
 * POP3 (RFC 1939, 2449, 2595, 5034, 8314) as a {@link dev.mailfetch.api.FetchSource}: secure by
 * default, streaming, pipelined, and tolerant of the server quirks catalogued in docs/quirks.md,
 * each by name.
 */
package dev.mailfetch.pop3;
