/** A fake SMTP and LMTP server for the faults real servers will not show on demand. */
package dev.mailfetch.testkit.smtp;
