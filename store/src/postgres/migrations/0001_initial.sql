-- gazette on PostgreSQL, schema version 1. Records are the same serde JSON as on sled, kept as
-- bytea (PostgreSQL text and jsonb refuse NUL characters, which a fetched page may contain);
-- the columns beside them are what queries select, order or join on. Keys that are paged or
-- ordered by compare as bytes (COLLATE "C"), as on sled and as the API orders them, whatever
-- the database's default collation.

-- One row: the change log's lineage (a random id created with the database, so resume tokens
-- name the database, not a replica) and its last position. Every transaction that logs a
-- change, and every page write, locks this row first, so positions are taken and committed in
-- one order across all replicas: a watcher that has seen position n never later finds a
-- smaller one committed.
CREATE TABLE feed (
    id smallint PRIMARY KEY CHECK (id = 1),
    lineage bigint NOT NULL,
    last bigint NOT NULL
);

CREATE TABLE pages (
    url text COLLATE "C" PRIMARY KEY,
    record bytea NOT NULL
);

-- Earlier records of pages whose content changed.
CREATE TABLE page_versions (
    url text NOT NULL,
    fetched_at_ms bigint NOT NULL,
    record bytea NOT NULL,
    PRIMARY KEY (url, fetched_at_ms)
);

-- Raw bytes as fetched, deflate-compressed.
CREATE TABLE page_bodies (
    url text NOT NULL,
    fetched_at_ms bigint NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (url, fetched_at_ms)
);

-- Current notices. The sort keys of ListNotices are columns (published_at and signed_on as
-- the ISO strings the API sorts by, NULL when not stated), each with an index per direction
-- in the API's order: the key (NULL last either way), then the id ascending.
CREATE TABLE notices (
    id text COLLATE "C" PRIMARY KEY,
    fetched_at_ms bigint NOT NULL,
    published_at text COLLATE "C",
    signed_on text COLLATE "C",
    record bytea NOT NULL
);
CREATE INDEX notices_fetched_desc ON notices (fetched_at_ms DESC, id ASC);
CREATE INDEX notices_fetched_asc ON notices (fetched_at_ms ASC, id ASC);
CREATE INDEX notices_published_desc ON notices (published_at DESC NULLS LAST, id ASC);
CREATE INDEX notices_published_asc ON notices (published_at ASC NULLS LAST, id ASC);
CREATE INDEX notices_signed_desc ON notices (signed_on DESC NULLS LAST, id ASC);
CREATE INDEX notices_signed_asc ON notices (signed_on ASC NULLS LAST, id ASC);

-- Earlier versions of notices; a withdrawn notice's last version too.
CREATE TABLE notice_versions (
    id text NOT NULL,
    version bigint NOT NULL,
    record bytea NOT NULL,
    PRIMARY KEY (id, version)
);

-- A content-derived id that continues an older notice.
CREATE TABLE notice_aliases (
    derived text PRIMARY KEY,
    id text NOT NULL
);

-- Notices no stored page carries, with their last versions.
CREATE TABLE withdrawn_notices (
    id text PRIMARY KEY,
    version bigint NOT NULL
);

CREATE TABLE organisations (
    id text COLLATE "C" PRIMARY KEY,
    record bytea NOT NULL
);

-- Folded names and aliases leading to organisations.
CREATE TABLE organisation_names (
    folded text PRIMARY KEY,
    organisation_id text NOT NULL
);

-- The change log behind WatchNotices.
CREATE TABLE changes (
    seq bigint PRIMARY KEY,
    notice_id text NOT NULL,
    version bigint NOT NULL,
    kind text NOT NULL
);

-- Each source's unfinished crawl run.
CREATE TABLE frontier_runs (
    source text PRIMARY KEY,
    started_ms bigint NOT NULL,
    next_seq bigint NOT NULL,
    notices_queued bigint NOT NULL,
    lists_queued bigint NOT NULL
);

-- Queued entries of a run in discovery order. A replica working on an entry holds a lease on
-- it (owner and expiry); an entry whose lease expired is free for any replica again.
CREATE TABLE frontier_queue (
    source text NOT NULL,
    seq bigint NOT NULL,
    entry bytea NOT NULL,
    lease_owner text,
    lease_expires_ms bigint,
    PRIMARY KEY (source, seq)
);

-- URLs queued (done = false) or finished (done = true) in a source's current run.
CREATE TABLE frontier_seen (
    source text NOT NULL,
    url text NOT NULL,
    done boolean NOT NULL,
    PRIMARY KEY (source, url)
);

-- Which replica runs a source's schedule: the run due last granted, its holder, and until when
-- the holder keeps it (a released claim keeps its due time, so that run is not started again).
CREATE TABLE schedule_claims (
    source text PRIMARY KEY,
    owner text NOT NULL,
    due_ms bigint NOT NULL,
    expires_ms bigint NOT NULL
);
