package dev.mailfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.testkit.MailCorpus;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * mutt reads what {@link MaildirSink} writes: every message of the inbox and of a label folder,
 * piped out by mutt itself, byte for byte. mutt has no batch mode, so it runs under {@code script}
 * (a pseudo-terminal) with keystrokes pushed at start. Skipped, with the reason, where mutt or
 * script is not installed ({@code .ci/run} installs mutt).
 *
 * <p>mutt runs in a world of its own: a private {@code HOME} with its {@code folder}, spool file,
 * mbox and temporary directory inside it, no inherited mail variables, and the C locale. On a fresh
 * machine mutt would otherwise ask "~/Mail does not exist. Create it?", and that prompt eats the
 * first pushed keystroke.
 */
@Timeout(120)
class MaildirMuttTest {
  private static final String ACCOUNT = "alice@mutt-test";
  @TempDir Path tmp;

  @Test
  void muttReadsEveryMessage_ofTheInboxAndOfALabelFolder_byteForByte() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/mutt")),
        "mutt is not installed here (Debian package mutt; .ci/run installs it)");
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/script")),
        "script (util-linux) is not installed here: mutt needs a terminal");
    Path maildir = tmp.resolve("Maildir");
    MailCorpus corpus = MailCorpus.generate(43, 40);
    Map<String, byte[]> inbox = new HashMap<>();
    Map<String, byte[]> work = new HashMap<>();
    try (MaildirSink sink = MaildirSink.open(maildir)) {
      int i = 0;
      for (MailCorpus.Message m : corpus.messages()) {
        byte[] lf = MailCorpus.toLf(m.content());
        boolean labelled = i++ % 4 == 0;
        Delivery d =
            sink.begin(
                new Envelope(
                    ACCOUNT, m.uid(), m.size(), labelled ? Set.of("Work") : Set.of(), false));
        d.write(ByteBuffer.wrap(lf));
        d.complete(DeliveryKey.of(ACCOUNT, m.uid()));
        inbox.put(m.uid(), lf);
        if (labelled) {
          work.put(m.uid(), lf);
        }
      }
      sink.sync();
    }
    assertReadsExactly(maildir, inbox);
    assertReadsExactly(maildir.resolve(".Work"), work);
  }

  /**
   * mutt pipes each message of {@code folder} to its own file; those must be the messages, each
   * once.
   */
  private void assertReadsExactly(Path folder, Map<String, byte[]> expected) throws Exception {
    Path out = Files.createDirectories(tmp.resolve("out-" + folder.getFileName()));
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path mail = Files.createDirectories(home.resolve("Mail"));
    Path rc = tmp.resolve("muttrc");
    Files.writeString(
        rc,
        "set folder=\""
            + mail
            + "\"\nset spoolfile=\""
            + folder
            + "\"\nset mbox=\""
            + mail
            + "/mbox\"\nset record=\"\"\nset tmpdir=\""
            + home
            + "\"\nset move=no\n"
            + "set pipe_split=yes\nset wait_key=no\nset sort=mailbox-order\nset pipe_decode=no\n");
    String keys =
        "<tag-pattern>~A<enter><tag-prefix><pipe-entry>cat > $(mktemp "
            + out
            + "/m.XXXXXX)<enter><quit>";
    String mutt = "mutt -n -F " + rc + " -R -f " + folder + " -e 'push \"" + keys + "\"'";
    ProcessBuilder pb =
        new ProcessBuilder("script", "-qec", mutt, "/dev/null")
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("screen-" + folder.getFileName()).toFile());
    Map<String, String> env = pb.environment();
    env.keySet()
        .removeIf(
            k ->
                k.startsWith("MAIL")
                    || k.startsWith("MUTT")
                    || k.startsWith("LC_")
                    || k.equals("LANG")
                    || k.equals("LANGUAGE")
                    || k.equals("EDITOR")
                    || k.equals("VISUAL"));
    env.put("HOME", home.toString());
    env.put("LC_ALL", "C");
    env.put("TERM", "vt100");
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "mutt ended");
    List<byte[]> piped = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        piped.add(Files.readAllBytes(f));
      }
    }
    assertEquals(expected.size(), piped.size(), "mutt saw every message of " + folder);
    Set<String> matched = new HashSet<>();
    for (byte[] got : piped) {
      String uid = null;
      for (Map.Entry<String, byte[]> e : expected.entrySet()) {
        byte[] withSep = Arrays.copyOf(e.getValue(), e.getValue().length + 1);
        withSep[withSep.length - 1] = '\n'; // mutt's pipe_sep after each message
        if (Arrays.equals(got, withSep)) {
          uid = e.getKey();
        }
      }
      assertTrue(uid != null, "a message mutt read is byte for byte one delivered to " + folder);
      assertTrue(matched.add(uid), "each once: " + uid);
    }
  }
}
