package dev.mailfetch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * {@code mailfetch doctor}, run for the serve page in a JVM of its own, so that giving it up ends
 * it. In the serve's own JVM an examination blocked on a server that accepts and never answers
 * could not be stopped: a blocking socket read ignores an interrupt (Java 17), and the sockets are
 * the library's. Ending the process closes every connection it holds at once; the doctor's report
 * is its output, as the command prints it. The cost, a JVM's start (about a second), is small next
 * to an examination, which is started by a person pressing a button.
 */
final class DoctorProcess {
  private DoctorProcess() {}

  /** The most of the report kept; a doctor's report is a few kB. */
  static final int MOST_BYTES = 256 * 1024;

  /**
   * Runs {@code mailfetch doctor ARGS} with the environment {@code env} (the secrets' variables
   * among them: never on a command line) and returns what it printed, its exit code said when not
   * 0. An interrupt (the page's {@code --doctor-time} ran out, or serve stops) ends the process and
   * is thrown on.
   */
  static String run(List<String> doctorArgs, Map<String, String> env)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // a short-lived command: start fast, stay small (as the launcher's own options)
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx64m"));
    // The JVM's options in a file of the owner's (java @FILE): a trust store's password among
    // them is on no command line.
    Path options = null;
    Path out = null;
    try {
      options = Files.createTempFile("mailfetch-doctor-", ".options"); // owner only
      out = Files.createTempFile("mailfetch-doctor-", ".txt");
      Files.write(options, jvmOptions(System.getProperties()), StandardCharsets.UTF_8);
      cmd.add("@" + options);
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
      cmd.addAll(doctorArgs);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.redirectOutput(out.toFile());
      pb.environment().clear();
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close(); // the doctor asks nothing
      int exit;
      try {
        exit = p.waitFor();
      } catch (InterruptedException e) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS); // its sockets are closed once it is gone
        throw e;
      }
      byte[] text = Files.readAllBytes(out);
      String report =
          new String(text, 0, Math.min(text.length, MOST_BYTES), StandardCharsets.UTF_8);
      return report + (exit == 0 ? "" : "\n(doctor's exit code: " + exit + ")");
    } finally {
      for (Path f : new Path[] {out, options}) {
        if (f != null) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  /**
   * The system properties of serve's JVM that decide how the doctor's connections are made, as
   * {@code -D} options, one a line, quoted for a {@code java @FILE}: which CAs and client
   * certificate serve uses ({@code javax.net.ssl.*}), its TLS settings ({@code jdk.tls.*}), IPv4 or
   * IPv6 first, a SOCKS proxy. No others: a JMX port or a log level of serve's would make the
   * doctor's JVM fail to start or its report differ.
   */
  static List<String> jvmOptions(Properties serve) {
    List<String> lines = new ArrayList<>();
    // the report is read back as UTF-8, whatever the locale serve runs under (a service often has
    // none: the marks would come back as "?")
    lines.add(quoted("-Dfile.encoding=UTF-8"));
    for (String name : new TreeSet<>(serve.stringPropertyNames())) {
      if (FORWARDED.stream().anyMatch(name::startsWith)) {
        lines.add(quoted("-D" + name + "=" + serve.getProperty(name)));
      }
    }
    return lines;
  }

  private static final List<String> FORWARDED =
      List.of(
          "javax.net.ssl.",
          "jdk.tls.",
          "com.sun.net.ssl.",
          "java.net.preferIPv4Stack",
          "java.net.preferIPv6Addresses",
          "socksProxyHost",
          "socksProxyPort",
          "socksProxyVersion",
          "socksNonProxyHosts",
          "java.net.socks.");

  /** One argument of a {@code java @FILE}: in double quotes, its backslashes and quotes escaped. */
  private static String quoted(String argument) {
    return "\"" + argument.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
