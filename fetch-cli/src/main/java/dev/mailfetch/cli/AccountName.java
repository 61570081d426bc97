package dev.mailfetch.cli;

import dev.mailfetch.dedup.JournalUidStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What the command calls one account, and so keeps one state for: the user name exactly as typed
 * (servers may tell {@code Alice} from {@code alice}) and the server's host name as DNS compares
 * it, without case and without a trailing dot ({@code alice@mail.example.org}). Not the port or
 * the TLS mode: {@code pop3s://} on 995 and {@code pop3://} on 110 reach the same mailbox. Not the
 * addresses a name resolves to either: those change, and one address may serve many domains; so
 * a name and its address are two accounts, and a new account whose user is known at another name
 * of the same server is warned of (docs/state.md).
 */
final class AccountName {
  private AccountName() {}

  /** The host as the account name holds it. */
  static String host(String typed) {
    String h = typed.strip();
    if (h.endsWith(".") && h.length() > 1) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.contains(":")) {
      return ipv6(h);
    }
    if (!h.chars().allMatch(c -> c < 128)) {
      try {
        h = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED);
      } catch (IllegalArgumentException e) {
        // not a valid international name: compared as typed (lower case), and DNS will say no
      }
    }
    return h.toLowerCase(Locale.ROOT);
  }

  /** {@code user@host}, the host as {@link #host} gives it. */
  static String of(String user, String typedHost) {
    return user + "@" + host(typedHost);
  }

  /** An IPv6 literal in the one form RFC 5952 gives it (lower case, longest run of zeros as ::). */
  private static String ipv6(String literal) {
    try {
      byte[] a = InetAddress.getByName(literal).getAddress(); // a literal: no DNS query
      if (a.length != 16) {
        return literal.toLowerCase(Locale.ROOT);
      }
      int[] groups = new int[8];
      for (int i = 0; i < 8; i++) {
        groups[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
      }
      int bestStart = -1;
      int bestLength = 1;
      for (int i = 0; i < 8; ) {
        int j = i;
        while (j < 8 && groups[j] == 0) {
          j++;
        }
        if (j - i > bestLength) {
          bestStart = i;
          bestLength = j - i;
        }
        i = j == i ? i + 1 : j;
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        if (i == bestStart) {
          sb.append(i == 0 ? "::" : ":");
          i += bestLength - 1;
          continue;
        }
        sb.append(Integer.toHexString(groups[i]));
        if (i < 7) {
          sb.append(':');
        }
      }
      return sb.toString();
    } catch (UnknownHostException e) {
      return literal.toLowerCase(Locale.ROOT);
    }
  }

  /** The account's name and state directory under a state root, and what to warn of. */
  record State(String account, Path directory, Optional<String> knownElsewhere) {}

  /**
   * The state of {@code user} at {@code typedHost} under {@code root}. A directory an earlier
   * version made under the host as typed (before host names were compared without case) is used
   * when the canonical one does not exist, so that no state is left behind. For a new account,
   * {@code knownElsewhere} tells of a known account with the same user at another name of the
   * same server (the names resolve to a common address); {@code urlAt} gives the URL that reaches
   * this account at another host.
   */
  static State state(Path root, String user, String typedHost, Function<String, String> urlAt) {
    String account = of(user, typedHost);
    Path dir = JournalUidStore.directoryFor(root, account);
    String typed = user + "@" + typedHost;
    Path asTyped = JournalUidStore.directoryFor(root, typed);
    if (!Files.exists(dir) && !asTyped.equals(dir) && Files.isDirectory(asTyped)) {
      return new State(typed, asTyped, Optional.empty());
    }
    if (Files.exists(dir)) {
      return new State(account, dir, Optional.empty());
    }
    return new State(account, dir, sameServer(root, user, host(typedHost)).map(known -> user + "@" + host(typedHost)
        + " is a new account here, but " + host(typedHost) + " is the same server as " + known
        + ", where " + user + " is known (" + JournalUidStore.directoryFor(root, user + "@" + known) + "): this run"
        + " downloads every message again. To go on where that account left off, give the URL as " + urlAt.apply(
            known.contains(":") ? "[" + known + "]" : known) + "."));
  }

  /** At most this many known accounts of the same user are looked up (each may take a DNS query). */
  private static final int MOST_COMPARED = 8;

  /** The host of a known account of {@code user} under {@code root} at the same server as {@code host}. */
  private static Optional<String> sameServer(Path root, String user, String host) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    Set<InetAddress> mine = null;
    int compared = 0;
    try (DirectoryStream<Path> known = Files.newDirectoryStream(root)) {
      for (Path d : known) {
        Optional<String> name = decode(d.getFileName().toString());
        if (name.isEmpty() || !Files.exists(d.resolve("uids.journal"))) {
          continue;
        }
        int at = name.get().lastIndexOf('@');
        if (at < 0 || !name.get().substring(0, at).equals(user)) {
          continue;
        }
        String other = host(name.get().substring(at + 1));
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

  private static Set<InetAddress> addresses(String host) {
    try {
      return new HashSet<>(List.of(InetAddress.getAllByName(host)));
    } catch (UnknownHostException | SecurityException e) {
      return new HashSet<>();
    }
  }

  /** The account name a state directory was made for ({@link JournalUidStore#directoryFor}'s inverse). */
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
