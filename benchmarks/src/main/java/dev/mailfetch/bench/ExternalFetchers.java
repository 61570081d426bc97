package dev.mailfetch.bench;

import dev.mailfetch.testkit.PrivateDovecot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The other IMAP fetchers, each run as the whole process a user runs, under {@code /usr/bin/time}
 * (its line printed), fetching Dovecot's INBOX over plain IMAP on loopback into a fresh Maildir,
 * keeping the mail on the server: {@code mbsync} (Debian package isync), {@code offlineimap}
 * (offlineimap3), {@code getmail} (getmail6), and mailfetch's own command ({@code mailfetch fetch
 * imap://…}). Not installed by the project: {@code apt-get install isync offlineimap3 getmail6} for
 * the benchmark only. Each writes its configuration into the shot's folder (the test password only:
 * a private Dovecot's).
 */
final class ExternalFetchers {
  private ExternalFetchers() {}

  static boolean installed(String tool) {
    return Files.isExecutable(Path.of("/usr/bin", tool));
  }

  /** Runs {@code tool} into a Maildir under {@code dest}; returns that Maildir. */
  static Path run(String tool, int port, Path dest) throws Exception {
    String pw = PrivateDovecot.PASSWORD;
    Path maildir = dest.resolve("Maildir");
    List<String> command;
    switch (tool) {
      case "mbsync" -> {
        Path rc = dest.resolve("mbsyncrc");
        Files.writeString(
            rc,
            String.join(
                "\n",
                "IMAPAccount bench",
                "Host 127.0.0.1",
                "Port " + port,
                "User " + PrivateDovecot.USER,
                "Pass \"" + pw + "\"",
                "SSLType None",
                "AuthMechs LOGIN",
                "",
                "IMAPStore remote",
                "Account bench",
                "",
                "MaildirStore local",
                "Path " + dest + "/",
                "Inbox " + maildir,
                "",
                "Channel bench",
                "Far :remote:",
                "Near :local:",
                "Patterns INBOX",
                "Sync Pull",
                "Create Near",
                "SyncState *",
                ""));
        command = List.of("mbsync", "-q", "-c", rc.toString(), "bench");
      }
      case "offlineimap" -> {
        Path rc = dest.resolve("offlineimaprc");
        Files.writeString(
            rc,
            String.join(
                "\n",
                "[general]",
                "accounts = bench",
                "metadata = " + dest.resolve("meta"),
                "",
                "[Account bench]",
                "localrepository = local",
                "remoterepository = remote",
                "",
                "[Repository local]",
                "type = Maildir",
                "localfolders = " + dest.resolve("mail"),
                "",
                "[Repository remote]",
                "type = IMAP",
                "remotehost = 127.0.0.1",
                "remoteport = " + port,
                "remoteuser = " + PrivateDovecot.USER,
                "remotepass = " + pw,
                "ssl = no",
                "starttls = no",
                "readonly = True",
                "folderfilter = lambda f: f == 'INBOX'",
                ""));
        command = List.of("offlineimap", "-c", rc.toString(), "-o", "-u", "quiet");
        maildir = dest.resolve("mail").resolve("INBOX");
      }
      case "getmail" -> {
        // getmail refuses to deliver as root: as root it delivers as "nobody", into a Maildir
        // that user may write.
        for (String d : List.of("tmp", "new", "cur")) {
          Files.createDirectories(maildir.resolve(d));
          Files.setPosixFilePermissions(
              maildir.resolve(d),
              java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Path rc = dest.resolve("getmailrc");
        Files.writeString(
            rc,
            String.join(
                "\n",
                "[retriever]",
                "type = SimpleIMAPRetriever",
                "server = 127.0.0.1",
                "port = " + port,
                "username = " + PrivateDovecot.USER,
                "password = " + pw,
                "mailboxes = (\"INBOX\",)",
                "",
                "[destination]",
                "type = Maildir",
                "path = " + maildir + "/",
                "user = nobody",
                "",
                "[options]",
                "read_all = true",
                "delete = false",
                "verbose = 0",
                ""));
        command = List.of("getmail", "--rcfile", rc.toString(), "--getmaildir", dest.toString());
      }
      default -> throw new IllegalArgumentException("no row " + tool);
    }
    timed(command, dest);
    return maildir;
  }

  /**
   * mailfetch's whole command: {@code mailfetch fetch imap://alice@127.0.0.1:port/INBOX --to
   * maildir:…}, keep mode, a fresh state folder, the password from the environment.
   */
  static Path cli(Path jar, int port, Path dest) throws Exception {
    Path maildir = dest.resolve("Maildir");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            jar.toString(),
            "fetch",
            "imap://" + PrivateDovecot.USER + "@127.0.0.1:" + port + "/INBOX",
            "--tls",
            "none",
            "--allow-plaintext-auth",
            "--password-env",
            "BENCH_IMAP_PW",
            "--to",
            "maildir:" + maildir,
            "--state",
            dest.resolve("state").toString(),
            "--dedup",
            "none",
            "--quiet");
    timed(command, dest);
    return maildir;
  }

  private static void timed(List<String> command, Path dest) throws Exception {
    Path log = dest.resolve("run.log");
    List<String> full =
        new java.util.ArrayList<>(
            List.of(
                "/usr/bin/time",
                "-f",
                "time: %e s elapsed, %U s user, %S s system, %M KB max RSS"));
    full.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("BENCH_IMAP_PW", PrivateDovecot.PASSWORD);
    pb.environment().put("HOME", dest.toString()); // no user's own configuration is read
    int exit = pb.start().waitFor();
    String out = Files.readString(log, StandardCharsets.UTF_8);
    if (exit != 0) {
      throw new IOException(command.get(0) + " failed (exit " + exit + "): " + out);
    }
    for (String line : out.split("\n")) {
      if (line.startsWith("time:")) {
        String name = Path.of(command.get(0)).getFileName().toString();
        System.out.println("  " + (name.startsWith("python") ? "getmail" : name) + " " + line);
      }
    }
  }
}
