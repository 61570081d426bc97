package dev.mailfetch.testkit.imap;

import dev.mailfetch.testkit.TlsMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/** A {@link FakeImapServer}'s configuration, fixed when it starts. */
final class ImapSettings {
  final TlsMode tls;
  final SSLContext sslContext;
  final List<String> tlsProtocols;
  final Map<String, ImapAccount> accounts;
  final List<String> capabilities;
  final String greeting;
  final boolean gmail;
  final boolean requireTlsForLogin;
  final long maxLiteral;
  final Duration replyDelay;
  final Duration idleTimeout;
  final List<ImapFault> faults;
  final Set<ImapQuirk> quirks;
  final Duration dropIdleAfter;

  /**
   * Per user, whether an OAuth access token is good ({@link
   * FakeImapServer.Builder#oauthTokenCheck}).
   */
  final Map<String, Predicate<String>> tokenChecks;

  /** The sessions in IDLE now, for {@link ImapSourceSide#awaitIdling} and dropping them. */
  final Set<ImapIdle> idling = ConcurrentHashMap.newKeySet();

  /** Sessions logged in now, per user, for {@link ImapQuirk#I23_TOO_MANY_CONNECTIONS}. */
  final Map<String, AtomicInteger> loggedIn = new ConcurrentHashMap<>();

  final Supplier<Instant> clock = () -> Instant.now().truncatedTo(ChronoUnit.SECONDS);

  /** Messages stored by APPEND on this server, for {@link ImapFault#overquotaAfter}. */
  final AtomicInteger appendedOnServer = new AtomicInteger();

  ImapSettings(FakeImapServer.Builder b, Map<String, ImapAccount> accounts) {
    this.tls = b.tls;
    this.sslContext = b.sslContext;
    this.tlsProtocols = b.tlsProtocols;
    this.accounts = Map.copyOf(accounts);
    this.tokenChecks = Map.copyOf(b.tokenChecks);
    this.capabilities =
        withoutQuirked(
            b.capabilities != null
                ? b.capabilities
                : withTokens(
                    b.gmail
                        ? FakeImapServer.GMAIL_CAPABILITIES
                        : FakeImapServer.DEFAULT_CAPABILITIES,
                    !tokenChecks.isEmpty()),
            b.quirks);
    this.greeting =
        b.greeting != null
            ? b.greeting
            : b.gmail ? "Gimap ready for requests from 127.0.0.1" : "mailfetch testkit IMAP ready";
    this.gmail = b.gmail;
    this.requireTlsForLogin = b.requireTlsForLogin;
    this.maxLiteral = b.maxLiteral;
    this.replyDelay = b.replyDelay;
    this.idleTimeout = b.idleTimeout;
    this.faults = List.copyOf(b.faults);
    this.quirks =
        b.quirks.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(b.quirks));
    this.dropIdleAfter =
        b.dropIdleAfter != null
            ? b.dropIdleAfter
            : has(ImapQuirk.I08_IDLE_BYE) || has(ImapQuirk.I08_IDLE_DROPPED_SILENTLY)
                ? Duration.ofSeconds(1)
                : null;
  }

  /** Whether the server plays {@code quirk}. */
  boolean has(ImapQuirk quirk) {
    return quirks.contains(quirk);
  }

  /** Whether {@code capability} is listed (any case). */
  boolean offers(String capability) {
    for (String c : capabilities) {
      if (c.equalsIgnoreCase(capability)) {
        return true;
      }
    }
    return false;
  }

  /** The default list, with the token mechanisms where a token check was given. */
  private static List<String> withTokens(List<String> offered, boolean tokens) {
    if (!tokens) {
      return offered;
    }
    List<String> with = new ArrayList<>(offered);
    with.add("AUTH=XOAUTH2");
    with.add("AUTH=OAUTHBEARER");
    return List.copyOf(with);
  }

  /** The list without what {@link ImapQuirk#I21_NO_UIDPLUS} and I22 take away. */
  private static List<String> withoutQuirked(List<String> offered, Set<ImapQuirk> quirks) {
    List<String> kept = new ArrayList<>();
    for (String c : offered) {
      boolean gone =
          (c.equalsIgnoreCase("UIDPLUS") && quirks.contains(ImapQuirk.I21_NO_UIDPLUS))
              || (c.equalsIgnoreCase("MOVE") && quirks.contains(ImapQuirk.I22_NO_MOVE));
      if (!gone) {
        kept.add(c);
      }
    }
    return List.copyOf(kept);
  }
}
