/**
 * {@code mailfetch serve}'s web page in front of a running poller: the accounts page, each
 * account's page, the actions (check now, resume, run the doctor), the probes; on the JDK's own
 * HTTP server (docs/serve.md).
 */
package dev.mailfetch.cli.serve;
