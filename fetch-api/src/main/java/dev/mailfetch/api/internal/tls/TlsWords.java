package dev.mailfetch.api.internal.tls;

import dev.mailfetch.api.Remedy;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A protocol's own words in the errors of a failed handshake ({@link TlsFailure}): the commands,
 * the URL scheme, the doctor, and the advice that names its settings.
 *
 * @param startTls the command that starts TLS: STLS, STARTTLS
 * @param capability the command that asks what the server can do: CAPA, CAPABILITY, EHLO
 * @param brokenStartTlsNote said after "its STARTTLS is broken" (POP3's " (quirk Q23)"), or ""
 * @param scheme the URL scheme of implicit TLS: pop3s, imaps, smtps
 * @param hostSetting where the library sets the host ("the source's host(String)")
 * @param doctorCli how a person runs the doctor ("mailfetch doctor URL")
 * @param doctorLibrary the library's doctor ("Pop3Doctor", "ImapAppendSink.check()")
 * @param startTlsBroken the advice for a STARTTLS that went on in plain text
 * @param plainTextPort the advice for implicit TLS spoken to a plain-text port
 * @param handshakeTimeoutWords the handshake deadline in words ("30 s")
 * @param handshakeTimeoutRemedy the advice for a handshake past its deadline
 * @param untrusted the advice for a certificate of an authority not trusted, naming the trust
 *     setting of the role (a sink's {@code --sink-trust-pem}), or null where the protocol adds its
 *     own (POP3's certificate words)
 */
public record TlsWords(
    String startTls,
    String capability,
    String brokenStartTlsNote,
    String scheme,
    String hostSetting,
    String doctorCli,
    String doctorLibrary,
    Remedy startTlsBroken,
    IntFunction<Remedy> plainTextPort,
    Function<Duration, String> handshakeTimeoutWords,
    Function<Duration, Remedy> handshakeTimeoutRemedy,
    Remedy untrusted) {

  /** Words without advice for an untrusted certificate (the protocol adds its own). */
  public TlsWords(
      String startTls,
      String capability,
      String brokenStartTlsNote,
      String scheme,
      String hostSetting,
      String doctorCli,
      String doctorLibrary,
      Remedy startTlsBroken,
      IntFunction<Remedy> plainTextPort,
      Function<Duration, String> handshakeTimeoutWords,
      Function<Duration, Remedy> handshakeTimeoutRemedy) {
    this(
        startTls,
        capability,
        brokenStartTlsNote,
        scheme,
        hostSetting,
        doctorCli,
        doctorLibrary,
        startTlsBroken,
        plainTextPort,
        handshakeTimeoutWords,
        handshakeTimeoutRemedy,
        null);
  }

  public TlsWords {
    Objects.requireNonNull(startTls, "startTls");
    Objects.requireNonNull(capability, "capability");
    Objects.requireNonNull(brokenStartTlsNote, "brokenStartTlsNote");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(hostSetting, "hostSetting");
    Objects.requireNonNull(doctorCli, "doctorCli");
    Objects.requireNonNull(doctorLibrary, "doctorLibrary");
    Objects.requireNonNull(startTlsBroken, "startTlsBroken");
    Objects.requireNonNull(plainTextPort, "plainTextPort");
    Objects.requireNonNull(handshakeTimeoutWords, "handshakeTimeoutWords");
    Objects.requireNonNull(handshakeTimeoutRemedy, "handshakeTimeoutRemedy");
  }
}
