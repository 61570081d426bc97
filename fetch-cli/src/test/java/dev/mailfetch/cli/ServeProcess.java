package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mailfetch serve} in a JVM of its own, for the tests that need the JDK server's settings
 * their own way (it reads them once per JVM, and the test JVM has made other HTTP servers first):
 * started with {@code --listen 127.0.0.1:0}, its address read from what it prints; {@link #stop()}
 * stops it with SIGTERM, as a service manager does. (In the test's JVM: {@link ServeUnderTest}.)
 */
final class ServeProcess {
  final Process process;
  final URI base;
  private final Path err;

  /**
   * Starts {@code java JVM_OPTIONS -cp (this class path) Main serve --listen 127.0.0.1:0
   * SERVE_ARGS} with {@code env} added to the environment, its output in {@code dir}; waits up to
   * {@code startWithin} for its address.
   */
  static ServeProcess start(
      List<String> jvmOptions,
      List<String> serveArgs,
      Map<String, String> env,
      Path dir,
      Duration startWithin)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "serve",
            "--listen",
            "127.0.0.1:0"));
    cmd.addAll(serveArgs);
    Path out = dir.resolve("serve.out");
    Path err = dir.resolve("serve.err");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    return new ServeProcess(pb.start(), out, err, startWithin);
  }

  private ServeProcess(Process process, Path out, Path err, Duration startWithin)
      throws IOException, InterruptedException {
    this.process = process;
    this.err = err;
    Pattern serving = Pattern.compile("serving the accounts page on (http://\\S+)");
    long end = System.nanoTime() + startWithin.toNanos();
    URI found = null;
    while (found == null) {
      Matcher m = serving.matcher(Files.readString(out));
      if (m.find()) {
        found = URI.create(m.group(1));
      } else if (!process.isAlive() || System.nanoTime() > end) {
        process.destroyForcibly();
        fail("serve did not start: " + Files.readString(out) + said());
      } else {
        Thread.sleep(50);
      }
    }
    base = found;
  }

  /** The end of what serve wrote to its standard error (its log), for a failure's message. */
  String said() {
    try {
      String e = Files.readString(err);
      return e.length() > 3000 ? "…" + e.substring(e.length() - 3000) : e;
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** SIGTERM, then up to 40 s for serve to stop; whether it stopped by itself. */
  boolean stop() throws InterruptedException {
    process.destroy();
    boolean ended = process.waitFor(40, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly().waitFor();
    }
    return ended;
  }
}
