package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

class SecretsTest {
  @TempDir Path dir;

  private final CommandSpec spec = new CommandLine(new FetchCommand()).getCommandSpec();

  @Test
  void aSecretFile_isReadAtEachLogin_andTheLastGoodSecretOutlivesAFileBeingReplaced()
      throws IOException {
    Path file = dir.resolve("pw");
    Files.writeString(file, "first\nignored\n", StandardCharsets.UTF_8);
    Supplier<String> secret = Secrets.fromFile(spec, "--password-file", file);
    assertEquals("first", secret.get());
    Files.writeString(file, "second\n", StandardCharsets.UTF_8);
    assertEquals("second", secret.get());
    Files.delete(file);
    assertEquals("second", secret.get());
  }

  @Test
  void aSecretFileThatCannotServe_isABadArgument_sayingWhy() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty"), "");
    Path blankFirst = Files.writeString(dir.resolve("blank"), "\nsecret\n");
    assertBad("--password-file " + dir + ": a directory, not a file", dir);
    assertBad("--password-file " + dir.resolve("none") + ": no such file", dir.resolve("none"));
    assertBad(
        "--password-file " + empty + ": the file is empty; its first line must be the secret",
        empty);
    assertBad(
        "--password-file "
            + blankFirst
            + ": its first line is empty; the secret must be the first line, with nothing before"
            + " it",
        blankFirst);
  }

  private void assertBad(String message, Path file) {
    ParameterException e =
        assertThrows(
            ParameterException.class, () -> Secrets.fromFile(spec, "--password-file", file));
    assertEquals(message, e.getMessage());
  }

  @Test
  void anEnvironmentVariable_unsetEmptyOrUndecodable_isABadArgument() {
    Map<String, String> env = Map.of("EMPTY", "", "MANGLED", "p\uFFFDss", "PW", "secret");
    Secrets.requireEnv(spec, env, "--password-env", "PW");
    assertEquals(
        "--password-env UNSET: that environment variable is not set (or empty); one set in a"
            + " shell must be exported: export UNSET",
        assertThrows(
                ParameterException.class,
                () -> Secrets.requireEnv(spec, env, "--password-env", "UNSET"))
            .getMessage());
    assertThrows(
        ParameterException.class, () -> Secrets.requireEnv(spec, env, "--password-env", "EMPTY"));
    // --password-env "$MAIL_PW": the shell gave the password itself, which no message repeats
    String given =
        assertThrows(
                ParameterException.class,
                () -> Secrets.requireEnv(spec, env, "--password-env", "s3cr3t-Pw!"))
            .getMessage();
    assertFalse(given.contains("s3cr3t"), given);
    assertTrue(given.contains("give the variable's name"), given);
    assertEquals(
        "--password-env takes the variable's name, without '$': --password-env MAIL_PW",
        assertThrows(
                ParameterException.class,
                () -> Secrets.requireEnv(spec, env, "--password-env", "$MAIL_PW"))
            .getMessage());
    String mangled =
        assertThrows(
                ParameterException.class,
                () -> Secrets.requireEnv(spec, env, "--oauth-token-env", "MANGLED"))
            .getMessage();
    assertTrue(mangled.contains("LANG=C.UTF-8") && mangled.endsWith("--oauth-token-file FILE"));
  }
}
