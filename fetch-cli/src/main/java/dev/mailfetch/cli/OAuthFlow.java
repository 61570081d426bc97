package dev.mailfetch.cli;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.gmail.OAuthAuthorization;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.OAuthScopes;
import dev.mailfetch.gmail.OAuthTokenFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The sign-in of {@code mailfetch oauth}, through the library's {@link OAuthAuthorization}: the
 * address to open, the wait on 127.0.0.1 (or an address pasted where the browser could not reach
 * it), the authorization file written by the library (0600, whole or not at all), and what to type
 * next.
 */
final class OAuthFlow {
  private OAuthFlow() {}

  /** The endpoints of the request's provider (at the hidden test addresses where given). */
  static OAuthEndpoints endpoints(OAuthCommand.Request r) {
    OAuthEndpoints e =
        r.provider().equals("google")
            ? OAuthEndpoints.google()
            : OAuthEndpoints.microsoft(r.tenant());
    if (r.authorizationEndpoint() != null || r.tokenEndpoint() != null) {
      e =
          e.at(
              r.authorizationEndpoint() != null
                  ? r.authorizationEndpoint()
                  : e.authorizationEndpoint(),
              r.tokenEndpoint() != null ? r.tokenEndpoint() : e.tokenEndpoint());
    }
    return e;
  }

  /**
   * The narrowest scopes that work for what the request authorizes: at Microsoft one per protocol
   * (its POP3 scope does not log in to IMAP), both where both are asked for; at Google the one mail
   * scope serves POP3 and IMAP alike.
   */
  static List<String> scopes(OAuthCommand.Request r) {
    if (r.provider().equals("microsoft")) {
      if (r.pop3() && r.imap()) {
        return List.of(
            OAuthScopes.MICROSOFT_POP,
            OAuthScopes.MICROSOFT_IMAP,
            OAuthScopes.MICROSOFT_OFFLINE_ACCESS);
      }
      return r.imap() ? OAuthScopes.MICROSOFT_IMAP_FETCH : OAuthScopes.MICROSOFT_POP3;
    }
    if (r.imap()) {
      return OAuthScopes.GMAIL_IMAP;
    }
    return r.pop3() ? OAuthScopes.GMAIL_POP3 : OAuthScopes.GMAIL_IMPORT;
  }

  static int run(OAuthCommand.Request r, PrintWriter out, CommandSpec spec, boolean console)
      throws FetchException {
    makeDirectory(r.tokenFile());
    OAuthAuthorization auth =
        OAuthAuthorization.builder()
            .endpoints(endpoints(r))
            .clientId(r.clientId())
            .clientSecret(r.clientSecret())
            .scopes(scopes(r))
            .account(r.address())
            .port(r.port())
            .timeout(Duration.ofSeconds(r.waitSeconds()))
            .tokenFile(r.tokenFile())
            .gmailApi(r.gmailApi())
            .build();
    OAuthTokenFile grant;
    try (OAuthAuthorization.Pending p = start(auth)) {
      out.println("Open this address in a browser and sign in as " + r.address() + ":");
      out.println();
      out.println("  " + p.authorizationUri());
      out.println();
      out.println(
          "Waiting up to "
              + Units.duration(r.waitSeconds())
              + " for the browser to come"
              + " back to "
              + p.redirectUri()
              + " (this machine)."
              + (console
                  ? " If the browser runs on another machine and ends at a page that cannot be reached, paste"
                      + " the address it shows here and press Enter."
                  : ""));
      out.flush();
      if (console) {
        pasted(p, out);
      }
      grant = p.await();
    }
    out.println(
        "Authorized"
            + grant.account().map(a -> " as " + a).orElse("")
            + ": written to "
            + r.tokenFile()
            + " (readable only by you).");
    out.println("Next: " + next(r));
    out.flush();
    return 0;
  }

  /** What to type next with the authorization just written. */
  static String next(OAuthCommand.Request r) {
    if (!r.pop3() && !r.imap()) {
      return "mailfetch fetch pop3s://USER@HOST --password-env NAME --to gmail:"
          + r.address()
          + (r.defaultFile() ? "" : " --gmail-token-file " + r.tokenFile())
          + " (or mailfetch doctor gmail:"
          + r.address()
          + (r.defaultFile() ? "" : " --gmail-token-file " + r.tokenFile())
          + ")";
    }
    boolean google = r.provider().equals("google");
    String user = r.address().replace("@", "%40");
    String pop3 =
        "mailfetch fetch pop3s://"
            + user
            + "@"
            + (google ? "pop.gmail.com" : "outlook.office365.com")
            + " --oauth-grant-file "
            + r.tokenFile();
    String imap =
        "mailfetch fetch imaps://"
            + user
            + "@"
            + (google ? "imap.gmail.com" : "outlook.office365.com")
            + " --oauth-grant-file "
            + r.tokenFile();
    return r.imap() && r.pop3() ? imap + " (or " + pop3 + ")" : r.imap() ? imap : pop3;
  }

  private static OAuthAuthorization.Pending start(OAuthAuthorization auth) throws FetchException {
    try {
      return auth.start();
    } catch (FetchException e) {
      if (e.getCause() instanceof BindException) { // the port asked for is taken
        throw new FetchException(
            e.error(),
            e.detail(),
            null,
            e,
            Remedy.of(
                "Give another --port N, or leave --port"
                    + " out for a free one (a fixed port is needed only to forward it over SSH).",
                e.remedy().library()));
      }
      throw e;
    }
  }

  /**
   * Reads addresses pasted on the terminal while the sign-in waits, each handed to the sign-in; one
   * that is not its answer is said, and another may be pasted.
   */
  private static void pasted(OAuthAuthorization.Pending p, PrintWriter out) {
    Thread t =
        new Thread(
            () -> {
              BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
              try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  if (line.isBlank()) {
                    continue;
                  }
                  try {
                    p.complete(line);
                    return;
                  } catch (FetchException e) {
                    out.println("mailfetch: " + e.detail() + ". " + e.remedy().commandLine());
                    out.flush();
                  }
                }
              } catch (IOException e) {
                // the terminal is gone: the browser's answer may still come
              }
            },
            "mailfetch-oauth-paste");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Creates the token file's directory, readable only by its owner where it is made here (the
   * default ~/.mailfetch/gmail/ADDRESS), so that a failure to create it is said before the sign-in.
   */
  private static void makeDirectory(Path file) throws FetchException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || Files.isDirectory(dir)) {
      return;
    }
    // every directory made here (~/.mailfetch, ~/.mailfetch/gmail, the address's) its owner's alone
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = dir; d != null && !Files.exists(d); d = d.getParent()) {
      missing.push(d);
    }
    try {
      for (Path d : missing) {
        try {
          Files.createDirectory(
              d,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
          Files.createDirectory(
              d); // not a POSIX file system: the file itself is still its owner's alone
        } catch (FileAlreadyExistsException e) {
          // made meanwhile by another
        }
        try {
          Files.setPosixFilePermissions(
              d, PosixFilePermissions.fromString("rwx------")); // whatever the umask
        } catch (UnsupportedOperationException e) {
          // as above
        }
      }
    } catch (IOException e) {
      throw new FetchException(
          FetchError.CONFIGURATION,
          "cannot create "
              + dir
              + " for the authorization ("
              + CreatedPlaces.why(e)
              + "); nothing was signed in",
          null,
          e,
          Remedy.of(
              "Give --token-file FILE in a"
                  + " directory you can write, or make "
                  + dir
                  + " creatable.",
              "Give a token file in a writable directory."));
    }
  }
}
