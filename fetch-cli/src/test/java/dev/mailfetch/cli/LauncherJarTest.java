package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkout's {@code ./mailfetch} launcher, run as a user runs it, on a copy of the checkout's
 * layout (the script and {@code fetch-cli/target/mailfetch.jar}) in a scratch directory, so that
 * its class archive is made there and not in the build's target. Timing is not asserted (the
 * figures are in docs/cli.md with their command); what the launcher decides is.
 */
@Timeout(180)
class LauncherJarTest {
  private static final Pattern ARCHIVE = Pattern.compile("mailfetch\\.jar-jdk.*\\.(jsa|aot)");
  @TempDir Path tmp;
  private Path checkout;
  private Path target;
  private Path jdk;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void copyOfTheCheckout() throws IOException {
    checkout = Files.createDirectories(tmp.resolve("checkout"));
    target = Files.createDirectories(checkout.resolve("fetch-cli/target"));
    Path launcher =
        Path.of(System.getProperty("mailfetch.launcher", "../mailfetch")).toAbsolutePath();
    Path jar = Path.of(System.getProperty("mailfetch.jar", "target/mailfetch.jar"));
    assertTrue(Files.exists(jar), "the jar is built before these tests: " + jar);
    Files.copy(launcher, checkout.resolve("mailfetch"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(jar, target.resolve("mailfetch.jar"), StandardCopyOption.COPY_ATTRIBUTES);
    jdk = Path.of(System.getProperty("java.home"));
  }

  private Run launch(Map<String, String> env, String... args) throws Exception {
    Process p = start(env, "run", args);
    assertTrue(p.waitFor(150, TimeUnit.SECONDS), "the launcher ended");
    return new Run(p.exitValue(), read("run.out"), read("run.err"));
  }

  private Process start(Map<String, String> env, String name, String... args) throws IOException {
    Path out = tmp.resolve(name + ".out");
    Path err = tmp.resolve(name + ".err");
    ProcessBuilder pb =
        new ProcessBuilder(
                Stream.concat(Stream.of(checkout.resolve("mailfetch").toString()), Stream.of(args))
                    .toList())
            .directory(tmp.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    Map<String, String> e = pb.environment();
    e.remove("JAVA_OPTS");
    e.remove("MAILFETCH_ARCHIVE");
    e.put("JAVA_HOME", jdk.toString());
    e.putAll(env);
    return pb.start();
  }

  private String read(String file) throws IOException {
    return Files.readString(tmp.resolve(file), StandardCharsets.UTF_8);
  }

  private List<Path> archives() throws IOException {
    try (Stream<Path> s = Files.list(target)) {
      return s.filter(f -> ARCHIVE.matcher(f.getFileName().toString()).matches()).toList();
    }
  }

  private List<Path> kept(String suffix) throws IOException {
    try (Stream<Path> s = Files.list(target)) {
      return s.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
    }
  }

  private List<Path> leftovers() throws IOException {
    return kept(".tmp");
  }

  /** Whether the run logged in {@code log} loaded one of the command's classes from an archive. */
  private static boolean commandClassFromArchive(Path log) throws IOException {
    return Files.readAllLines(log).stream()
        .anyMatch(
            l ->
                (l.contains(" dev.mailfetch.") || l.contains(" picocli."))
                    && l.contains("source: shared objects file"));
  }

  /**
   * A JDK home whose {@code java} first matches its arguments against {@code caseBranch} (one
   * branch of a shell {@code case}) and otherwise runs this JDK's java; with this JDK's release
   * file, so that the launcher keys its archive by it.
   */
  private Path fakeJdk(String caseBranch) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
    Files.copy(jdk.resolve("release"), bin.getParent().resolve("release"));
    Path java = bin.resolve("java");
    Files.writeString(
        java,
        "#!/bin/sh\ncase \"$*\" in "
            + caseBranch
            + " esac\nexec '"
            + jdk.resolve("bin/java")
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin.getParent();
  }

  private void assumeReleaseFile() {
    assumeTrue(
        Files.exists(jdk.resolve("release")),
        "the JDK at " + jdk + " has no release file, so the launcher makes no archive for it");
  }

  @Test
  void javaOpts_comeAfterTheDefaults_soTheUsersWin() throws Exception {
    Run r =
        launch(
            Map.of("MAILFETCH_ARCHIVE", "off", "JAVA_OPTS", "-Xmx1g -XX:+PrintFlagsFinal"),
            "--version");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("mailfetch "), r.out());
    assertTrue(r.out().matches("(?s).*\\bUseSerialGC\\s+= true.*"), "a default: serial GC");
    assertTrue(r.out().matches("(?s).*\\bInitialHeapSize\\s+= 8388608\\b.*"), "a default: -Xms8m");
    assertTrue(
        r.out().matches("(?s).*\\bUseOnStackReplacement\\s+= false\\b.*"), "a default: no OSR");
    assertTrue(
        r.out().matches("(?s).*\\bMaxHeapSize\\s+= 1073741824\\b.*"), "the user's -Xmx1g won");
    assertEquals(List.of(), archives(), "MAILFETCH_ARCHIVE=off makes none");
    if (Files.exists(jdk.resolve("release"))) {
      assertTrue(hasC2Options(r.out()), "a default where the JVM has C2: the node budget");
      assertTrue(
          r.out().matches("(?s).*\\bTier4InvocationThreshold\\s+= 50000\\b.*"),
          "a default where the JVM has C2: C2 compiles after ten times the calls");
      Run demo =
          launch(
              Map.of("MAILFETCH_ARCHIVE", "off", "JAVA_OPTS", "-XX:+PrintFlagsFinal"),
              "demo",
              "--help");
      assertEquals(0, demo.exit(), demo.err());
      assertTrue(
          demo.out().matches("(?s).*\\bMaxNodeLimit\\s+= 12000\\b.*")
              && demo.out().matches("(?s).*\\bTier4InvocationThreshold\\s+= 5000\\b.*")
              && demo.out().matches("(?s).*\\bUseOnStackReplacement\\s+= true\\b.*"),
          "the demo, which makes keys in long loops: the node budget, C2 at the JDK's"
              + " thresholds, on-stack replacement");
    }
  }

  /** Whether the flags printed by -XX:+PrintFlagsFinal hold the launcher's C2 options. */
  private static boolean hasC2Options(String flags) {
    return flags.matches("(?s).*\\bMaxNodeLimit\\s+= 12000\\b.*")
        && flags.matches("(?s).*\\bTier4CompileThreshold\\s+= 150000\\b.*");
  }

  @Test
  void anAnswerKeptForOtherC2Options_isAskedAgain() throws Exception {
    assumeReleaseFile();
    // The answer an older launcher kept for its options (then only the node budget).
    Run first = launch(Map.of("MAILFETCH_ARCHIVE", "off"), "--version");
    assertEquals(0, first.exit(), first.err());
    List<Path> answers = kept(".c2");
    assertEquals(1, answers.size(), answers.toString());
    Files.writeString(answers.get(0), "-XX:MaxNodeLimit=12000 -XX:NodeLimitFudgeFactor=300\n");
    Run again =
        launch(
            Map.of("MAILFETCH_ARCHIVE", "off", "JAVA_OPTS", "-XX:+PrintFlagsFinal"), "--version");
    assertEquals(0, again.exit(), again.err());
    assertTrue(hasC2Options(again.out()), "asked again, and this launcher's options used");
    assertTrue(Files.readString(answers.get(0)).contains("Tier4CompileThreshold=150000"));
    assertEquals(List.of(), leftovers());
  }

  @Test
  void aJvmWithoutC2_runsWithoutTheC2Options_andStillMakesItsArchive() throws Exception {
    assumeReleaseFile();
    // A JDK whose java refuses the C2 options as a Zero or minimal VM does, and runs the rest.
    jdk =
        fakeJdk(
            "*MaxNodeLimit*|*NodeLimitFudgeFactor*)\n"
                + "  echo \"Unrecognized VM option 'MaxNodeLimit=12000'\" >&2\n"
                + "  echo 'Error: Could not create the Java Virtual Machine.' >&2; exit 1;;");
    Run first = launch(Map.of(), "--version");
    assertEquals(0, first.exit(), first.err());
    assertTrue(first.out().startsWith("mailfetch "), first.out());
    assertEquals("", first.err());
    assertEquals(1, archives().size(), "the training ran without the budget: " + archives());
    Run again = launch(Map.of("JAVA_OPTS", "-XX:+PrintFlagsFinal"), "--version");
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().contains("mailfetch "), again.out());
    assertFalse(again.out().matches("(?s).*\\bMaxNodeLimit\\s+= 12000\\b.*"), "no budget");
    assertTrue(
        again.out().matches("(?s).*\\bTier4InvocationThreshold\\s+= 5000\\b.*"),
        "nor C2's later start");
    assertEquals(List.of(), leftovers());
  }

  @Test
  void theFirstRun_makesTheArchive_laterRunsUseIt_andAStaleOneIsMadeAgain() throws Exception {
    assumeReleaseFile();
    Run first = launch(Map.of(), "--version");
    assertEquals(0, first.exit(), first.err());
    assertTrue(first.out().startsWith("mailfetch "), "only the command's output: " + first.out());
    assertEquals("", first.err(), "the training run prints nothing");
    assertEquals(1, archives().size(), "one archive for this JDK: " + archives());
    assertEquals(List.of(), leftovers());

    Path log = tmp.resolve("classes.log");
    Run second = launch(Map.of("JAVA_OPTS", "-Xlog:class+load:file=" + log), "--version");
    assertEquals(0, second.exit(), second.err());
    assertTrue(commandClassFromArchive(log), "the second run loads the command from the archive");

    // A new build: the jar is newer than the archive, which must not be used but made again.
    Path archive = archives().get(0);
    Path jar = target.resolve("mailfetch.jar");
    FileTime old = FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000);
    Files.setLastModifiedTime(archive, old);
    Run stale = launch(Map.of(), "--version");
    assertEquals(0, stale.exit(), stale.err());
    assertEquals("", stale.err(), "no warning about the old archive");
    assertTrue(
        Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0,
        "made again after the new jar");
    assertEquals(List.of(), leftovers());
  }

