/**
 * State in a shared database: start at {@link dev.mailfetch.jdbc.JdbcState}, then {@link
 * dev.mailfetch.jdbc.JdbcAccountLeases} (who fetches an account), {@link
 * dev.mailfetch.jdbc.JdbcUidStore} (what happened to its messages, written only while the lease is
 * held) and {@link dev.mailfetch.jdbc.JdbcDedupStore} (first copies shared by every instance);
 * {@link dev.mailfetch.jdbc.JdbcAccountShare} shares the accounts of a {@link
 * dev.mailfetch.poll.Poller} between instances. docs/scale.md.
 */
package dev.mailfetch.jdbc;
