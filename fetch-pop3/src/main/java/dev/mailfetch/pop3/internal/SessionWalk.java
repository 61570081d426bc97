package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Diagnosis.Status;
import dev.mailfetch.pop3.Security;

/**
 * The stages that run over one POP3 session, in the order a fetch meets them: TLS, the greeting and
 * capabilities, the login, the mailbox and the compliance checks. A stage's step may be worked on
 * in pieces (the capabilities are read before TLS, after it and after the login): each piece runs
 * the step's clock, so each step measures its own work only.
 */
final class SessionWalk {
  private final ExamContext ctx;
  private final TlsStage tls;
  private final CapabilitiesStage capabilities;
  private final LoginStage login;

  SessionWalk(ExamContext ctx) {
    this.ctx = ctx;
    this.tls = new TlsStage(ctx);
    this.capabilities = new CapabilitiesStage(ctx, tls);
    this.login = new LoginStage(ctx);
  }

  void run() {
    if (!tls.portMismatch()) {
      walk(false);
    }
  }

  /** One session; {@code withoutCapa}: the server broke on CAPA before (quirk Q19). */
  private void walk(boolean withoutCapa) {
    Pop3Connection ses = ctx.newSession();
    if (withoutCapa) {
      ses.memory().noCapa = true;
    }
    try {
      StepDraft tlsStep = ctx.begin(Stage.TLS);
      if (!connect(ses)) {
        return;
      }
      Security security = ctx.settings().security();
      if (security == Security.IMPLICIT_TLS && !tls.handshake(ses, tlsStep)) {
        return;
      }
      tlsStep.pause();
      switch (capabilities.greetAndAsk(ses, tlsStep, withoutCapa)) {
        case STOPPED:
          return;
        case AGAIN_WITHOUT_CAPA:
          tlsStep.reset();
          ses.close();
          walk(true);
          return;
        default:
          break;
      }
      if (security == Security.STARTTLS) {
        tlsStep.resume();
        if (!tls.startTls(ses, tlsStep)) {
          return;
        }
        capabilities.afterTls(ses);
      } else if (security == Security.NONE) {
        tls.notEncrypted(ses, tlsStep);
      }
      tlsStep.end();
      if (!ctx.plan().login()) {
        withoutLogin(ses);
        return;
      }
      capabilities.utf8(ses);
      if (!login.run(ses)) {
        capabilities.end(ses);
        return;
      }
      capabilities.afterLogin(ses);
      MailboxListing listing = new MailboxStage(ctx).run(ses);
      if (listing != null) {
        new ComplianceChecks(ctx, ses, listing).run();
      }
    } catch (FetchException e) {
      ctx.current().add(ErrorSymptoms.of(e), e.detail());
      ctx.block();
    } finally {
      ses.close();
    }
  }

  /** The TCP connection of the session; false, with the finding, where it failed. */
  private boolean connect(Pop3Connection ses) {
    try {
      ses.connectTcp();
      return true;
    } catch (FetchException e) {
      StepDraft tcp = ctx.step(Stage.TCP);
      tcp.add(ErrorSymptoms.ofConnecting(e), e.detail());
      tcp.status(Status.FAILED);
      return false;
    }
  }

  /** No credential given: the capabilities are all there is to examine. */
  private void withoutLogin(Pop3Connection ses) {
    login.notTried();
    capabilities.end(ses);
    ctx.step(Stage.MAILBOX).skip("needs a login");
    ctx.step(Stage.COMPLIANCE).skip("needs a login");
    ComplianceChecks.quit(ctx, ses, null);
  }
}
