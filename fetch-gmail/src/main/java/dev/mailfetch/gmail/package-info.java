/**
 * Delivery into Gmail through the Gmail API's {@code users.messages.import}, exactly once across
 * crashes, within Gmail's quota; and OAuth 2.0 access tokens that keep working unattended (a
 * refresh-token {@link dev.mailfetch.api.TokenProvider} with presets for Google and Microsoft, and
 * the installed-app authorization flow that obtains the refresh token). See docs/gmail.md.
 */
package dev.mailfetch.gmail;
