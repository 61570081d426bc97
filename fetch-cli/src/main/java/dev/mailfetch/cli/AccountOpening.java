package dev.mailfetch.cli;

import dev.mailfetch.api.DedupPolicy;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchLimits;
import dev.mailfetch.api.FetchSource;
import dev.mailfetch.api.Fetcher;
import dev.mailfetch.api.LabelPolicy;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.api.Retention;
import dev.mailfetch.api.UidStore;
import dev.mailfetch.dedup.Dedup;
import dev.mailfetch.dedup.DedupStore;
import dev.mailfetch.dedup.JournalUidStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ParameterException;

/**
 * Opens one account of {@code fetch} (or of a poll): checks every option of the command first, then
 * opens the destination, the account's state and the dedup store, in the order the account's lease
 * needs, and builds its {@link Fetcher}s. What it created is removed again if opening fails, or (a
 * fetch, not a poll) if the account never gets to list its mailbox (docs/cli.md).
 */
final class AccountOpening {
  private AccountOpening() {}

  /**
   * Opens the sink and the state of {@code c}'s account and builds its Fetcher (no listener). Every
   * option is checked before anything is opened or created: a bad one leaves nothing behind (no
   * lock, no directory). A fetch (not a poll) that never lists the mailbox removes, when closed,
   * the places it created (docs/cli.md).
   */
  static OpenedAccount open(FetchCommand c) throws Exception {
    Checked k = check(c);
    if (c.stateUrl != null || c.postgres != null) {
      return PostgresAccount.open(
          c, k.a(), k.typed(), k.place(), k.retention(), k.labels(), k.limits(), k.dedupSpec());
    }
    return openInFiles(c, k);
  }

  /**
   * For a poll that shares its accounts with other instances (--state jdbc:…): every option of
   * {@code c}'s account checked, nothing opened; the account opens when its lease is taken.
   */
  static PostgresAccount.Pending prepareShared(FetchCommand c) throws Exception {
    Checked k = check(c);
    return PostgresAccount.prepare(
        c, k.a(), k.typed(), k.place(), k.retention(), k.labels(), k.limits(), k.dedupSpec());
  }

  /** The account's options, each checked. */
  private record Checked(
      ServerOptions.Account a,
      LabelPolicy labels,
      Destination place,
      Path stateDir,
      Retention retention,
      FetchLimits limits,
      Dedup.Spec dedupSpec,
      AccountUrl typed) {}

  private static Checked check(FetchCommand c) throws Exception {
    if (!c.polled) { // a poll makes its accounts quiet itself, whatever the file says of their
      // output
      c.checkOutputOptions();
    }
    ServerOptions.Account a = c.server.account(c.url, c.spec);
    if (!a.imap()) {
      c.imap.refuseForPop3(c.spec);
    }
    LabelPolicy labels = c.labelPolicy(); // labels Gmail refuses: said before its token is read
    c.sizeLimit(); // and a size Gmail refuses
    Destination place = c.place();
    c.sink.refuseLabels(c.spec, c.to, !c.labels.isEmpty() || !c.labelRules.isEmpty() || c.archive);
    Path stateDir = c.state != null ? c.state : place.defaultState();
    Retention retention =
        a.imap() ? c.imap.retention(c.spec, c.keeping, c.retention()) : c.retention();
    FetchLimits limits = c.limits();
    Dedup.Spec dedupSpec = c.dedupSpec();
    AccountUrl typed = AccountUrl.parse(c.url);
    if (c.statePasswordFile != null && c.stateUrl == null) {
      throw new ParameterException(
          c.spec.commandLine(),
          "--state-password-file is the password of a state database: it goes with --state"
              + " jdbc:postgresql://…");
    }
    return new Checked(a, labels, place, stateDir, retention, limits, dedupSpec, typed);
  }

