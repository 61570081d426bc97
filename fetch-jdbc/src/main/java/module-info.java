/**
 * mailfetch's state in a database shared by several instances (PostgreSQL first): the UID store,
 * the dedup policies' first copies, account leases with fencing tokens and the share of accounts
 * between instances that poll them, over a {@code DataSource} the embedder provides. docs/scale.md.
 */
module dev.mailfetch.jdbc {
  requires transitive dev.mailfetch.api;
  requires transitive dev.mailfetch.dedup;
  requires transitive dev.mailfetch.poll;
  requires transitive java.sql;
  requires org.slf4j;

  exports dev.mailfetch.jdbc;
}
