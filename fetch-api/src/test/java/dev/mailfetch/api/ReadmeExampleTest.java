package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example in README.md is this code, compiled and run: the two cannot drift apart. */
class ReadmeExampleTest {

  private final List<String> printed = new ArrayList<>();

  private final TestMailbox mailbox = new Rig().withMessages(3).mailbox;

  /** Stands in for a POP3 account: the README example works with any {@link FetchSource}. */
  private FetchSource source() {
    return mailbox.source("alice@pop.example.com");
  }

  private FetchResult example() {
    FetchSource source = source();
    // spotless:off
    // README-BEGIN
    MessageSink sink = InMemorySink.create();          // in memory: for tests and trying things out
    Fetcher fetcher = Fetcher.builder()
        .source(source)
        .sink(sink)
        .uidStore(InMemoryUidStore.create())
        .retention(Retention.KEEP)                     // the default: nothing is deleted from the server
        .listener(new FetchListener() {
          @Override
          public void messageFinished(MessageOutcome outcome) {
            System.out.println(outcome.describe());
          }
        })
        .build();

    FetchResult result = fetcher.run();
    System.out.println(result.status() + ": " + result.summary());
    for (FetchException warning : result.warnings()) {
      System.err.println(warning.getMessage() + "\n  " + warning.remedy().library());
    }
    result.firstError().ifPresent(e -> System.err.println(e.getMessage() + "\n  " + e.remedy().library()));
    // README-END
    // spotless:on
    printed.add(result.summary());
    return result;
  }

  @Test
  void theReadmeExampleRuns_andLeavesTheMailOnTheServer() {
    FetchResult result = example();
    assertTrue(result.ok(), result::summary);
    assertEquals(FetchResult.Status.OK, result.status());
    assertEquals(3, result.count(MessageOutcome.Kind.DELIVERED));
    assertEquals(
        0, result.deleted(), "an example a reader may paste with a real account deletes nothing");
    assertEquals(3, mailbox.messages().size(), "every message is still on the server");
  }

  @Test
  void theReadmeShowsExactlyThisExample() throws IOException {
    String source =
        Files.readString(
            Path.of("src/test/java/dev/mailfetch/api/ReadmeExampleTest.java"),
            StandardCharsets.UTF_8);
    String body =
        source.substring(
            source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
            source.indexOf("    // README-END"));
    StringBuilder expected = new StringBuilder();
    for (String line : body.split("\n", -1)) {
      expected.append(line.length() >= 4 ? line.substring(4) : line.strip()).append('\n');
    }
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    String opening = "<!-- engine-example -->\n```java\n";
    assertTrue(readme.contains(opening), "README.md marks the engine example");
    String block = readme.substring(readme.indexOf(opening) + opening.length());
    block = block.substring(0, block.indexOf("```"));
    assertEquals(
        expected.toString().strip(),
        block.strip(),
        "README.md's java block must equal the code between README-BEGIN and README-END here");
  }
}
