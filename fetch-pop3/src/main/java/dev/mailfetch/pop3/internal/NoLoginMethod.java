package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.pop3.AuthMechanism;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * No login method is allowed, usable with the credentials given and offered by the server, so
 * nothing was sent. The words keep three lists apart that a reader would otherwise see contradict
 * each other (XOAUTH2 "allowed" and "offered", yet not tried): the allowed methods the credentials
 * can use, the allowed ones they cannot (and what those need), and what the server offers; the
 * advice names the methods to allow, or the credential to give, that would meet the server.
 *
 * <p>An {@code AUTH_FAILED} of its own type, so that the doctor tells it from a refused login by
 * the type, never by the words.
 */
final class NoLoginMethod extends FetchException {
  private static final long serialVersionUID = 1L;

  private static final Set<AuthMechanism> OAUTH =
      EnumSet.of(AuthMechanism.XOAUTH2, AuthMechanism.OAUTHBEARER);

  private NoLoginMethod(String detail, Remedy remedy) {
    super(FetchError.AUTH_FAILED, detail, null, null, remedy);
  }

  /**
   * @param allowed the methods the settings allow
   * @param password whether a password was given
   * @param token whether an OAuth token provider was given
   * @param offered what the server offers, in its own order (SASL names, USER, APOP)
   */
  static NoLoginMethod of(
      String server,
      Set<AuthMechanism> allowed,
      boolean password,
      boolean token,
      List<String> offered) {
    List<AuthMechanism> usable = new ArrayList<>();
    List<AuthMechanism> unusable = new ArrayList<>();
    allowed.stream()
        .sorted()
        .forEach(m -> ((OAUTH.contains(m) ? token : password) ? usable : unusable).add(m));
    String given =
        password && token
            ? "the password and the token given"
            : password
                ? "the password given"
                : token ? "the OAuth token given" : "the credentials given";
    String offers = offered.isEmpty() ? "none" : FetchException.escape(String.join(", ", offered));
    String lists;
    if (unusable.isEmpty()) {
      lists = "allowed: " + names(usable, ", ");
    } else {
      String need =
          names(unusable, ", ")
              + (unusable.size() == 1 ? " needs " : " need ")
              + (OAUTH.contains(unusable.get(0)) ? "an OAuth token" : "a password")
              + ", and none was given";
      lists =
          usable.isEmpty()
              ? "allowed: " + need
              : "allowed and usable with " + given + ": " + names(usable, ", ") + "; " + need;
    }
    String detail =
        server
            + " offers no login method that is allowed here and usable with "
            + given
            + " ("
            + lists
            + "; the server offers: "
            + offers
            + "); no credentials were sent";
    return new NoLoginMethod(detail, remedy(offered, password, token));
  }

  private static Remedy remedy(List<String> offered, boolean password, boolean token) {
    List<AuthMechanism> byPassword = new ArrayList<>();
    List<AuthMechanism> byToken = new ArrayList<>();
    for (AuthMechanism m : AuthMechanism.values()) {
      if (offered.contains(Login.saslName(m))) {
        (OAUTH.contains(m) ? byToken : byPassword).add(m);
      }
    }
    List<String> cli = new ArrayList<>();
    List<String> lib = new ArrayList<>();
    if (!byPassword.isEmpty()) {
      String with =
          password
              ? ""
              : " with a password (--password-env NAME or --password-file FILE) instead of the"
                  + " token";
      String withLib = password ? "" : " with a password (password(...))";
      cli.add(
          "Allow a method the server offers that logs in"
              + (password ? " with the password" : "")
              + ": --auth "
              + names(byPassword, ",")
              + with
              + " (over TLS; without it, only CRAM-MD5 keeps the password off the wire)");
      lib.add(
          "Allow a method the server offers that logs in"
              + (password ? " with the password" : "")
              + ": mechanisms("
              + byPassword.stream()
                  .map(m -> "AuthMechanism." + m.name())
                  .collect(Collectors.joining(", "))
              + ")"
              + withLib);
    }
    if (!token && !byToken.isEmpty()) {
      String what =
          "to log in with "
              + names(byToken, " or ")
              + ", which the server offers, give an OAuth token";
      cli.add(
          (cli.isEmpty() ? "T" : "or, t")
              + what.substring(1)
              + " (--oauth-token-env NAME or --oauth-token-file"
              + " FILE) instead of the password");
      lib.add(
          (lib.isEmpty() ? "T" : "or, t")
              + what.substring(1)
              + " provider (oauthTokens(TokenProvider))");
    }
    if (cli.isEmpty()) {
      String none =
          "The server offers no login method mailfetch knows (it logs in with USER, PLAIN, LOGIN, CRAM-MD5"
              + " or APOP and a password, or XOAUTH2 or OAUTHBEARER and a token, as ";
      String ask =
          " allows them): ask the provider for a standard login (USER and PASS, PLAIN or LOGIN, over TLS).";
      return Remedy.of(
          none + "--auth MECH,MECH" + ask,
          none + "the source builder's mechanisms(AuthMechanism...)" + ask);
    }
    String end = "; nothing was sent, so the password or token is not the question.";
    return Remedy.of(String.join("; ", cli) + end, String.join("; ", lib) + end);
  }

  private static String names(List<AuthMechanism> ms, String between) {
    return ms.stream().map(Login::saslName).collect(Collectors.joining(between));
  }
}
