package dev.mailfetch.imap.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the big providers' IMAP servers say when they refuse or slow a client, and what a person
 * must do about it: the facts {@link ImapFailures} adds to its words (docs/imap.md "Providers"
 * gives the sources). Known by the host name the user gave, never by the server's greeting alone.
 */
final class ImapProviders {
  private ImapProviders() {}

  /** The providers whose refusals need more than "check the password". */
  enum Provider {
    GMAIL,
    MICROSOFT,
    YAHOO_AOL
  }

  /**
   * Exchange Online's throttling ({@code NO Request is throttled. Suggested Backoff Time: 299961
   * milliseconds}, sometimes as BAD): imapsync's Office 365 FAQ, imap_tools#135.
   */
  private static final Pattern EXCHANGE_BACKOFF =
      Pattern.compile(
          "Request is throttled\\. Suggested Backoff Time: ([0-9]{1,12}) milliseconds",
          Pattern.CASE_INSENSITIVE);

  /** The provider of {@code host}, by its well-known IMAP host names and domains. */
  static Optional<Provider> of(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith("gmail.com") || h.endsWith("googlemail.com")) {
      return Optional.of(Provider.GMAIL);
    }
    if (h.equals("outlook.office365.com")
        || h.endsWith(".office365.com")
        || h.endsWith("outlook.com")
        || h.endsWith("hotmail.com")
        || h.endsWith("live.com")) {
      return Optional.of(Provider.MICROSOFT);
    }
    if (h.endsWith("yahoo.com") || h.endsWith("aol.com")) {
      return Optional.of(Provider.YAHOO_AOL);
    }
    return Optional.empty();
  }

  /** The host of {@code server} ({@code host:port}). */
  static String host(String server) {
    int colon = server.lastIndexOf(':');
    return colon < 0 ? server : server.substring(0, colon);
  }

  /**
   * What a refused login at this provider most often means, in words for a person; empty for a
   * server no provider's.
   */
  static Optional<String> loginAdvice(String server, boolean withToken) {
    Optional<Provider> p = of(host(server));
    if (p.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        switch (p.get()) {
          case GMAIL ->
              withToken
                  ? "Gmail refused the OAuth token: authorize again (mailfetch oauth) if the grant"
                      + " was revoked; the token needs the scope https://mail.google.com/."
                  : "Gmail takes an app password (Google Account → Security → 2-Step Verification →"
                      + " App passwords) or OAuth, not the account's own password.";
          case MICROSOFT ->
              withToken
                  ? "Microsoft refused the OAuth token: it needs the scope"
                      + " https://outlook.office.com/IMAP.AccessAsUser.All, and IMAP must be"
                      + " enabled for the mailbox (an administrator's setting in Microsoft 365)."
                  : "Microsoft 365 and Outlook.com take no passwords over IMAP (basic"
                      + " authentication is off since October 2022): log in with OAuth (XOAUTH2).";
          case YAHOO_AOL ->
              "Yahoo and AOL take an app password (Account info → Account security → Generate app"
                  + " password), not the account's own password.";
        });
  }

  /** Exchange Online's suggested back-off in a throttling refusal's words, if these are one. */
  static Optional<Duration> exchangeBackoff(String words) {
    Matcher m = EXCHANGE_BACKOFF.matcher(words);
    return m.find() ? Optional.of(Duration.ofMillis(Long.parseLong(m.group(1)))) : Optional.empty();
  }

  /**
   * Whether Gmail says it is slowing this account: {@code [THROTTLED]} at the end of a tagged OK
   * ({@code A2 OK Success [THROTTLED]}, node-imap#593, MailKit#1396) or as a NO's code.
   */
  static boolean gmailThrottled(String words) {
    return words.toUpperCase(Locale.ROOT).contains("[THROTTLED]");
  }

  /**
   * Gmail's daily IMAP limits reached: {@code NO [OVERQUOTA] Account exceeded command or bandwidth
   * limits. (Failure)} (ha-email-sensor#16; Google's "Gmail bandwidth limits": 2,500 MB a day of
   * IMAP downloads).
   */
  static boolean bandwidthExceeded(String words) {
    String w = words.toLowerCase(Locale.ROOT);
    return w.contains("bandwidth") || w.contains("exceeded command");
  }
}
