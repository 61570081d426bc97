package dev.mailfetch.cli;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.gmail.GmailImportSink;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * fetch's options for delivery into Gmail ({@code --to gmail:ADDRESS}), and where that delivery
 * keeps its files here: by default one directory per Gmail address, {@code
 * ~/.mailfetch/gmail/ADDRESS/}, holding the authorization {@code mailfetch oauth} writes ({@code
 * token}) and the state ({@code mailfetch-state/}, each account's Gmail journal inside its own
 * state directory, {@code gmail-ADDRESS}).
 */
final class GmailOptions {
  @Option(
      names = "--gmail-token-file",
      paramLabel = "FILE",
      description =
          "With --to gmail:ADDRESS: the"
              + " authorization that mailfetch oauth wrote (default: the file token in ~/.mailfetch/gmail/ADDRESS).")
  Path tokenFile;

  @Option(
      names = "--never-spam",
      description =
          "With --to gmail:ADDRESS: Gmail never puts fetched mail in Spam."
              + " Default: Gmail's spam filter judges it as any mail arriving.")
  boolean neverSpam;

  @Option(
      names = "--gmail-date",
      paramLabel = "DATE",
      description =
          "With --to gmail:ADDRESS: the date Gmail shows"
              + " and sorts by: header (the message's own Date, the default) or received (when it was delivered into Gmail).")
  String date;

  /** The Gmail API's address, for tests against a fake Gmail on this machine only. */
  @Option(names = "--gmail-api", paramLabel = "URL", hidden = true)
  String api;

  /** Gmail's own address, where --gmail-api is not given. */
  static final URI GMAIL_API = URI.create("https://gmail.googleapis.com/");

  /**
   * What an address may be: a local part of RFC 5322's atext and dots, a domain of at least two
   * labels. Narrower than the RFC (no quoted local parts), which no Gmail or Workspace address
   * needs, and it can never hold a '/' or a space, so it names a directory safely.
   */
  private static final Pattern ADDRESS =
      Pattern.compile(
          "[A-Za-z0-9!#$%&'*+=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
              + "(\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+");

  /** Whether {@code text} is an e-mail address as an account's is written. */
  static boolean isAddress(String text) {
    return ADDRESS.matcher(text).matches();
  }

