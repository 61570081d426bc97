package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The doctor that serve runs in a JVM of its own gets serve's connection settings (trust store,
 * TLS, IPv4/IPv6, SOCKS) and no others, through a {@code java @FILE} of the owner's, so that a
 * trust store's password is on no command line; read back by a real JVM.
 */
@Timeout(60)
class DoctorProcessTest {
  @TempDir Path tmp;

  @Test
  void servesConnectionSettings_reachTheDoctorsJvm_exactly_andNothingElse() throws Exception {
    Properties serve = new Properties();
    serve.setProperty("javax.net.ssl.trustStore", tmp.resolve("a dir/trust store.p12").toString());
    serve.setProperty("javax.net.ssl.trustStorePassword", "pa ss\"wo\\rd");
    serve.setProperty("jdk.tls.client.protocols", "TLSv1.3");
    serve.setProperty("java.net.preferIPv6Addresses", "true");
    serve.setProperty("com.sun.management.jmxremote.port", "9010"); // the child would fail to bind
    serve.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "trace"); // would change the report
    List<String> lines = DoctorProcess.jvmOptions(serve);
    assertFalse(String.join("\n", lines).contains("jmxremote"), lines.toString());
    assertFalse(String.join("\n", lines).contains("simpleLogger"), lines.toString());

    Path file = tmp.resolve("options");
    Files.write(file, lines, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + file,
                "-XshowSettings:properties",
                "-version")
            .redirectErrorStream(true)
            .start();
    String shown = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), shown);
    for (String name :
        List.of(
            "javax.net.ssl.trustStore",
            "javax.net.ssl.trustStorePassword",
            "jdk.tls.client.protocols",
            "java.net.preferIPv6Addresses")) {
      assertTrue(
          shown.contains("    " + name + " = " + serve.getProperty(name) + "\n"),
          name + " as serve has it: " + shown);
    }
    assertTrue(shown.contains("    file.encoding = UTF-8\n"), shown);
  }

  @Test
  void theDoctorsJvm_startsWithItsOptionsFile_andLeavesNoneBehind() throws Exception {
    String before = String.join(",", leftovers());
    String report = DoctorProcess.run(List.of("--version"), Map.of());
    assertTrue(report.startsWith("mailfetch "), report);
    assertEquals(before, String.join(",", leftovers()), "its options and output files removed");
  }

  private static List<String> leftovers() throws Exception {
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith("mailfetch-doctor-"))
          .sorted()
          .toList();
    }
  }
}
