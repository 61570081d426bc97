-- mailfetch's state in a shared database, schema version 2 (docs/scale.md, "What the database holds").
-- Run by fetch-jdbc in one transaction when the database has no mailfetch_schema table; statements
-- end with a semicolon at the end of a line. Times are epoch seconds (leases: epoch milliseconds).

-- The version of this schema: one row. fetch-jdbc refuses a database of another version.
CREATE TABLE mailfetch_schema (
  version     INTEGER      NOT NULL,
  written_by  VARCHAR(100) NOT NULL
);

-- One row per account: what is kept of the account beside its messages.
CREATE TABLE mailfetch_account (
  account       VARCHAR(1000) NOT NULL PRIMARY KEY,
  first_run     BIGINT,
  mailbox_mark  VARCHAR(200)
);

-- What happened to each message of an account, by unique id (UidRecord). The primary key is the
-- unique constraint that keeps one record per (account, uid), whoever writes.
CREATE TABLE mailfetch_uid (
  account            VARCHAR(1000) NOT NULL,
  uid                VARCHAR(1000) NOT NULL,
  state              CHAR(1)       NOT NULL,
  first_seen         BIGINT        NOT NULL,
  delivery_key       CHAR(64),
  failures           INTEGER       NOT NULL,
  last_error         VARCHAR(40),
  last_error_detail  VARCHAR(1200),
  size               BIGINT        NOT NULL,
  gone_since         BIGINT        NOT NULL,
  PRIMARY KEY (account, uid)
);

-- The header fingerprint of each delivered message (quirk Q26: UIDs a server changed).
CREATE TABLE mailfetch_fingerprint (
  account      VARCHAR(1000) NOT NULL,
  uid          VARCHAR(1000) NOT NULL,
  fingerprint  VARCHAR(128)  NOT NULL,
  PRIMARY KEY (account, uid)
);

-- First copies for the dedup policies, per store (the name the embedder gives, usually the sink's).
-- The primary key makes the first copy win between instances.
CREATE TABLE mailfetch_first_copy (
  store          VARCHAR(200)  NOT NULL,
  dedup_key      VARCHAR(2000) NOT NULL,
  delivery_key   CHAR(64)      NOT NULL,
  remembered_at  BIGINT        NOT NULL,
  PRIMARY KEY (store, dedup_key)
);
CREATE INDEX mailfetch_first_copy_age ON mailfetch_first_copy (store, remembered_at);

-- One lease per account: who fetches it, until when, and the fencing token every state write of
-- the account carries. The token only grows: each taking of the lease adds one.
CREATE TABLE mailfetch_lease (
  account        VARCHAR(1000) NOT NULL PRIMARY KEY,
  owner          VARCHAR(200),
  expires_at_ms  BIGINT        NOT NULL,
  fencing_token  BIGINT        NOT NULL
);

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

INSERT INTO mailfetch_schema (version, written_by) VALUES (2, 'fetch-jdbc');
