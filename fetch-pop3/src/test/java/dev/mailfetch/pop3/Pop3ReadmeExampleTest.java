package dev.mailfetch.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.InMemorySink;
import dev.mailfetch.api.InMemoryUidStore;
import dev.mailfetch.api.Retention;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The POP3 example in README.md is this code, compiled and run against the fake server. */
class Pop3ReadmeExampleTest {

  @Test
  void theReadmePop3ExampleRuns_andTheReadmeShowsIt(@TempDir Path tmp) throws IOException {
    Path caFile = Pop3SourceTest.CERTS.writeCaPem(tmp);
    try (FakePop3Server server = FakePop3Server.builder().tls(TlsMode.IMPLICIT, Pop3SourceTest.CERTS)
        .account("alice@example.com", "from the environment", MailCorpus.generate(1, 5).toMailbox()).start()) {
      String host = "localhost";
      int port = server.port();
      java.util.function.Supplier<String> env = () -> "from the environment";
      // README-POP3-BEGIN
      Pop3Source source = Pop3Source.builder()
          .host(host).port(port)                       // implicit TLS (port 995 by default)
          .user("alice@example.com")
          .password(env)                               // e.g. () -> System.getenv("MAIL_PASSWORD")
          .trustPem(caFile)                            // only for a private CA; omit for public servers
          .build();

      FetchResult result = Fetcher.builder()
          .source(source)
          .sink(InMemorySink.create())
          .uidStore(InMemoryUidStore.create())
          .retention(Retention.DELETE_AFTER_DELIVERY)
          .build()
          .run();
      System.out.println(result.summary());
      // README-POP3-END
      assertTrue(result.ok(), result::summary);
      assertEquals(5, result.deleted());
    }
    String source = Files.readString(Path.of("src/test/java/dev/mailfetch/pop3/Pop3ReadmeExampleTest.java"),
        StandardCharsets.UTF_8);
    String body = source.substring(source.indexOf("// README-POP3-BEGIN\n") + 21, source.indexOf("      // README-POP3-END"));
    StringBuilder expected = new StringBuilder();
    for (String line : body.split("\n", -1)) {
      expected.append(line.length() >= 6 ? line.substring(6) : line.strip()).append('\n');
    }
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int at = readme.indexOf("<!-- pop3-example -->\n```java\n");
    assertTrue(at >= 0, "README.md has the POP3 example");
    String block = readme.substring(at + "<!-- pop3-example -->\n```java\n".length());
    block = block.substring(0, block.indexOf("```"));
    assertEquals(expected.toString().strip(), block.strip());
  }
}
