package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.internal.doctor.Dns;
import java.net.UnknownHostException;

/**
 * A server name that could not be turned into an address. A name that does not resolve is
 * HOST_NOT_FOUND, retryable: from here a misspelt name cannot be told from a resolver that is down
 * right now, and a poll must back off and look again rather than pause the account until someone
 * restarts it (the doctor, which asks the DNS itself, tells the two apart). An IP address literal
 * that is none ({@code 999.1.1.1}, {@code [1:2:zz]}) is a bad setting: no later lookup can mend it.
 */
final class HostLookup {
  private HostLookup() {}

  /**
   * Whether {@code host} is written as an IP address, not a name (as the doctor tells them apart).
   */
  static boolean literal(String host) {
    return Dns.literal(host);
  }

  /** The error for {@code host}, which did not resolve. */
  static FetchException failed(String host, UnknownHostException e) {
    if (literal(host)) {
      return new FetchException(
          FetchError.CONFIGURATION,
          "\"" + FetchException.escape(host) + "\" is not a valid IP" + " address",
          null,
          e,
          Remedy.of(
              "Check the address in the URL (pop3s://user@ADDRESS; an IPv6 address in brackets), or give the server's"
                  + " name instead.",
              "Check the address given to the source's builder (host(String)), or give the server's name instead."));
    }
    return new FetchException(
        FetchError.HOST_NOT_FOUND,
        "the server name "
            + FetchException.escape(host)
            + " could not be found: it does not resolve to an address",
        null,
        e,
        Remedy.of(
            "Check the server name in the URL (pop3s://user@HOST) letter by letter against the provider's instructions;"
                + " if it is right, this machine's network or DNS is at fault: try again later. mailfetch doctor URL"
                + " tells the two apart, and mailfetch doctor ADDRESS looks the server up from an e-mail address.",
            "Check the name given to the source's builder (host(String)) against the provider's instructions; if it is"
                + " right, this machine's network or DNS is at fault: try again later. Pop3Doctor tells the two apart,"
                + " and Pop3Doctor.discover finds a domain's POP3 server from its DNS records."));
  }
}
