package dev.mailfetch.testkit.gmail;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** The injected faults of one server, in the order installed; the first that matches hits. */
final class Faults {
  private final List<InjectedFault> installed = new CopyOnWriteArrayList<>();

  InjectedFault install(FaultRule rule) {
    InjectedFault f = new InjectedFault(rule);
    installed.add(f);
    return f;
  }

  void clear() {
    installed.forEach(InjectedFault::remove);
    installed.clear();
  }

  List<InjectedFault> all() {
    return List.copyOf(installed);
  }

  /**
   * Claims the first fault of one of {@code kinds} aimed at {@code endpoint} and {@code account}
   * whose message condition {@code head} meets (a rule with a message condition never matches a
   * request without a message, {@code head == null}).
   */
  InjectedFault claim(GmailEndpoint endpoint, String account, byte[] head, GmailFault... kinds) {
    return find(endpoint, account, head, 0, true, kinds);
  }

  /** As {@link #claim}, among the rules with a message condition only, or without one only. */
  InjectedFault claim(
      GmailEndpoint endpoint,
      String account,
      byte[] head,
      boolean withCondition,
      GmailFault... kinds) {
    return find(endpoint, account, head, withCondition ? 2 : 1, true, kinds);
  }

  /** As {@link #claim}, without taking a hit. */
  InjectedFault peek(GmailEndpoint endpoint, String account, byte[] head, GmailFault... kinds) {
    return find(endpoint, account, head, 0, false, kinds);
  }

  private InjectedFault find(
      GmailEndpoint endpoint,
      String account,
      byte[] head,
      int conditions,
      boolean claim,
      GmailFault... kinds) {
    Set<GmailFault> wanted = kinds.length == 0 ? null : Set.of(kinds);
    for (InjectedFault f : installed) {
      FaultRule r = f.rule();
      if (f.exhausted()
          || !r.endpoints.contains(endpoint)
          || (wanted != null && !wanted.contains(r.fault))) {
        continue;
      }
      if (r.account != null && !r.account.equals(account)) {
        continue;
      }
      // conditions: 0 any rule, 1 rules without a message condition, 2 rules with one
      if ((conditions == 1 && r.messageNeedle != null)
          || (conditions == 2 && r.messageNeedle == null)) {
        continue;
      }
      if (r.messageNeedle != null && (head == null || !r.matchesMessage(head, head.length))) {
        continue;
      }
      if (!claim || f.claim()) {
        return f;
      }
    }
    return null;
  }
}
