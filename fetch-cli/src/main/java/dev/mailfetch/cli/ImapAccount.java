package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Retention;
import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.imap.ImapDeletion;
import dev.mailfetch.imap.ImapDoctor;
import dev.mailfetch.imap.ImapFolders;
import dev.mailfetch.imap.ImapLimits;
import dev.mailfetch.imap.ImapSecurity;
import dev.mailfetch.imap.ImapSource;
import dev.mailfetch.pop3.Security;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of an IMAP account ({@code imaps://} and {@code imap://} URLs) that POP3 has not:
 * which folders, and what deleting from the server means there; and the one place that turns them,
 * with the server options ({@link ServerOptions}: TLS, CA file, secrets, timeout), into an {@link
 * ImapSource} or an {@link ImapDoctor}.
 */
final class ImapAccount {
  @Option(
      names = "--folder",
      paramLabel = "NAME",
      description =
          "IMAP: a folder to fetch from (repeatable; default INBOX, or the URL's /FOLDER). A"
              + " sub-folder is written with the server's delimiter (Lists/java or Lists.java).")
  List<String> folders = new ArrayList<>();

  @Option(
      names = "--all-folders",
      description =
          "IMAP: fetch from every folder but Trash, Sent and Drafts (found by SPECIAL-USE, else by"
              + " their usual names); Junk is labelled as spam.")
  boolean allFolders;

  @Option(
      names = "--on-server",
      paramLabel = "WHAT",
      description =
          "IMAP: what happens on the server to mail that is safely stored: keep (the default:"
              + " nothing changes), seen (marked \\Seen), trash (moved to Trash), move=FOLDER, or"
              + " expunge (deleted: what --delete does on IMAP). With --keep-days N (fetch, poll): N"
              + " days after.")
  String onServer;

  /**
   * The state name of an IMAP account: {@code imap:user@host}, {@code :port} where not 993/143; the
   * library's default for an {@link ImapSource} ({@link ImapSource#accountName}), so that a program
   * and the command keep one state for one mailbox.
   */
  static String name(String user, String typedHost, int port) {
    return ImapSource.accountName(user, typedHost, port);
  }

  /** The account's state: its name and directory under {@code root}. */
  static AccountName.State state(Path root, ServerOptions.Account a) {
    String account = name(a.user(), a.host(), a.port());
    return new AccountName.State(
        account, JournalUidStore.directoryFor(root, account), false, Optional.empty());
  }

  /** The option among these that was given, or null. */
  String given() {
    return !folders.isEmpty()
        ? "--folder"
        : allFolders ? "--all-folders" : onServer != null ? "--on-server" : null;
  }

  /** Refuses these options for a POP3 account, which has one mailbox and deletes with DELE. */
  void refuseForPop3(CommandSpec spec) {
    String g = given();
    if (g != null) {
      throw new ParameterException(
          spec.commandLine(),
          g
              + " is for IMAP accounts (imaps://user@host or imap://user@host): POP3 has one mailbox,"
              + " and --delete deletes there");
    }
  }

  /** The folders to read: the URL's, --folder's, --all-folders, or INBOX. */
  ImapFolders folders(CommandSpec spec, String urlFolder) {
    if (allFolders && (urlFolder != null || !folders.isEmpty())) {
      throw bad(
          spec,
          "--all-folders and "
              + (urlFolder != null ? "the URL's folder /" + urlFolder : "--folder")
              + " contradict each other: choose one");
    }
    if (urlFolder != null && !folders.isEmpty()) {
      throw bad(
          spec,
          "the URL names the folder "
              + urlFolder
              + " and --folder names others: give the folders one way (--folder, repeatable)");
    }
    try {
      if (allFolders) {
        return ImapFolders.allExceptTrashSentDrafts();
      }
      if (urlFolder != null) {
        return ImapFolders.named(urlFolder);
      }
      return folders.isEmpty() ? ImapFolders.inbox() : ImapFolders.named(folders);
    } catch (IllegalArgumentException e) {
      throw bad(spec, "--folder: " + e.getMessage());
    }
  }

  /** What the engine's deletion means on the server (--on-server), and whether one was chosen. */
  ImapDeletion deletion(CommandSpec spec) {
    if (onServer == null) {
      return ImapDeletion.EXPUNGE;
    }
    String v = onServer.strip();
    String low = v.toLowerCase(Locale.ROOT);
    if (low.startsWith("move=")) {
      String folder = v.substring("move=".length());
      if (folder.isEmpty()) {
        throw bad(spec, "--on-server move=FOLDER needs the folder, for example move=Archive");
      }
      try {
        return ImapDeletion.moveTo(folder);
      } catch (IllegalArgumentException e) {
        throw bad(spec, "--on-server " + v + ": " + e.getMessage());
      }
    }
    return switch (low) {
      case "keep", "expunge" -> ImapDeletion.EXPUNGE;
      case "seen" -> ImapDeletion.MARK_SEEN;
      case "trash" -> ImapDeletion.TRASH;
      default ->
          throw bad(
              spec,
              "--on-server "
                  + v
                  + " is not a choice: use keep, seen, trash, move=FOLDER or expunge");
    };
  }

  /**
   * The retention for an IMAP account: --on-server other than keep deletes (in its sense) once a
   * message is safely stored, or with --keep-days N after N days; --on-server keep, --keep or none
   * keeps.
   */
  Retention retention(CommandSpec spec, FetchCommand.Keeping keeping, Retention fromKeeping) {
    deletion(spec); // its own errors first
    if (onServer == null) {
      return fromKeeping;
    }
    boolean keep = onServer.strip().equalsIgnoreCase("keep");
    if (keeping != null && (keeping.keep ? !keep : keep)) {
      throw bad(
          spec,
          "--on-server "
              + onServer
              + " and "
              + (keeping.keep ? "--keep" : keeping.delete ? "--delete" : "--keep-days")
              + " contradict each other: choose one");
    }
    if (keep) {
      return Retention.KEEP;
    }
    return keeping == null ? Retention.DELETE_AFTER_DELIVERY : fromKeeping;
  }

  /** The source these options and {@code server}'s describe, its state kept under {@code name}. */
  static ImapSource source(
      ServerOptions server,
      ImapAccount imap,
      ServerOptions.Account a,
      String name,
      Map<String, String> env,
      CommandSpec spec,
      String urlFolder,
      long largestMessage)
      throws FetchException {
    refusePop3Options(server, spec);
    ImapFolders folders = imap.folders(spec, urlFolder);
    ServerOptions.Credential c = server.credential(a, env, spec);
    if (server.secret == null) {
      throw bad(
          spec,
          "no secret given: use --password-env NAME or --password-file FILE (or --oauth-grant-file,"
              + " --oauth-token-env, --oauth-token-file); secrets never go on the command line");
    }
    ImapSource.Builder b;
    try {
      b =
          ImapSource.builder()
              .host(a.host())
              .port(a.port())
              .security(security(a))
              .user(a.user())
              .allowPlaintextAuthentication(server.allowPlaintext)
              .account(name)
              .deletion(imap.deletion(spec))
              .limits(limits(server.timeout, largestMessage));
    } catch (IllegalArgumentException e) {
      throw bad(spec, "the URL's user or host cannot be used: " + e.getMessage());
    }
    if (c.password() != null) {
      b.password(c.password());
    } else {
      b.oauthTokens(c.tokens());
    }
    if (server.caFile != null) {
      b.trustPem(readable(spec, server.caFile));
    }
    b.folders(folders);
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw bad(spec, "these options do not fit together: " + e.getMessage());
    }
  }

  /**
   * The doctor for an IMAP account: with a secret, it examines the very source a fetch of these
   * options opens ({@link ImapDoctor.Builder#source}); without one, the server as far as a
   * connection goes (no login).
   */
  static ImapDoctor.Builder doctor(
      ServerOptions server,
      ImapAccount imap,
      ServerOptions.Account a,
      Map<String, String> env,
      CommandSpec spec,
      String urlFolder)
      throws FetchException {
    ImapDoctor.Builder b = ImapDoctor.builder();
    if (server.secret != null) {
      b.source(source(server, imap, a, a.name(), env, spec, urlFolder, 0));
    } else {
      refusePop3Options(server, spec);
      ImapFolders folders = imap.folders(spec, urlFolder);
      if (imap.onServer != null) {
        imap.deletion(spec); // checked, though the doctor deletes nothing
      }
      try {
        b.host(a.host())
            .port(a.port())
            .security(security(a))
            .user(a.user())
            .allowPlaintextAuthentication(server.allowPlaintext)
            .folders(folders);
      } catch (IllegalArgumentException e) {
        throw bad(spec, "the URL's user or host cannot be used: " + e.getMessage());
      }
      if (server.caFile != null) {
        b.trustPem(readable(spec, server.caFile));
      }
    }
    if (server.timeout != null) {
      b.timeout(Duration.ofSeconds(Math.max(1, server.timeout)));
    }
    return b;
  }

  static ImapSecurity security(ServerOptions.Account a) {
    return a.security() == Security.IMPLICIT_TLS
        ? ImapSecurity.IMPLICIT_TLS
        : a.security() == Security.STARTTLS ? ImapSecurity.STARTTLS : ImapSecurity.NONE;
  }

  /**
   * The client's limits for --timeout (seconds, or null) and the largest message: as POP3's, a
   * literal may be a quarter over the size the option lets through before the cap stops it.
   */
  static ImapLimits limits(Integer timeout, long largestMessage) {
    ImapLimits.Builder l = ImapLimits.builder();
    if (timeout != null) {
      Duration d = Duration.ofSeconds(timeout);
      l.handshakeTimeout(d).readTimeout(d).commandTimeout(d.multipliedBy(2));
    }
    long literal =
        largestMessage > Long.MAX_VALUE / 5 * 4
            ? Long.MAX_VALUE
            : largestMessage + largestMessage / 4;
    if (literal > ImapLimits.DEFAULT_MAX_LITERAL_BYTES) {
      l.maxLiteralBytes(literal);
    }
    return l.build();
  }

  private static void refusePop3Options(ServerOptions server, CommandSpec spec) {
    String pop3Only =
        !server.auth.isEmpty()
            ? "--auth"
            : !server.quirks.isEmpty() ? "--quirk" : server.strict ? "--strict" : null;
    if (pop3Only != null) {
      throw bad(
          spec,
          pop3Only
              + " is for POP3 accounts; an IMAP account logs in with the safest method the server"
              + " offers for the secret given");
    }
    if (server.timeout != null
        && (server.timeout < 1 || server.timeout > ServerOptions.LONGEST_TIMEOUT)) {
      throw bad(
          spec,
          "--timeout "
              + server.timeout
              + ": "
              + (server.timeout < 1
                  ? "must be 1 or more"
                  : "at most " + ServerOptions.LONGEST_TIMEOUT + " seconds (a day)"));
    }
  }

  private static Path readable(CommandSpec spec, Path file) {
    String option = "--ca-file " + file;
    if (Files.isDirectory(file)) {
      throw bad(spec, option + ": a directory, not a PEM file of CA certificates");
    }
    if (!Files.isReadable(file)) {
      throw bad(
          spec, option + (Files.exists(file) ? ": not allowed to read it" : ": no such file"));
    }
    return file;
  }

  private static ParameterException bad(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
