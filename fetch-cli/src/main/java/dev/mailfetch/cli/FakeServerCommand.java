package dev.mailfetch.cli;

import dev.mailfetch.testkit.FakeServerMain;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code mailfetch fake-server}: the testkit's misbehaving POP3 server on its own, for testing
 * another client against a quirk or a hostile case. The options are the testkit's ({@link
 * FakeServerMain}); {@code --mailbox maildir:DIR} is also accepted for {@code --maildir DIR}.
 */
@Command(
    name = "fake-server",
    description = {
      "Runs the testkit's POP3 server on its own, with named quirks or a hostile profile, to test"
          + " another client against it. Prints where it listens and, for TLS, the CA file to trust; stops on"
          + " Ctrl-C or after --max-sessions. Options: mailfetch fake-server --help."
    },
    footer = {
      "",
      "Examples:",
      "  PW=... mailfetch fake-server --tls implicit --user alice --password-env PW \\",
      "      --generate 200",
      "  mailfetch fake-server --port 1110 --quirk Q04_UNSTUFFED_LONE_DOT \\",
      "      --quirk Q12_BARE_OK --generate 50",
      "  mailfetch fake-server --profile N-05 --tls starttls"
    })
final class FakeServerCommand implements Callable<Integer> {
  @Unmatched List<String> args = new ArrayList<>();

  /** The environment, so that tests can give one. */
  Map<String, String> env = System.getenv();

  @Spec CommandSpec spec;

  /**
   * Where it prints (the testkit server writes to print streams); by default the command line's.
   */
  PrintStream out;

  PrintStream err;

  @Override
  public Integer call() {
    PrintStream o =
        out != null ? out : spec != null ? stream(spec.commandLine().getOut()) : System.out;
    PrintStream e =
        err != null ? err : spec != null ? stream(spec.commandLine().getErr()) : System.err;
    if (err == null && spec != null) {
      e = asTheCommand(spec.commandLine().getErr());
    }
    if (args.contains("--version") || args.contains("-V")) {
      for (String line : new Main.Version().getVersion()) {
        o.println(line);
      }
      return 0;
    }
    List<String> a = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--mailbox")
          && i + 1 < args.size()
          && args.get(i + 1).startsWith("maildir:")) {
        a.add("--maildir");
        a.add(args.get(++i).substring("maildir:".length()));
      } else if (arg.startsWith("--mailbox=maildir:")) {
        a.add("--maildir");
        a.add(arg.substring("--mailbox=maildir:".length()));
      } else {
        a.add(arg);
      }
    }
    try {
      return FakeServerMain.run(a.toArray(new String[0]), o, e, env);
    } catch (RuntimeException bug) {
      // Not the command's general advice for a bug: that names --verbose, which fake-server does
      // not take.
      Problem p = Problem.unexpected(bug);
      e.println("mailfetch: " + p.detail());
      e.println(
          "mailfetch fake-server failed in a way it does not expect (a bug); nothing is served."
              + " Report it with the command you ran and this output.");
      return p.exitCode();
    }
  }

  /**
   * The testkit names itself {@code fake-server}; here it is {@code mailfetch fake-server}, so its
   * words about bad arguments name what the reader can type ({@code mailfetch fake-server --help}).
   */
  private static PrintStream asTheCommand(PrintWriter w) {
    return stream(
        new PrintWriter(
            new Writer() {
              @Override
              public void write(char[] c, int off, int len) {
                String s = new String(c, off, len);
                w.write(
                    s.replace("Try 'fake-server --help'", "Try 'mailfetch fake-server --help'")
                        .replaceAll("(?m)^fake-server: ", "mailfetch: "));
              }

              @Override
              public void flush() {
                w.flush();
              }

              @Override
              public void close() {
                w.flush();
              }
            }));
  }

  /** A print stream onto a writer (the server prints whole lines, flushed). */
  private static PrintStream stream(PrintWriter w) {
    return new PrintStream(
        new OutputStream() {
          private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

          @Override
          public synchronized void write(int b) {
            pending.write(b);
          }

          @Override
          public synchronized void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
          }

          @Override
          public synchronized void flush() {
            w.write(pending.toString(StandardCharsets.UTF_8));
            w.flush();
            pending.reset();
          }
        },
        true,
        StandardCharsets.UTF_8);
  }
}
