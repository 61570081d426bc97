/**
 * Delivers fetched mail into Gmail through the Gmail API ({@code users.messages.import}), exactly
 * once across crashes, and keeps OAuth 2.0 access tokens fresh for Google and Microsoft (for the
 * Gmail API and for POP3's XOAUTH2/OAUTHBEARER alike).
 */
module dev.mailfetch.gmail {
  requires transitive dev.mailfetch.api;
  requires org.slf4j;
  requires com.fasterxml.jackson.core;
  requires transitive java.net.http; // HttpClient appears in the OAuth builders

  exports dev.mailfetch.gmail;
}