  private static OpenedAccount openInFiles(FetchCommand c, Checked k) throws Exception {
    ServerOptions.Account a = k.a();
    LabelPolicy labels = k.labels();
    Destination place = k.place();
    Path stateDir = k.stateDir();
    Retention retention = k.retention();
    FetchLimits limits = k.limits();
    Dedup.Spec dedupSpec = k.dedupSpec();
    AccountUrl typed = k.typed();
    AccountName.State st =
        a.imap()
            ? ImapAccount.state(stateDir, a)
            : AccountName.state(stateDir, a.user(), a.host(), typed.port());
    FetchSource source =
        c.server.advised(
            a.imap()
                ? ImapAccount.source(
                    c.server, c.imap, a, st.account(), c.env, c.spec, typed.folder(), c.sizeLimit())
                : c.server.source(a, st.account(), c.env, c.spec, true, c.sizeLimit()));
    List<Problem> notices = new ArrayList<>();
    st.knownElsewhere()
        .ifPresent(known -> notices.add(knownElsewhere(c, st, a, typed, known, stateDir)));
    // Every option is checked above this line, and nothing is opened or created: from here on,
    // what fails removes what this account created.
    Path dedupFile = stateDir.resolve("dedup").toAbsolutePath().normalize();
    List<Path> made = new ArrayList<>(place.creates());
    made.addAll(
        List.of(stateDir, st.directory(), dedupFile, dedupFile.resolveSibling("dedup.lock")));
    place.journalOf(st.directory()).ifPresent(made::add);
    CreatedPlaces created =
        CreatedPlaces.before(
            stateDir,
            st.directory(),
            List.of(
                dedupFile,
                dedupFile.resolveSibling("dedup.lock"),
                dedupFile.resolveSibling("dedup.new")),
            made);
    boolean dedupShared = false; // this account opened the store its poll's other accounts use
    MessageSink sink = null;
    JournalUidStore store = null;
    DedupStore seen = null;
    DedupStore ownSeen = null;
    Fetcher fetcher;
    Fetcher retrying = null;
    try {
      if (place.journalOf(st.directory()).isPresent()) {
        // The sink keeps its journal in the account's state: the account's lease first, so that a
        // second run of the account meanwhile is LOCKED, said as such, before it reaches the
        // journal.
        StateDirectory.create(stateDir, st.directory(), c.state != null);
        store = openState(st.directory());
        sink = openSink(place, st.directory());
      } else {
        sink = openSink(place, st.directory());
        StateDirectory.create(stateDir, st.directory(), c.state != null);
        store = openState(st.directory());
      }
      AccountName.markDefaultPorts(st);
      seen = c.sharedDedup != null ? c.sharedDedup.get(dedupFile) : null;
      if (seen == null) {
        seen = DedupStore.open(dedupFile, DedupStore.Window.DEFAULT);
        if (c.sharedDedup != null) {
          c.sharedDedup.put(dedupFile, seen); // accounts polled into one place share its store
          dedupShared = true;
        } else {
          ownSeen = seen;
        }
      }
      fetcher =
          fetcher(c, source, sink, store, dedupSpec.policy(seen), retention, labels, limits, false);
      if (c.retryQuarantined && c.polled) {
        retrying =
            fetcher(
                c, source, sink, store, dedupSpec.policy(seen), retention, labels, limits, true);
      }
    } catch (Exception e) {
      closeAll(sink, store, ownSeen);
      boolean inUse = e instanceof FetchException fe && fe.error() == FetchError.LOCKED;
      // in use: another run created it a moment ago, and holds it; shared: a poll's other accounts
      // use it
      if (!inUse && !dedupShared) {
        created.remove();
      }
      throw e;
    }
    MessageSink sk = sink;
    JournalUidStore js = store;
    DedupStore sn = ownSeen;
    boolean[] neverListed = {false}; // known when closed
    return new OpenedAccount(
        fetcher,
        retrying,
        AccountName.host(a.host()),
        a.user() + " at " + a.host() + ":" + a.port() + " into " + place.describe(),
        notices,
        () -> js.firstRun().isPresent(),
        () -> {
          neverListed[0] = js.firstRun().isEmpty();
          closeAll(sk, js, sn);
          if (neverListed[0] && !c.polled) {
            created.remove();
          }
        },
        () -> {
          if (neverListed[0] && c.polled) {
            created.remove();
          }
        });
  }

