package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.internal.Causes;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Diagnosis.Status;
import dev.mailfetch.pop3.Symptom;
import java.util.Locale;
import java.util.Set;

/**
 * The doctor's login stage: the login a fetch makes, and where it fails, why in the words of the
 * finding that fits (wrong credentials, an app password or OAuth needed, a locked mailbox, ...).
 */
final class LoginStage {
  private final ExamContext ctx;

  LoginStage(ExamContext ctx) {
    this.ctx = ctx;
  }

  /** No credential was given: the login is not tried, and what needs it is skipped. */
  void notTried() {
    StepDraft auth = ctx.begin(Stage.AUTHENTICATION);
    auth.add(Symptom.LOGIN_NOT_TRIED, "no password or token was given");
    auth.status(Status.SKIPPED);
    auth.summary("not tried: no password or token given");
  }

  /** Logs in; false, with the finding, where the login failed. */
  boolean run(Pop3Connection ses) {
    StepDraft d = ctx.begin(Stage.AUTHENTICATION);
    try {
      new Login(ses).login();
      d.summary(
          "logged in as "
              + FetchException.escape(ctx.settings().user())
              + " with "
              + ses.loggedInWith());
      d.add(Symptom.LOGGED_IN, d.summary());
      d.end();
      return true;
    } catch (FetchException e) {
      Set<String> sasl = ses.capabilities().saslMechanisms();
      boolean oauthOffered = sasl.contains("XOAUTH2") || sasl.contains("OAUTHBEARER");
      boolean passwordOffered =
          sasl.contains("PLAIN")
              || sasl.contains("LOGIN")
              || ses.capabilities().has("USER")
              || !ses.capabilities().worked();
      boolean noToken = ctx.settings().tokens() == null;
      Symptom sym =
          symptom(
              e, ses.quirks().contains(QuirkId.Q39), oauthOffered && noToken && !passwordOffered);
      String evidence = e.detail();
      if (sym == Symptom.WRONG_CREDENTIALS && oauthOffered && noToken) {
        evidence +=
            "; the server also offers OAuth ("
                + String.join(" ", sasl)
                + "), which some providers require";
      }
      d.add(sym, evidence);
      d.summary("failed");
      d.end();
      ctx.block();
      return false;
    }
  }

  /**
   * The finding for a failed login; {@code hungUp}: the server closed the connection during it
   * (quirk Q39, noticed by the login); {@code onlyOAuth}: the server offers OAuth alone and no
   * token was given.
   */
  private static Symptom symptom(FetchException e, boolean hungUp, boolean onlyOAuth) {
    return switch (e.error()) {
      case AUTH_TOKEN_EXPIRED -> Symptom.TOKEN_EXPIRED;
      case LOCKED -> Symptom.MAILBOX_IN_USE;
      case LOGIN_DELAY -> Symptom.LOGIN_DELAY;
      case SERVER_TEMPORARY -> Symptom.SERVER_TEMPORARY;
      case SERVER_PERMANENT -> Symptom.SERVER_PERMANENT;
      case AUTH_FAILED -> refused(e, hungUp, onlyOAuth);
      default -> ErrorSymptoms.of(e);
    };
  }

  private static Symptom refused(FetchException e, boolean hungUp, boolean onlyOAuth) {
    if (hungUp) {
      return Symptom.CLOSED_AFTER_FAILED_LOGIN;
    }
    if (sendsToAnAppPassword(e)) {
      return Symptom.NEEDS_APP_PASSWORD;
    }
    if (e instanceof NoLoginMethod) {
      return onlyOAuth ? Symptom.NEEDS_OAUTH : Symptom.NO_COMMON_LOGIN_METHOD;
    }
    // Only [AUTH] says the credentials are wrong (RFC 3206); without it, the server's words lead.
    return e instanceof LoginRefusal r && !r.credentials()
        ? Symptom.LOGIN_REFUSED
        : Symptom.WRONG_CREDENTIALS;
  }

  /**
   * Whether the server's refusal uses the words providers use to send a person to an app password
   * or a web sign-in. This reads the server's reply, never our exception's words: no response code
   * says it, so the reply is all a server says of it (a protocol reading, like {@link
   * Reply#error}'s text heuristics). A {@link LoginRefusal} without a code keeps that reply in
   * {@link LoginRefusal#reply()} (its words quote it), one with a code in {@code serverReply()}.
   */
  static boolean sendsToAnAppPassword(FetchException e) {
    String text = serverSaid(e).toLowerCase(Locale.ROOT);
    return text.contains("application-specific")
        || text.contains("app password")
        || text.contains("web login")
        || text.contains("weblogin")
        || text.contains("two-step")
        || text.contains("2-step")
        || text.contains("sign in via your web browser");
  }

  /**
   * The server's reply to the login that {@code e} (or the refusal it wraps) reports, escaped; ""
   * where none came.
   */
  private static String serverSaid(FetchException e) {
    return Causes.find(e, LoginRefusal.class)
        .map(LoginRefusal::reply)
        .orElseGet(() -> e.serverReply().orElse(""));
  }
}
