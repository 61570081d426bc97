package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.imap.ImapAppendSink;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.smtp.LmtpSink;
import dev.mailfetch.smtp.SmtpSecurity;
import dev.mailfetch.smtp.SmtpSink;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.ParameterException;

/**
 * The one place that turns a {@link ServerSink} into the library's sink ({@link ImapAppendSink},
 * {@link LmtpSink}, {@link SmtpSink}), for a fetch (a {@link Destination} with its journal in the
 * account's state) and for the doctor (the sink's {@code check()}).
 */
final class ServerSinks {
  private ServerSinks() {}

  /**
   * --to for a mail server: the sink with its journal in the account's state directory, the state
   * by default in {@link ServerSink#directory} ({@code stateGiven}: --state names another). The
   * settings are built once here, so that what the library refuses is a bad argument before
   * anything is opened.
   */
  static Destination destination(ServerSink s, Map<String, String> env, boolean stateGiven) {
    build(s, null);
    Path dir = s.directory(env);
    return new Destination(
        account -> build(s, s.journal(account)).sink(),
        stateGiven ? List.of() : List.of(dir),
        dir.resolve("mailfetch-state"),
        s.describe(),
        "a server that can be reached, and its journal's directory in the state, which you may"
            + " write",
        s::journal);
  }

  /**
   * Connects, secures, logs in (where a secret is given) and checks the folder or the recipients:
   * each step told to {@code passed} as it passes, then the typed error of the first that failed.
   */
  static void check(ServerSink s, Consumer<String> passed) throws FetchException {
    build(s, null).check().run(passed);
  }

  /** A sink built, and how to check its server. */
  private record Built(MessageSink sink, Check check) {}

  /** The sink's {@code check(passed)}. */
  private interface Check {
    void run(Consumer<String> passed) throws FetchException;
  }

  /** The sink of {@code s}, its journal {@code journal} (none for the doctor). */
  private static Built build(ServerSink s, Path journal) {
    try {
      if (s.url().kind().imap()) {
        ImapAppendSink.Builder b =
            ImapAppendSink.builder()
                .host(s.url().host())
                .port(s.port())
                .security(ImapSecurity.valueOf(name(s.security())))
                .user(s.url().user())
                .folder(s.url().folder())
                .allowPlaintextAuthentication(s.allowPlaintext());
        if (s.password() != null) {
          b.password(s.password());
        } else {
          b.oauthTokens(s.tokens());
        }
        trust(s, b::trustPem);
        if (journal != null) {
          b.journal(journal);
        }
        ImapAppendSink sink = b.build();
        return new Built(sink, sink::check);
      }
      if (s.url().kind() == SinkUrl.Kind.LMTP) {
        LmtpSink.Builder b = LmtpSink.builder();
        if (s.url().socket() != null) {
          b.socket(s.url().socket());
        } else {
          b.host(s.url().host()).port(s.port()).security(security(s));
        }
        relay(s, b::user, b::password, b::oauthTokens, b::allowPlaintextAuthentication);
        trust(s, b::trustPem);
        b.recipients(s.recipients().toArray(new String[0]));
        if (s.sender() != null) {
          b.sender(s.sender());
        }
        if (journal != null) {
          b.journal(journal);
        }
        LmtpSink sink = b.build();
        return new Built(sink, sink::check);
      }
      SmtpSink.Builder b =
          SmtpSink.builder().host(s.url().host()).port(s.port()).security(security(s));
      relay(s, b::user, b::password, b::oauthTokens, b::allowPlaintextAuthentication);
      trust(s, b::trustPem);
      b.recipients(s.recipients().toArray(new String[0]));
      if (s.sender() != null) {
        b.sender(s.sender());
      }
      if (journal != null) {
        b.journal(journal);
      }
      SmtpSink sink = b.build();
      return new Built(sink, sink::check);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // Each case the options can cause is told in their words before this (SinkOptions); what is
      // left is the library's own check, said with the --to it concerns.
      throw new ParameterException(
          s.spec().commandLine(), "--to " + s.to() + ": " + e.getMessage());
    }
  }

  /**
   * LMTP's and SMTP's login, where the URL names a user and a secret is given (the doctor without
   * one checks all but the login).
   */
  private static void relay(
      ServerSink s,
      Consumer<String> user,
      Consumer<Supplier<String>> password,
      Consumer<TokenProvider> tokens,
      Consumer<Boolean> plaintext) {
    if (s.url().user() == null || (s.password() == null && s.tokens() == null)) {
      return;
    }
    user.accept(s.url().user());
    if (s.password() != null) {
      password.accept(s.password());
    } else if (s.tokens() != null) {
      tokens.accept(s.tokens());
    }
    if (s.allowPlaintext()) {
      plaintext.accept(true);
    }
  }

  /** --sink-trust-pem given to a builder: a file it cannot use is said with that option. */
  private static void trust(ServerSink s, Consumer<Path> builder) {
    if (s.trustPem() == null) {
      return;
    }
    try {
      builder.accept(s.trustPem());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          s.spec().commandLine(),
          "--sink-trust-pem "
              + s.trustPem()
              + ": holds no certificate that can be read; a PEM file of CA certificates has blocks"
              + " that begin with -----BEGIN CERTIFICATE-----");
    }
  }

  private static SmtpSecurity security(ServerSink s) {
    return SmtpSecurity.valueOf(name(s.security()));
  }

  private static String name(ServerSink.Tls tls) {
    return tls == ServerSink.Tls.IMPLICIT ? "IMPLICIT_TLS" : tls.name();
  }
}
