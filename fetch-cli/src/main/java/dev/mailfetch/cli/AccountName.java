package dev.mailfetch.cli;

import dev.mailfetch.dedup.JournalUidStore;
import dev.mailfetch.pop3.AccountNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the command calls one account, and so keeps one state for: the library's rule ({@link
 * AccountNames}, which a {@code Pop3Source} follows by default, so that the command and the library
 * keep one state for one mailbox): the user name exactly as typed (servers may tell {@code Alice}
 * from {@code alice}), the server's host name as DNS compares it, without case and without a
 * trailing dot, and the port when it is not one of POP3's two defaults ({@code
 * alice@mail.example.org}, {@code alice@localhost:1110}). {@code pop3s://} on 995 and {@code
 * pop3://} on 110 reach the same mailbox, so both are one account; two other ports of one host are
 * two accounts (two SSH tunnels to two servers): fetching a mailbox twice costs a download, taking
 * two mailboxes for one would hide new mail. Not the addresses a name resolves to: those change,
 * and one address may serve many domains; so a name and its address are two accounts, and a new
 * account whose user is known at another name of the same server is warned of (docs/state.md).
 */
final class AccountName {
  private AccountName() {}

  /** The host as the account name holds it ({@link AccountNames#host}, the library's rule). */
  static String host(String typed) {
    return AccountNames.host(typed);
  }

  /** POP3's two ports, 110 (pop3://) and 995 (pop3s://): one account whichever is used. */
  static boolean isDefaultPort(int port) {
    return AccountNames.isDefaultPort(port);
  }

  /**
   * {@code user@host}, or {@code user@host:port} for a port other than 110 and 995 ({@link
   * AccountNames#of}: the library names a {@code Pop3Source}'s account by the same rule, so that
   * both keep one state for one mailbox); {@code port} 0 for "the default".
   */
  static String of(String user, String typedHost, int port) {
    return AccountNames.of(user, typedHost, port);
  }

  /** An account's name taken apart: its user, host and port (0 for the default ports). */
  record Parts(String user, String host, int port) {}

  /**
   * The parts of a name {@link #of} made (or an earlier version: without a port); empty if it is
   * none.
   */
  static Optional<Parts> parse(String name) {
    int at = name.lastIndexOf('@');
    if (at <= 0 || at == name.length() - 1) {
      return Optional.empty();
    }
    String user = name.substring(0, at);
    String rest = name.substring(at + 1);
    int port = 0;
    String host = rest;
    if (rest.startsWith("[")) {
      int close = rest.indexOf("]:");
      if (close < 0) {
        return Optional.empty();
      }
      host = rest.substring(1, close);
      port = portOf(rest.substring(close + 2));
    } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
      host = rest.substring(0, rest.indexOf(':'));
      port = portOf(rest.substring(rest.indexOf(':') + 1));
    } // else a host name, or an IPv6 address on a default port
    return port < 0 ? Optional.empty() : Optional.of(new Parts(user, host, port));
  }

  private static int portOf(String s) {
    return s.matches("[0-9]{1,5}") ? Integer.parseInt(s) : -1;
  }

  /** The account's name and state directory under a state root, and what to warn of. */
  record State(
      String account, Path directory, boolean defaultPort, Optional<String> knownElsewhere) {}

  /**
   * The file that marks a state directory without a port in its name as the account's on the
   * default ports, so that no URL with another port takes it for an earlier version's.
   */
  static final String DEFAULT_PORTS_MARK = "default-ports";

  /**
   * The state of {@code user} at {@code typedHost} and {@code port} (0: the default) under {@code
   * root}. A state an earlier version made is found: one under the host as typed (before host names
   * were compared without case) is used as it is; and since earlier versions named no port, an
   * account on another port than 110 or 995 takes for its own, once, a state without a port that no
   * account on the default ports has marked as its ({@link #DEFAULT_PORTS_MARK}): it is renamed to
   * the account's name, unless a run holds it. For a new account, {@code knownElsewhere} is the
   * host of a known account with the same user and port at another name of the same server (the
   * names resolve to a common address).
   */
  static State state(Path root, String user, String typedHost, int port) {
    String account = of(user, typedHost, port);
    Path dir = JournalUidStore.directoryFor(root, account);
    boolean defaultPort = isDefaultPort(port);
    if (Files.exists(dir)) {
      return new State(account, dir, defaultPort, Optional.empty());
    }
    String typed = user + "@" + typedHost.strip();
    Path asTyped = JournalUidStore.directoryFor(root, typed);
    if (defaultPort) {
      if (!asTyped.equals(dir) && Files.isDirectory(asTyped)) {
        return new State(typed, asTyped, true, Optional.empty());
      }
    } else {
      String portless = of(user, typedHost, 0);
      for (String legacy : new LinkedHashSet<>(List.of(portless, typed))) {
        Path old = JournalUidStore.directoryFor(root, legacy);
        if (Files.isDirectory(old) && !Files.exists(old.resolve(DEFAULT_PORTS_MARK))) {
          return claim(old, legacy, dir, account);
        }
      }
    }
    return new State(account, dir, defaultPort, sameServer(root, user, host(typedHost), port));
  }

  /**
   * Takes an earlier version's state for an account on a port of its own: renamed to the account's
   * name while its lease is free; used where it is, under its old name, while a run holds it (the
   * store then says LOCKED) or if it cannot be renamed.
   */
  private static State claim(Path old, String oldName, Path dir, String account) {
    try (FileChannel lease =
        FileChannel.open(
            old.resolve("lease"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = lease.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held in this process
      } catch (IOException e) {
        lock = null; // no working locks here: only the store's owner record can tell; leave it be
      }
      if (lock == null) {
        return new State(oldName, old, false, Optional.empty());
      }
      try {
        Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        lock.release();
      }
      return new State(account, dir, false, Optional.empty());
    } catch (IOException e) {
      return new State(oldName, old, false, Optional.empty());
    }
  }

  /**
   * Marks the state of an account on the default ports as its own (see {@link
   * #DEFAULT_PORTS_MARK}); a failure to mark costs nothing but the mark.
   */
  static void markDefaultPorts(State st) {
    Path mark = st.directory().resolve(DEFAULT_PORTS_MARK);
    if (!st.defaultPort() || Files.exists(mark)) {
      return;
    }
    try {
      Files.writeString(
          mark,
          st.account()
              + ": the account on POP3's ports 110 and 995. mailfetch keeps this file"
              + " so that a URL with another port does not take this state for an earlier version's (docs/state.md).\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      // only the mark is lost
    }
  }

  /**
   * At most this many known accounts of the same user are looked up (each may take a DNS query).
   */
  private static final int MOST_COMPARED = 8;

  /**
   * The host of a known account of {@code user} and {@code port} under {@code root} at the same
   * server as {@code host}.
   */
  private static Optional<String> sameServer(Path root, String user, String host, int port) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    Set<InetAddress> mine = null;
    int compared = 0;
    try (DirectoryStream<Path> known = Files.newDirectoryStream(root)) {
      for (Path d : known) {
        Optional<Parts> name = decode(d.getFileName().toString()).flatMap(AccountName::parse);
        if (name.isEmpty() || !Files.exists(d.resolve("uids.journal"))) {
          continue;
        }
        if (!name.get().user().equals(user)
            || isDefaultPort(name.get().port()) != isDefaultPort(port)
            || (!isDefaultPort(port) && name.get().port() != port)) {
          continue;
        }
        String other = host(name.get().host());
        if (other.equals(host) || compared++ >= MOST_COMPARED) {
          continue;
        }
        if (mine == null) {
          mine = addresses(host);
        }
        Set<InetAddress> theirs = addresses(other);
        theirs.retainAll(mine);
        if (!theirs.isEmpty()) {
          return Optional.of(other);
        }
      }
    } catch (IOException e) {
      return Optional.empty(); // only a warning is lost
    }
    return Optional.empty();
  }

  /** An address both host names resolve to, if there is one: then they name one server. */
  static Optional<InetAddress> commonAddress(String a, String b) {
    Set<InetAddress> both = addresses(host(a));
    both.retainAll(addresses(host(b)));
    return both.stream().findFirst();
  }

  private static Set<InetAddress> addresses(String host) {
    try {
      return new HashSet<>(List.of(InetAddress.getAllByName(host)));
    } catch (UnknownHostException | SecurityException e) {
      return new HashSet<>();
    }
  }

  /**
   * The account name a state directory was made for ({@link JournalUidStore#directoryFor}'s
   * inverse).
   */
  static Optional<String> decode(String directory) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < directory.length(); i++) {
      char c = directory.charAt(i);
      if (c == '%' && i + 2 < directory.length()) {
        try {
          bytes.write(Integer.parseInt(directory.substring(i + 1, i + 3), 16));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
        i += 2;
      } else if (c < 128) {
        bytes.write(c);
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(bytes.toString(StandardCharsets.UTF_8));
  }
}
