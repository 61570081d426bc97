package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mailfetch.testkit.FakePop3Server;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A {@code mailfetch serve} running in the test's JVM on a free loopback port, its schedule an hour
 * apart so that only the start's round and the checks a test asks for run; {@link #close()} stops
 * it as SIGTERM would and asserts it stopped cleanly.
 */
final class ServeUnderTest implements AutoCloseable {
  final ServeCommand command = new ServeCommand();
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final URI base;
  private final Thread thread;
  private final AtomicInteger exit = new AtomicInteger(-1);

  /** Starts serve with {@code --config config --listen 127.0.0.1:0} and {@code more}. */
  static ServeUnderTest start(Map<String, String> env, Path config, String... more)
      throws InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--config",
                config.toString(),
                "--listen",
                "127.0.0.1:0",
                "--min-interval",
                "30m",
                "--max-interval",
                "60m"));
    args.addAll(List.of(more));
    return new ServeUnderTest(env, args.toArray(new String[0]));
  }

  private ServeUnderTest(Map<String, String> env, String... args) throws InterruptedException {
    command.env = env;
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    thread = new Thread(() -> exit.set(cl.execute(args)), "serve-under-test");
    thread.start();
    Pattern p = Pattern.compile("serving the accounts page on (http://\\S+)");
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Matcher m = p.matcher(out.toString());
      if (m.find()) {
        base = URI.create(m.group(1));
        break;
      }
      if (!thread.isAlive() || System.nanoTime() > end) {
        fail("serve did not start: " + out + err);
      }
      Thread.sleep(20);
    }
  }

  /** The page's address of {@code path} ("/", "/accounts/alice"). */
  String url(String path) {
    return base.resolve(path).toString();
  }

  /** An account of the config file on a fake POP3 server, no TLS (loopback). */
  static String account(String name, FakePop3Server s, String user, String pw, Path to) {
    return String.join(
        "\n",
        name + ".url = pop3://" + user + "@127.0.0.1:" + s.port(),
        name + "." + pw,
        name + ".tls = none",
        name + ".allow-plaintext-auth = true",
        name + ".to = maildir:" + to);
  }

  @Override
  public void close() {
    command.stop.countDown();
    try {
      thread.join(40_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted while stopping serve");
    }
    assertEquals(0, exit.get(), "stopped: " + out + err);
  }
}
