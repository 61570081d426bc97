package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.Diagnosis.Stage;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Symptom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The doctor's greeting and capabilities stage: the greeting, junk after it, CAPA before and after
 * TLS and after the login, UTF-8 mode, and the summary of what the server announces.
 */
final class CapabilitiesStage {
  /** The capabilities the summary names, in this order, where the server announces them. */
  private static final List<String> SHOWN =
      List.of(
          "STLS",
          "UIDL",
          "TOP",
          "PIPELINING",
          "RESP-CODES",
          "EXPIRE",
          "LOGIN-DELAY",
          "USER",
          "UTF8");

  /** What became of the greeting and the first CAPA. */
  enum Outcome {
    /** Greeted, and CAPA answered or refused: go on. */
    READ,
    /** The server broke on the first CAPA: examine again without it (quirk Q19). */
    AGAIN_WITHOUT_CAPA,
    /** The greeting failed or was refused: the finding is made, nothing more can be examined. */
    STOPPED
  }

  private final ExamContext ctx;
  private final TlsStage tls;

  CapabilitiesStage(ExamContext ctx, TlsStage tls) {
    this.ctx = ctx;
    this.tls = tls;
  }

  /**
   * The greeting and the first CAPA ({@code withoutCapa}: the server broke on it before, so none is
   * sent); the step paused after.
   */
  Outcome greetAndAsk(Pop3Connection ses, StepDraft tlsStep, boolean withoutCapa)
      throws FetchException {
    StepDraft caps = ctx.begin(Stage.CAPABILITIES);
    Reply greeting;
    try {
      greeting = Greeting.greet(ses);
    } catch (FetchException e) {
      if (tls.greetingInsideTls(tlsStep)) {
        caps.skip("the greeting is inside TLS on this port");
      } else if (e.error() == FetchError.CONNECTION_TIMED_OUT) {
        caps.add(Symptom.NO_GREETING, e.detail());
      } else if (refusedGreeting(e)) {
        caps.add(Symptom.GREETING_REFUSED, e.detail());
      } else {
        caps.add(ErrorSymptoms.of(e), e.detail());
      }
      ctx.block();
      return Outcome.STOPPED;
    }
    caps.note("greeting: " + FetchException.escape(greeting.line()));
    // Junk is said before CAPA's answer whether it came with the greeting or behind CAPA (met by
    // its reply): one order, however the bytes met the reads.
    try {
      Greeting.capa(ses);
    } catch (Pop3Connection.CapaBroken e) {
      greetingJunk(caps, ses);
      if (!withoutCapa) {
        caps.add(
            Symptom.CAPA_REFUSED,
            "the server "
                + (e.error() == FetchError.CONNECTION_TIMED_OUT
                    ? "did not answer CAPA"
                    : "closed the connection on CAPA")
                + "; examined again without it");
        caps.pause();
        return Outcome.AGAIN_WITHOUT_CAPA;
      }
      throw e;
    }
    greetingJunk(caps, ses);
    if (!ses.capabilities().worked() && !withoutCapa) {
      caps.add(Symptom.CAPA_REFUSED, "CAPA was answered -ERR");
    }
    if (ses.capabilities().worked()) {
      caps.note(
          (ctx.settings().security() == Security.IMPLICIT_TLS ? "CAPA: " : "CAPA before TLS: ")
              + summary(ses.capabilities().lines()));
    }
    caps.pause();
    return Outcome.READ;
  }

  /**
   * Whether {@code e}, raised by the greeting, is its {@code -ERR}: of the failures reading the
   * greeting, only a refusal has a code that a {@code -ERR} stands for (Reply.error); the others
   * are failures to read or frame it.
   */
  private static boolean refusedGreeting(FetchException e) {
    return switch (e.error()) {
      case SERVER_TEMPORARY, SERVER_PERMANENT, LOCKED, LOGIN_DELAY, AUTH_FAILED -> true;
      default -> false;
    };
  }

  /** CAPA again after STLS (RFC 2595 §4): noted. */
  void afterTls(Pop3Connection ses) {
    StepDraft caps = ctx.begin(Stage.CAPABILITIES);
    if (ses.capabilities().worked()) {
      caps.note("CAPA after TLS: " + summary(ses.capabilities().lines()));
    }
    caps.pause();
  }

  /** UTF-8 mode, as a fetch asks for it: after TLS, before the login (RFC 6856). */
  void utf8(Pop3Connection ses) throws FetchException {
    StepDraft caps = ctx.begin(Stage.CAPABILITIES);
    Reply utf8 = Utf8Mode.enable(ses);
    if (utf8 != null) {
      caps.note(
          "UTF-8 mode: "
              + (utf8.ok() ? "on" : "refused (\"" + FetchException.escape(utf8.line()) + "\")"));
    }
    caps.pause();
  }

  /** CAPA after the login, where servers announce more; then the step ends. */
  void afterLogin(Pop3Connection ses) {
    StepDraft caps = ctx.begin(Stage.CAPABILITIES);
    try {
      Greeting.capa(ses);
      if (ses.capabilities().worked()) {
        caps.note("CAPA after login: " + summary(ses.capabilities().lines()));
      }
    } catch (FetchException e) {
      caps.add(ErrorSymptoms.of(e), "CAPA after login: " + e.detail());
    }
    end(ses);
  }

  /** The summary of what the server announces and the findings of it; the step ends. */
  void end(Pop3Connection ses) {
    StepDraft caps = ctx.begin(Stage.CAPABILITIES);
    if (caps.summary().isEmpty()) {
      List<String> flags = new ArrayList<>();
      for (String tag : SHOWN) {
        if (ses.capabilities().has(tag)) {
          flags.add(tag);
        }
      }
      Set<String> sasl = ses.capabilities().saslMechanisms();
      if (!sasl.isEmpty()) {
        flags.add("SASL " + String.join(" ", sasl));
      }
      caps.summary(ses.capabilities().worked() ? String.join(", ", flags) : "CAPA not supported");
      for (String line : ses.capabilities().lines()) {
        if (line.startsWith("IMPLEMENTATION ")) {
          caps.note("implementation: " + FetchException.escape(line.substring(15)));
        }
      }
      caps.add(Symptom.CAPABILITIES_READ, String.join("; ", caps.notes()));
      if (ses.capabilities().worked() && !ses.capabilities().has("RESP-CODES")) {
        caps.add(Symptom.NO_RESP_CODES, "CAPA does not list RESP-CODES");
      }
    }
    caps.end();
  }

  private static void greetingJunk(StepDraft caps, Pop3Connection ses) {
    if (ses.quirks().contains(QuirkId.Q16)) {
      caps.add(Symptom.GREETING_JUNK, "lines came after the greeting before any command");
    }
  }

  private static String summary(Set<String> capa) {
    return capa.isEmpty() ? "(empty)" : FetchException.escape(String.join(", ", capa));
  }
}
