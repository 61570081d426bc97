package dev.mailfetch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    // the report is read back as UTF-8, whatever the locale serve runs under (a service often has
    // none: the marks would come back as "?")
    cmd.add("-Dfile.encoding=UTF-8");
    for (String p : List.of("javax.net.ssl.trustStore", "javax.net.ssl.trustStoreType")) {
      String v = System.getProperty(p);
      if (v != null) {
        cmd.add("-D" + p + "=" + v); // which CAs this serve trusts; never a password
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(doctorArgs);
    Path out = Files.createTempFile("mailfetch-doctor-", ".txt"); // owner only
    try {
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
      Files.deleteIfExists(out);
    }
  }
}