  @Test
  void twoFirstRunsAtOnce_bothRun_andLeaveOneWholeArchive() throws Exception {
    assumeReleaseFile();
    Process a = start(Map.of(), "a", "--version");
    Process b = start(Map.of(), "b", "--version");
    assertTrue(a.waitFor(150, TimeUnit.SECONDS) && b.waitFor(150, TimeUnit.SECONDS));
    for (String n : new String[] {"a", "b"}) {
      assertTrue(read(n + ".out").startsWith("mailfetch "), n + ": " + read(n + ".out"));
      assertEquals("", read(n + ".err"), n);
    }
    assertEquals(0, a.exitValue());
    assertEquals(0, b.exitValue());
    assertEquals(1, archives().size(), archives().toString());
    assertEquals(List.of(), leftovers());
    Path log = tmp.resolve("classes.log");
    assertEquals(
        0, launch(Map.of("JAVA_OPTS", "-Xlog:class+load:file=" + log), "--version").exit());
    assertTrue(commandClassFromArchive(log), "the archive either run left is whole and used");
  }

  @Test
  void aFailingTrainingRun_isOneLineOnStderr_andTheCommandRunsWithoutAnArchive() throws Exception {
    assumeReleaseFile();
    // A JDK whose java fails whenever it is asked to make an archive, and runs everything else.
    jdk = fakeJdk("*ArchiveClassesAtExit*|*AOTCacheOutput*) exit 1;;");
    Run r = launch(Map.of(), "--version");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("mailfetch "), r.out());
    assertEquals(
        List.of("mailfetch: could not make the class archive; running without it"),
        r.err().lines().toList());
    assertEquals(List.of(), archives());
    assertEquals(List.of(), leftovers());
    Run again = launch(Map.of(), "--version");
    assertEquals(0, again.exit());
    assertEquals("", again.err(), "a failed training is not tried again before the next build");
  }

  @Test
  void aReadOnlyCheckout_runsWithoutAnArchive_silently() throws Exception {
    assumeReleaseFile();
    assumeFalse(
        "root".equals(System.getProperty("user.name")),
        "root may write into a read-only directory; the failing-training test covers the"
            + " fallback then");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      Run r = launch(Map.of(), "--version");
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().startsWith("mailfetch "), r.out());
      assertEquals("", r.err());
      assertEquals(List.of(), archives());
    } finally {
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void onJdk25_theAotCacheIsMadeAndUsed() throws Exception {
    Path home = jdk25();
    assumeTrue(
        home != null,
        "no JDK 25 in JAVA25_HOME or under /usr/lib/jvm: the AOT cache (JEPs 483/514/515) is not"
            + " tested here");
    jdk = home;
    Map<String, String> env = new HashMap<>();
    Run first = launch(env, "--version");
    assertEquals(0, first.exit(), first.err());
    assertEquals("", first.err());
    assertEquals(1, archives().size(), archives().toString());
    assertTrue(archives().get(0).toString().endsWith(".aot"), archives().toString());
    Path log = tmp.resolve("classes.log");
    env.put("JAVA_OPTS", "-Xlog:class+load:file=" + log);
    assertEquals(0, launch(env, "--version").exit());
    assertTrue(commandClassFromArchive(log), "the second run loads the command from the cache");
    assertFalse(Files.readString(log).isEmpty());
  }

  /**
   * A JDK 25 or later: JAVA25_HOME, else the first under /usr/lib/jvm whose release file says so
   * (the project's machines have Temurin 25 there beside the default JDK 17); null if none.
   */
  private static Path jdk25() throws IOException {
    String given = System.getenv().getOrDefault("JAVA25_HOME", "");
    if (!given.isEmpty()) {
      return Files.isExecutable(Path.of(given, "bin", "java")) ? Path.of(given) : null;
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return null;
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      for (Path home : homes.sorted().toList()) {
        Path release = home.resolve("release");
        if (Files.isExecutable(home.resolve("bin").resolve("java"))
            && Files.isRegularFile(release)) {
          for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
            if (line.startsWith("JAVA_VERSION=\"")) {
              String v = line.substring("JAVA_VERSION=\"".length()).replace("\"", "");
              String major = v.split("[.+-]", 2)[0];
              if (major.matches("[0-9]+") && Integer.parseInt(major) >= 25) {
                return home;
              }
            }
          }
        }
      }
    }
    return null;
  }
}
