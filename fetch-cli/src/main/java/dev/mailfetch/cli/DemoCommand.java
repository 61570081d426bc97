package dev.mailfetch.cli;

import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.Dedup;
import dev.mailfetch.dedup.DedupStore;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.dedup.LabelRules;
import dev.mailfetch.pop3.Pop3Source;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.sink.MaildirSink;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.TestCertificates;
import dev.mailfetch.testkit.TlsMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The one-minute tour: a POP3 server on loopback (the testkit's, over TLS with a certificate made
 * for it) serving generated mail, fetched into a Maildir with the durable state, twice.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a POP3 server on loopback with generated mail (8-bit text, lines starting with '.',"
          + " big attachments, a few duplicates), fetches it over TLS into a Maildir with progress shown, fetches"
          + " again to show nothing is downloaded twice, and shows a labelled message and a discarded duplicate."
    },
    footer = {
      "",
      "Examples:",
      "  mailfetch demo",
      "  mailfetch demo --dir /tmp/try-mailfetch --messages 500"
    })
final class DemoCommand implements Callable<Integer> {
  private static final String MARKER = ".mailfetch-demo";

  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      defaultValue = "demo-mail",
      paramLabel = "DIR",
      description =
          "Where the demo puts its Maildir and state (default: ${DEFAULT-VALUE}); a directory an"
              + " earlier demo made is replaced.")
  Path dir;

  @Option(
      names = "--messages",
      defaultValue = "500",
      paramLabel = "N",
      description = "How many messages the server holds (default: ${DEFAULT-VALUE}).")
  int messages;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (messages < 1 || messages > 100_000) {
      throw new ParameterException(
          spec.commandLine(), "--messages " + messages + ": must be from 1 to 100000");
    }
    prepare(dir);
    Path maildir = dir.resolve("Maildir");
    out.println(
        "Generating "
            + messages
            + " messages and starting a POP3 server on loopback (TLS, port chosen"
            + " by the system)...");
    // Only the one certificate the server presents, under a CA the client trusts: EC P-256 keys.
    TestCertificates certs = TestCertificates.generate(TestCertificates.Profile.VALID);
    MailCorpus corpus = MailCorpus.generate(2026, messages);
    String password = UUID.randomUUID().toString();
    try (FakePop3Server server =
        FakePop3Server.builder()
            .account("demo", password, corpus.toMailbox())
            .tls(TlsMode.IMPLICIT, certs)
            .pipelining(true)
            .start()) {
      FetchResult first = fetchFirst(out, server, certs, password, corpus, maildir);
      out.println();
      out.println(
          "2. Fetching again, as you would from a shell or cron: the state in "
              + dir.resolve("state")
              + " knows every message.");
      Path passwordFile = dir.resolve("password");
      writeOwnerOnly(passwordFile, password + "\n");
      Path caFile = certs.writeCaPem(dir);
      String[] fetch = {
        "fetch",
        "pop3s://demo@localhost:" + server.port(),
        "--password-file=" + passwordFile,
        "--ca-file=" + caFile,
        "--to=maildir:" + maildir,
        "--state=" + dir.resolve("state")
      };
      out.println("   mailfetch " + String.join(" ", fetch));
      out.flush();
      // The command itself, in this JVM: what a user types, and what the launcher's class archive
      // is trained on (docs/cli.md), not only the library calls of step 1.
      int again = Main.run(out, spec.commandLine().getErr(), Map.of(), fetch);

      out.println();
      out.println("3. What landed:");
      showLabelled(out, maildir.resolve(".Invoices"), "Invoices");
      showDuplicate(out, first);
      out.println();
      out.println(
          "Look around: "
              + maildir
              + " is an ordinary Maildir (mutt -f "
              + maildir
              + "), label folders are"
              + " its .Invoices and .Meetings, the state is in "
              + dir.resolve("state")
              + ".");
      out.println("Fetch your own mail: mailfetch fetch --help.");
      if (!first.ok()) {
        return first.firstError().map(e -> e.error().exitCode()).orElse(1);
      }
      return again;
    }
  }

  /** Step 1: the library's own calls, with labels and duplicates discarded. */
  private FetchResult fetchFirst(
      PrintWriter out,
      FakePop3Server server,
      TestCertificates certs,
      String password,
      MailCorpus corpus,
      Path maildir)
      throws IOException {
    try (MaildirSink sink = MaildirSink.open(maildir);
        JournalUidStore state =
            JournalUidStore.open(
                JournalUidStore.directoryFor(
                    dir.resolve("state"), AccountName.of("demo", "localhost", server.port())));
        DedupStore seen =
            DedupStore.open(dir.resolve("state").resolve("dedup"), DedupStore.Window.DEFAULT)) {
      out.printf(
          Locale.ROOT,
          "Server at pop3s://demo@localhost:%d, %s of mail; its certificate is checked against the"
              + " demo's own CA.%n",
          server.port(),
          Progress.size(corpus.totalBytes()));
      Pop3Source source =
          Pop3Source.builder()
              .host("localhost")
              .port(server.port())
              .security(Security.IMPLICIT_TLS)
              .sslContext(certs.clientContext())
              .user("demo")
              .password(() -> password)
              .build(); // the account's name by the library's rule, as the command names it
      boolean terminal = System.console() != null;
      Fetcher.Builder fetcher =
          Fetcher.builder()
              .source(source)
              .sink(sink)
              .uidStore(state)
              .retention(Retention.KEEP)
              .dedupPolicy(Dedup.byName("message-id+digest", seen))
              .labelPolicy(
                  LabelRules.builder()
                      .rule("Subject~invoice=Invoices")
                      .rule("Subject~meeting=Meetings")
                      .build());

      out.println();
      out.println(
          "1. Fetching into "
              + maildir
              + " (kept on the server, labels from rules on the Subject,"
              + " duplicates discarded by Message-ID and content):");
      FetchResult first = fetcher.listener(new Progress(out, terminal)).build().run();
      report(out, first);
      return first;
    }
  }

  /** The run's summary in fetch's own words, so that the demo shows what a fetch prints. */
  private static void report(PrintWriter out, FetchResult r) {
    out.println(TextReport.summary(r));
    r.firstError().ifPresent(e -> out.println("  error: " + e.error() + ": " + e.detail()));
  }

  private static void showLabelled(PrintWriter out, Path folder, String label) throws IOException {
    Optional<Path> one;
    try (Stream<Path> files =
        Files.exists(folder.resolve("new")) ? Files.list(folder.resolve("new")) : Stream.empty()) {
      one = files.sorted().findFirst();
    }
    if (one.isEmpty()) {
      out.println("   no message was labelled " + label + " this time");
      return;
    }
    String subject =
        Files.readAllLines(one.get(), StandardCharsets.UTF_8).stream()
            .filter(l -> l.startsWith("Subject:"))
            .findFirst()
            .orElse("Subject: (none)");
    out.println("   labelled " + label + ": " + one.get());
    out.println("      " + subject);
  }

  private static void showDuplicate(PrintWriter out, FetchResult r) {
    Optional<MessageOutcome> dup =
        r.outcomes().stream().filter(o -> o.kind() == MessageOutcome.Kind.DUPLICATE).findFirst();
    if (dup.isEmpty()) {
      out.println("   no duplicate in this mailbox");
      return;
    }
    MessageOutcome d = dup.get();
    out.println(
        "   discarded as a duplicate: message "
            + d.ref().number()
            + " ("
            + d.ref().uid()
            + "), "
            + d.duplicateReason()
            + "; the copy kept is "
            + d.duplicateOf().toString().substring(0, 12)
            + "... in the Maildir");
  }

  /** A secret's file, readable by its owner only where the file system has permissions. */
  private static void writeOwnerOnly(Path file, String text) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** A fresh demo directory; one an earlier demo made is replaced, anything else is left alone. */
  private void prepare(Path d) throws IOException {
    if (Files.exists(d)) {
      if (!Files.exists(d.resolve(MARKER))) {
        throw new ParameterException(
            spec.commandLine(),
            d.toAbsolutePath()
                + " exists and was"
                + " not made by the demo; choose another place with --dir, or remove it");
      }
      try (Stream<Path> walk = Files.walk(d)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    try {
      Files.createDirectories(d);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "--dir " + d + ": cannot create it (" + CreatedPlaces.why(e) + ")");
    }
    Files.writeString(
        d.resolve(MARKER), "made by mailfetch demo; the next demo replaces this directory\n");
  }
}
