package dev.mailfetch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The secrets of --password-env, --password-file, --oauth-token-env and --oauth-token-file: read
 * from the environment or a file's first line, each refused as a bad argument, in words that say
 * why, before anything is opened.
 */
final class Secrets {
  private Secrets() {}

  /**
   * A bad-arguments error for {@code option} and {@code name} unless the variable holds a secret.
   */
  static void requireEnv(CommandSpec spec, Map<String, String> env, String option, String name) {
    String v = env.get(name);
    if (v == null || v.isEmpty()) {
      throw bad(spec, unsetVariable(option, name));
    }
    if (v.indexOf('\uFFFD') >= 0) {
      // Java decodes the environment in the locale's charset: without LANG (cron, systemd, a
      // container) that is ASCII, and a non-ASCII secret would reach the server mangled and be
      // reported as a wrong password.
      throw bad(
          spec,
          option
              + " "
              + name
              + ": the variable holds characters Java could not read in this environment's"
              + " character set ("
              + Charset.defaultCharset()
              + "); run with LANG=C.UTF-8 (or LC_ALL),"
              + " or give the secret with "
              + (option.contains("oauth") ? "--oauth-token-file" : "--password-file")
              + " FILE");
    }
  }

  /**
   * Why {@code option} {@code name} gives no secret: the variable is not set, or {@code name} is no
   * variable's name. A name is not repeated unless it can be one ({@code --password-env "$MAIL_PW"}
   * puts the password itself there, which must not reach a terminal, a log or a cron mail).
   */
  static String unsetVariable(String option, String name) {
    String nameForm = "[A-Za-z_][A-Za-z0-9_]*";
    if (name.matches(nameForm)) {
      return option
          + " "
          + name
          + ": that environment variable is not set (or empty); one set in a shell must be"
          + " exported: export "
          + name;
    }
    if (name.length() > 1 && name.charAt(0) == '$' && name.substring(1).matches(nameForm)) {
      return option
          + " takes the variable's name, without '$': "
          + option
          + " "
          + name.substring(1);
    }
    return option
        + " takes the name of an environment variable (letters, digits and '_', such as MAIL_PW),"
        + " and what was given is not one (not shown: with \"$MAIL_PW\" the shell puts the secret"
        + " itself there); give the variable's name";
  }

  /**
   * A secret read from a file's first line at each login, so that a token another program refreshes
   * (or a rotated password) is used by a running poll. The file is read once now, so that a missing
   * or empty file is a bad argument at once. Should a later read fail (the file being replaced),
   * the last secret read is used and the login says whether it still works.
   */
  static Supplier<String> fromFile(CommandSpec spec, String option, Path file) {
    String first =
        readSecret(file)
            .orElseThrow(() -> bad(spec, option + " " + file + ": " + whyUnreadable(file)));
    AtomicReference<String> last = new AtomicReference<>(first);
    return () -> {
      readSecret(file).ifPresent(last::set);
      return last.get();
    };
  }

  private static Optional<String> readSecret(Path file) {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = r.readLine();
      return line == null || line.isEmpty() ? Optional.empty() : Optional.of(line);
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private static String whyUnreadable(Path file) {
    if (Files.isDirectory(file)) {
      return "a directory, not a file";
    }
    if (!Files.exists(file)) {
      return "no such file";
    }
    if (!Files.isReadable(file)) {
      return "not allowed to read it";
    }
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return r.readLine() == null
          ? "the file is empty; its first line must be the secret"
          : "its first line is empty; the secret must be the first line, with nothing before it";
    } catch (IOException | UncheckedIOException e) {
      return "cannot read it as UTF-8 text";
    }
  }

  private static ParameterException bad(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
