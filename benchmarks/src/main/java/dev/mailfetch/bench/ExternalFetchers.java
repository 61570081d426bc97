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
        openToNobody(dest, maildir);
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
        command = getmail(rc, dest);
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
            jar.toAbsolutePath().toString(), // the shell runs it from the shot's folder
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

  /**
   * getmail as the benchmarks run it, with {@code rc} and its state in {@code getmaildir}: getmail6
   * loses the SIGCHLD of a delivery child that exits early and then waits 180 s
   * (benchmarks/getmail-waitpid.py says how): by default it runs with that wait replaced by
   * waitpid; -Dgetmail=plain runs it as installed.
   */
  static List<String> getmail(Path rc, Path getmaildir) {
    List<String> command = new java.util.ArrayList<>();
    if ("plain".equals(System.getProperty("getmail"))) {
      command.add("getmail");
    } else {
      command.addAll(
          List.of(
              "/usr/bin/python3",
              Path.of("benchmarks/getmail-waitpid.py").toAbsolutePath().toString()));
    }
    command.addAll(List.of("--rcfile", rc.toString(), "--getmaildir", getmaildir.toString()));
    return command;
  }

  /**
   * getmail refuses to deliver as root: as root it delivers as "nobody", into a Maildir that user
   * may write, below folders it may read (the shot's and the work folder are created 0700).
   */
  static void openToNobody(Path dest, Path maildir) throws IOException {
    for (Path d : List.of(dest.getParent(), dest)) {
      Files.setPosixFilePermissions(
          d, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    for (String d : List.of("tmp", "new", "cur")) {
      Files.createDirectories(maildir.resolve(d));
      Files.setPosixFilePermissions(
          maildir.resolve(d), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    }
  }

  /**
   * CPU seconds (user + system) of the last command run through the shell ({@code -Dshell}), which
   * the JVM's own {@code /proc} figures cannot see: not its child. NaN when it ran as the JVM's
   * child (counted there).
   */
  static double lastShellCpu = Double.NaN;

  private static void timed(List<String> command, Path dest) throws Exception {
    String shell = System.getProperty("shell");
    if (shell != null) {
      throughShell(Path.of(shell), command, dest);
      return;
    }
    lastShellCpu = Double.NaN;
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

  /**
   * Runs {@code command} as a child of the shell that serves {@code dir} ({@code
   * benchmarks/imap-source-shell.sh}), not of this JVM: getmail's delivery children are never
   * reaped under a JVM parent (docs/benchmarks.md). The command goes as a script {@code
   * dir/cmd.sh}; a line on the fifo {@code dir/request} starts it under {@code /usr/bin/time -v}
   * and the exit status comes back on {@code dir/reply} (both fifos block, so the time measured
   * here is the command's, plus two fifo writes).
   */
  private static void throughShell(Path dir, List<String> command, Path dest) throws Exception {
    Timing t = throughShell(dir, command, dest, java.util.Map.of());
    java.util.Map<String, String> v = t.fields();
    double user = t.user();
    double system = t.system();
    lastShellCpu = user + system;
    String name = Path.of(command.get(0)).getFileName().toString();
    System.out.printf(
        java.util.Locale.ROOT,
        "  %s from the shell: %s elapsed, %.2f s user, %.2f s system, %s KB max RSS,"
            + " %s voluntary and %s involuntary context switches%n",
        name.equals("java") ? "cliImap" : name.startsWith("python") ? "getmail" : name,
        v.get("Elapsed (wall clock) time (h:mm:ss or m:ss)"),
        user,
        system,
        v.get("Maximum resident set size (kbytes)"),
        v.get("Voluntary context switches"),
        v.get("Involuntary context switches"));
  }

  /**
   * What {@code /usr/bin/time -v} said of one command run by the shell: wall seconds, user and
   * system CPU seconds, peak RSS in KiB, and every field by its name.
   */
  record Timing(
      double wall, double user, double system, long rssKb, java.util.Map<String, String> fields) {
    double cpu() {
      return user + system;
    }
  }

  /**
   * Runs {@code command} in {@code dest} as a child of the shell that serves {@code dir} (the fifos
   * of benchmarks/run.sh), with HOME set to {@code dest}, the test password in {@code
   * BENCH_IMAP_PW} and {@code env} exported besides; throws when it exits other than 0, with its
   * output. Returns its timing.
   */
  static Timing throughShell(
      Path dir, List<String> command, Path dest, java.util.Map<String, String> env)
      throws Exception {
    StringBuilder script = new StringBuilder("#!/bin/sh\ncd ").append(quote(dest.toString()));
    script.append("\nexport HOME=").append(quote(dest.toString())); // no user's configuration
    script.append(" BENCH_IMAP_PW=").append(quote(PrivateDovecot.PASSWORD));
    for (java.util.Map.Entry<String, String> e : new java.util.TreeMap<>(env).entrySet()) {
      script.append(' ').append(e.getKey()).append('=').append(quote(e.getValue()));
    }
    script.append("\nexec");
    for (String arg : command) {
      script.append(' ').append(quote(arg));
    }
    Path log = dest.resolve("run.log");
    Path time = dest.resolve("time.txt");
    Files.writeString(dir.resolve("cmd.sh"), script.append('\n'));
    Files.writeString(dir.resolve("request"), log + " " + time + "\n");
    String exit = Files.readString(dir.resolve("reply"), StandardCharsets.US_ASCII).strip();
    String out = Files.readString(log, StandardCharsets.UTF_8);
    String timing = Files.readString(time, StandardCharsets.UTF_8);
    if (!exit.equals("0")) {
      throw new IOException(command.get(0) + " failed (exit " + exit + "): " + out + timing);
    }
    java.util.Map<String, String> v = new java.util.HashMap<>();
    for (String line : timing.split("\n")) {
      int colon = line.lastIndexOf(": ");
      if (colon > 0) {
        v.put(line.substring(0, colon).strip(), line.substring(colon + 2).strip());
      }
    }
    double wall = Double.NaN;
    String elapsed = v.get("Elapsed (wall clock) time (h:mm:ss or m:ss)");
    if (elapsed != null) {
      wall = 0;
      for (String part : elapsed.split(":")) { // m:ss.ss or h:mm:ss
        wall = wall * 60 + Double.parseDouble(part);
      }
    }
    return new Timing(
        wall,
        Double.parseDouble(v.getOrDefault("User time (seconds)", "NaN")),
        Double.parseDouble(v.getOrDefault("System time (seconds)", "NaN")),
        Long.parseLong(v.getOrDefault("Maximum resident set size (kbytes)", "-1")),
        v);
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
