package dev.mailfetch.testkit;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** One user a {@link FakePop3Server} knows: password, tokens, mailbox. */
final class Account {
  final String user;
  final String password;
  final FakeMailbox mailbox;
  final Set<String> tokens = ConcurrentHashMap.newKeySet();
  final Set<String> expiredTokens = ConcurrentHashMap.newKeySet();

  /** Asked of a token in neither set: true logs in, false is refused as expired. Null: unknown. */
  volatile Predicate<String> tokenCheck;

  /** Messages a Gmail-style POP view no longer lists (Q45). */
  final Set<FakeMailbox.Message> popped =
      Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

  Account(String user, String password, FakeMailbox mailbox) {
    this.user = user;
    this.password = password;
    this.mailbox = mailbox;
  }
}