  /**
   * The account's Fetcher over {@code store}; {@code retry}: the one of a poll's first check with
   * --retry-quarantined.
   */
  static Fetcher fetcher(
      FetchCommand c,
      FetchSource source,
      MessageSink sink,
      UidStore store,
      DedupPolicy dedup,
      Retention retention,
      LabelPolicy labels,
      FetchLimits limits,
      boolean retry) {
    return Fetcher.builder()
        .source(source)
        .sink(sink)
        .uidStore(store)
        .retention(retention)
        .onlyNew(c.onlyNew)
        .dedupPolicy(dedup)
        .labelPolicy(labels)
        .limits(limits)
        .retryQuarantined(retry || (c.retryQuarantined && !c.polled))
        .listener(c.listener())
        .build();
  }

  /** The warning that a new account is a known one under another name of its server. */
  private static Problem knownElsewhere(
      FetchCommand c,
      AccountName.State st,
      ServerOptions.Account a,
      AccountUrl typed,
      String known,
      Path stateDir) {
    String here = AccountName.host(a.host());
    String knownUrl = typed.at(known.contains(":") ? "[" + known + "]" : known);
    return Problem.warning(
        Problem.ACCOUNT_KNOWN_ELSEWHERE,
        st.account()
            + " is a new account here, but "
            + here
            + " is the same server as "
            + known
            + ", where "
            + a.user()
            + " is known ("
            + JournalUidStore.directoryFor(stateDir, AccountName.of(a.user(), known, typed.port()))
            + "): this run counted every message on the"
            + " server as new",
        "This URL names a mailbox already fetched under another name of its server, so its mail is downloaded"
            + " again (the default dedup policy discards the second copies).",
        "To go on where that account left off, "
            + c.advice.url(knownUrl)
            + "; if the two are different mailboxes,"
            + " nothing needs doing (this is said once: from now on the account is known under this name too).");
  }

  static void closeAll(AutoCloseable... all) throws IOException {
    IOException first = null;
    for (AutoCloseable c : all) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * The account's state, whose lease another mailfetch may hold: then the advice is about that run
   * (a poll holds its accounts for as long as it runs), not about mail programs on the server.
   */
  private static JournalUidStore openState(Path dir) throws IOException {
    try {
      return JournalUidStore.open(dir);
    } catch (FetchException e) {
      if (e.error() != FetchError.LOCKED || !e.remedy().equals(e.error().remedy())) {
        throw e;
      }
      throw new FetchException(
          e.error(),
          e.detail(),
          null,
          e,
          Remedy.of(
              "Another mailfetch"
                  + " holds this account's state (the message names it): wait for that run to end and run again. A"
                  + " mailfetch poll holds its accounts for as long as it runs: let it fetch this account, or stop it first.",
              "Another process or fetcher holds this account's state store: wait for it to close the store. A Poller"
                  + " holds its accounts' stores for as long as it runs."));
    }
  }

  /**
   * A sink that cannot be opened is the sink's failure, typed, with the place and the reason, and
   * advice that fits: nothing was fetched yet, so the destination is what to fix.
   */
  static MessageSink openSink(Destination place, Path accountState) throws FetchException {
    Remedy remedy =
        Remedy.of(
            "Nothing was fetched: make "
                + place.describe()
                + " usable ("
                + place.needs()
                + ", on a disk with free space), or give another place with --to SINK; then"
                + " run again.",
            "Nothing was fetched: make the sink's place"
                + " usable (permissions, free space, a directory where one is expected), or give the sink another place.");
    try {
      return place.open(accountState);
    } catch (FetchException e) {
      if (e.error() != FetchError.SINK_FAILED) {
        throw e;
      }
      throw new FetchException(e.error(), e.detail(), null, e, remedy);
    } catch (IOException e) {
      throw new FetchException(
          FetchError.SINK_FAILED,
          "cannot open " + place.describe() + ": " + CreatedPlaces.why(e),
          null,
          e,
          remedy);
    }
  }
}
