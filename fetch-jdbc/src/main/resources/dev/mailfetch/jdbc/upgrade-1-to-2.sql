-- Upgrades mailfetch's state from schema version 1 to 2 (docs/scale.md, "Schema versions"). Run by
-- fetch-jdbc in one transaction, after locking the version row, when it opens a version 1 database;
-- statements end with a semicolon at the end of a line. Only adds: an instance of version 1 still
-- running reads and writes the tables it knows as before.

-- Version 2: the instances that share the accounts of a poll (JdbcAccountShare), one row each:
-- its heartbeat's expiry. An instance is live while expires_at_ms is ahead of the database's now.
CREATE TABLE mailfetch_instance (
  owner          VARCHAR(200) NOT NULL PRIMARY KEY,
  started_at_ms  BIGINT       NOT NULL,
  expires_at_ms  BIGINT       NOT NULL
);

-- Version 2: a check asked for on one instance of an account another holds: the holder deletes
-- the row and checks the account.
CREATE TABLE mailfetch_check_request (
  account      VARCHAR(1000) NOT NULL PRIMARY KEY,
  asked_by     VARCHAR(200)  NOT NULL,
  asked_at_ms  BIGINT        NOT NULL
);

-- Version 2: the share finds an instance's leases by owner.
CREATE INDEX mailfetch_lease_owner ON mailfetch_lease (owner);

UPDATE mailfetch_schema SET version = 2, written_by = 'fetch-jdbc (upgrade 1 to 2)';