  /**
   * The address {@code text} names, in lower case (Gmail's addresses are), or an
   * IllegalArgumentException in words that say what an address is.
   */
  static String address(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException(
          "needs the Gmail address to deliver into: gmail:me@gmail.com");
    }
    if (!ADDRESS.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "\""
              + FetchException.escape(text)
              + "\" is not an e-mail address; write"
              + " the Gmail (or Google Workspace) address mail goes into, as gmail:me@gmail.com");
    }
    return text.toLowerCase(Locale.ROOT);
  }

  /**
   * --to gmail:ADDRESS ({@code text} the address): Gmail's import, its journal in the account's
   * state directory, the state by default in ~/.mailfetch/gmail/ADDRESS/mailfetch-state ({@code
   * stateGiven}: --state names another). Every option is checked here, before anything is opened.
   */
  Destination destination(
      CommandSpec spec, Map<String, String> env, String to, String text, boolean stateGiven)
      throws FetchException {
    String address;
    try {
      address = address(text);
    } catch (IllegalArgumentException e) {
      throw bad(spec, "--to " + to + ": " + e.getMessage());
    }
    boolean received = receivedDate(spec);
    URI base = api(spec);
    TokenProvider tokens = tokens(spec, env, address);
    Path dir = directory(env, address);
    AuthorizeAgain again = new AuthorizeAgain(authorize(address, expand(env, tokenFile)));
    boolean never = neverSpam;
    return new Destination(
        account ->
            again.sink(
                GmailDelivery.builder(address, tokens, base, received, never)
                    .journalDirectory(journal(account, address))
                    .build()),
        stateGiven ? List.of() : List.of(dir),
        dir.resolve("mailfetch-state"),
        "Gmail (" + address + ")",
        "its journal's directory in the state, which you" + " may write",
        account -> journal(account, address));
  }

  /**
   * A bad argument for the first of these options given with {@code --to to}, a sink of files here.
   */
  void refuseWithout(CommandSpec spec, String to) {
    String given =
        tokenFile != null
            ? "--gmail-token-file"
            : neverSpam
                ? "--never-spam"
                : date != null ? "--gmail-date" : api != null ? "--gmail-api" : null;
    if (given != null) {
      throw bad(
          spec,
          given
              + " is for --to gmail:ADDRESS; --to "
              + to
              + (SinkUrl.kindOf(to).isPresent()
                  ? " delivers to a mail server"
                  : " delivers into files here"));
    }
  }

  /**
   * The authorization file of {@code --to to} when it is gmail:ADDRESS (a poll checks a paused
   * account again when it is replaced); empty for another sink, or one that is not an address.
   */
  Optional<Path> tokenFile(Map<String, String> env, String to) {
    int colon = to.indexOf(':');
    if (colon > 0 && to.substring(0, colon).equalsIgnoreCase("gmail")) {
      try {
        String address = address(to.substring(colon + 1));
        return Optional.of(
            tokenFile != null ? expand(env, tokenFile) : directory(env, address).resolve("token"));
      } catch (IllegalArgumentException e) {
        // not an address: the account was not opened
      }
    }
    return Optional.empty();
  }

  /** Why --max-message-size {@code given} cannot be used into Gmail: above its limit. */
  static String tooLarge(String given) {
    return "--max-message-size "
        + given
        + ": Gmail takes no message above 150 MB ("
        + GmailImportSink.Builder.MAX_MESSAGE_BYTES
        + " bytes), so a larger one would be downloaded and then refused; give at most 157M, or leave"
        + " the option out: with --to gmail: Gmail's limit is the default";
  }

  /** The home directory: $HOME where it is set (tests give one), else Java's. */
  static Path home(Map<String, String> env) {
    String h = env.get("HOME");
    return h != null && !h.isBlank() && Path.of(h).isAbsolute()
        ? Path.of(h)
        : Path.of(System.getProperty("user.home"));
  }

  /** The directory of an address's files when no option names them: ~/.mailfetch/gmail/ADDRESS. */
  static Path directory(Map<String, String> env, String address) {
    return home(env).resolve(".mailfetch").resolve("gmail").resolve(address);
  }

  /**
   * {@code file} with a leading {@code ~/} as the home directory (a config file's line has no shell
   * to do it).
   */
  static Path expand(Map<String, String> env, Path file) {
    String s = file == null ? null : file.toString();
    return s != null && (s.equals("~") || s.startsWith("~/"))
        ? Path.of(home(env) + s.substring(1))
        : file;
  }

  /**
   * Where an account's Gmail journal for {@code address} is kept: inside the account's own state
   * directory, named after the address (a journal answers for one mailbox: delivering the account
   * into another Gmail later, with the same state, keeps a journal of its own).
   */
  static Path journal(Path accountState, String address) {
    return accountState.resolve("gmail-" + address);
  }

  /** header or received, in the words of --gmail-date. */
  boolean receivedDate(CommandSpec spec) {
    if (date == null || date.equalsIgnoreCase("header")) {
      return false;
    }
    if (date.equalsIgnoreCase("received")) {
      return true;
    }
    throw bad(
        spec,
        "--gmail-date "
            + date
            + ": write header (the message's own Date, the default) or received"
            + " (when it was delivered into Gmail)");
  }

  /**
   * The Gmail API's address: Gmail's own, or --gmail-api, which must be on this machine (a test's
   * fake).
   */
  URI api(CommandSpec spec) {
    if (api == null) {
      return GMAIL_API;
    }
    return loopback(spec, "--gmail-api", api);
  }

  /**
   * {@code text} as an http(s) URL on this machine (127.0.0.1, [::1] or localhost), or a bad
   * argument: the hidden endpoint options exist for tests against a fake, never to send a token
   * somewhere else.
   */
  static URI loopback(CommandSpec spec, String option, String text) {
    URI u;
    try {
      u = URI.create(text);
    } catch (IllegalArgumentException e) {
      throw bad(spec, option + " " + text + ": not a URL");
    }
    String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    boolean local = List.of("127.0.0.1", "localhost", "[::1]", "::1").contains(host);
    if (!local
        || !("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
      throw bad(
          spec,
          option
              + " "
              + text
              + ": only an http or https address on this machine (127.0.0.1) is taken"
              + " (it is for testing against a fake server)");
    }
    return u;
  }

  /**
   * The authorization file's first check, so that a missing one is a bad argument at once that says
   * what writes it: {@code mailfetch oauth google ADDRESS} (with --token-file FILE where the file
   * is not the default).
   */
  TokenProvider tokens(CommandSpec spec, Map<String, String> env, String address)
      throws FetchException {
    return tokens(spec, env, address, expand(env, tokenFile));
  }

  /** As {@link #tokens(CommandSpec, Map, String)}, the file given (or null for the default). */
  static TokenProvider tokens(CommandSpec spec, Map<String, String> env, String address, Path given)
      throws FetchException {
    Path f = given != null ? given : directory(env, address).resolve("token");
    String why = OAuthGrants.unusable(f);
    String again = authorize(address, given);
    if (why != null) {
      throw bad(
          spec,
          "--gmail-token-file "
              + f
              + ": "
              + why
              + "; authorize mailfetch to deliver into "
              + address
              + " once with: "
              + again
              + " --client-file CLIENT.json (your OAuth client: docs/oauth.md)");
    }
    return OAuthGrants.load(spec, "--gmail-token-file", f, again, address);
  }

  /**
   * The command that writes the authorization for {@code address} into {@code file} (null: the
   * default). To authorize again no client needs giving (the file's is used); a first authorization
   * without one is a bad argument that says how to give it.
   */
  static String authorize(String address, Path file) {
    return "mailfetch oauth google " + address + (file != null ? " --token-file " + file : "");
  }

  private static ParameterException bad(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
