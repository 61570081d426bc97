package dev.mailfetch.jdbc;

import dev.mailfetch.poll.CheckRecord;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link JdbcAccountShare#checkNow} did: checked the account here (it was held here, or free
 * and taken here), or asked the instance that holds it.
 *
 * @param account the account
 * @param where where the check runs
 * @param holder the instance that holds the account (this one, or the one asked)
 * @param check the check here: the Poller's record when it ends; empty where another instance was
 *     asked
 */
public record SharedCheck(
    String account, Where where, String holder, Optional<CompletableFuture<CheckRecord>> check) {
  /** Where a check asked for runs. */
  public enum Where {
    /** This instance held the account: the Poller's check, running or started. */
    HERE,
    /** Nobody held the account: this instance took it and checks it. */
    TAKEN_HERE,
    /**
     * Another live instance holds it: it was asked (a row in {@code mailfetch_check_request}) and
     * checks it within about a second.
     */
    ASKED_HOLDER
  }

  /**
   * Checks the components.
   *
   * @throws NullPointerException if any is null
   */
  public SharedCheck {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(where, "where");
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(check, "check");
  }
}
