package dev.mailfetch.cli;

import dev.mailfetch.api.TokenProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * An authorization file {@code mailfetch oauth} wrote, as the token provider a POP3 login or the
 * Gmail API asks for access tokens; a file that cannot be used is a bad argument naming the option
 * and the command that writes it.
 */
final class OAuthGrants {
  private OAuthGrants() {}

  /** The tokens of {@code file} (given with {@code option}) for the POP3 account of {@code user}. */
  static TokenProvider tokens(CommandSpec spec, String option, Path file, Map<String, String> env, String user) {
    String why = Files.isDirectory(file) ? "a directory, not a file" : !Files.exists(file) ? "no such file"
        : !Files.isReadable(file) ? "not allowed to read it" : null;
    if (why != null) {
      throw new ParameterException(spec.commandLine(), option + " " + file + ": " + why + "; authorize mailfetch"
          + " once with: mailfetch oauth google|microsoft " + user + " --pop3 --token-file " + file
          + " --client-file CLIENT.json");
    }
    throw new ParameterException(spec.commandLine(), option + ": not wired yet");
  }

  /** The tokens of an authorization file; {@code again} is the command that writes it anew. */
  static TokenProvider load(CommandSpec spec, String option, Path file, String again) {
    throw new ParameterException(spec.commandLine(), option + " " + file + ": not wired yet (" + again + ")");
  }
}
