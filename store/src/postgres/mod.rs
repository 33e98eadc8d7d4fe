//! The PostgreSQL backend ([`PgStore`]): one database shared by any number of gazette
//! replicas.
//!
//! - Client: the blocking `postgres` crate (a synchronous wrapper over tokio-postgres) with an
//!   r2d2 pool. The store trait is synchronous and its callers already run it on tokio's
//!   blocking pool, so no async rewrite is needed; every call is also safe from an async task
//!   (it steps off the runtime first, see [`off_runtime`]).
//! - Schema: embedded SQL migrations applied at open ([`schema`]); a newer schema is refused.
//! - Writes: the domain rules ([`crate::rules`]) gather through a transaction and their plan is
//!   applied in it ([`writes`]). Every page write, and every transaction that logs a change,
//!   first locks the single `feed` row: writers are serialised across replicas until they
//!   commit, so two replicas writing the same page or notice cannot both win, and change-log
//!   positions are committed in the order they are taken.
//! - Change feed: `NOTIFY gazette_changes` in each logging transaction wakes a listening
//!   connection on each replica ([`feed`]), which feeds [`crate::NoticeStore::subscribe_changes`];
//!   a slow poll covers a dropped notification connection.
//! - Frontier: entries are claimed with `FOR UPDATE SKIP LOCKED` under a lease (owner, expiry);
//!   an expired lease is claimable by any replica ([`frontier`]). Schedules are claimed per
//!   source with an expiry, so one replica runs each.
//! - Durability: every transaction commits with `synchronous_commit = on`, so an acknowledged
//!   write is in PostgreSQL's WAL on disk whatever happens to gazette.
//! - TLS: the URL's `sslmode` (libpq's `disable`, `prefer`, `require`) and `sslrootcert` choose
//!   it for every connection, pooled or listening; certificates are always verified ([`tls`]).

pub mod feed;
pub mod frontier;
mod maintenance;
pub mod schema;
#[cfg(any(test, feature = "test-support"))]
pub mod test_server;
mod tls;
pub(crate) mod writes;

use crate::error::{Result, StoreError};
use crate::maintenance::{ExportHeader, ExportRecord, RecordCounts};
use crate::records::{
    ChangeKind, ChangeRecord, Completion, FrontierClaim, FrontierEntry, FrontierRun,
    OrganisationRecord, PageOutcome, PageRecord, PageWrite, StoredNotice,
};
use crate::{
    ChangeFeedStore, Lease, Maintenance, NoticeOrder, NoticeReads, NoticeSlice, OrganisationReads,
    PageStore, StoreStats, TransferStats, VerifyReport,
};
use postgres::error::SqlState;
use std::sync::Arc;
use std::time::Duration;

pub use schema::PG_SCHEMA_VERSION;

/// A pooled connection.
pub(crate) type Conn = r2d2::PooledConnection<Manager>;

/// Opens the pool's connections through the [`tls::Connector`] the listener uses too.
#[derive(Debug)]
pub(crate) struct Manager {
    connector: Arc<tls::Connector>,
}

/// Why a connection could not be opened or set up: the client's error with its causes (the
/// client's own `Display` leaves them out, and a TLS failure says nothing without them).
#[derive(Debug)]
pub(crate) struct ConnectError(String);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConnectError {}

impl r2d2::ManageConnection for Manager {
    type Connection = postgres::Client;
    type Error = ConnectError;

    fn connect(&self) -> std::result::Result<postgres::Client, ConnectError> {
        self.connector
            .connect()
            .map_err(|e| ConnectError(describe(&e)))
    }

    fn is_valid(&self, client: &mut postgres::Client) -> std::result::Result<(), ConnectError> {
        client
            .simple_query("")
            .map(|_| ())
            .map_err(|e| ConnectError(describe(&e)))
    }

    fn has_broken(&self, client: &mut postgres::Client) -> bool {
        client.is_closed()
    }
}

/// `url` with its password (if any, in the authority or as a `password=` parameter) replaced
/// by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let mut redacted = redact_authority(head);
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some(("password", _)) => "password=***".to_owned(),
                _ => pair.to_owned(),
            })
            .collect();
        redacted.push('?');
        redacted.push_str(&pairs.join("&"));
    }
    redacted
}

/// `head` (a URL without its query) with the password of `user:password@` as `***`.
fn redact_authority(head: &str) -> String {
    let Some(scheme_end) = head.find("://").map(|i| i + 3) else {
        return head.to_owned();
    };
    let rest = &head[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => match authority[..at].split_once(':') {
            Some((user, _password)) => format!("{}{user}:***{}", &head[..scheme_end], &rest[at..]),
            None => head.to_owned(),
        },
        None => head.to_owned(),
    }
}

/// How a [`PgStore`] connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// Connections in the pool at most.
    pub max_connections: u32,
    /// How long a call waits for a free connection (or a new one) before failing.
    pub connect_timeout: Duration,
    /// How often the change feed is read when no notification came (and how soon a dropped
    /// notification connection is retried).
    pub feed_poll: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout: Duration::from_secs(10),
            feed_poll: Duration::from_secs(5),
        }
    }
}

/// Errors inside a transaction: the database's (a serialization failure is retried) or the
/// store's own (a record that does not decode).
#[derive(Debug)]
pub(crate) enum PgError {
    Db(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for PgError {
    fn from(error: postgres::Error) -> Self {
        Self::Db(error)
    }
}

impl From<StoreError> for PgError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<PgError> for StoreError {
    fn from(error: PgError) -> Self {
        match error {
            PgError::Store(e) => e,
            PgError::Db(e) => StoreError::Backend(format!("postgresql: {}", describe(&e))),
        }
    }
}

/// The database's message with its detail, or the client's error with its causes, which
/// `Display` of the client's error leaves out.
fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {detail}", db.message()),
            None => db.message().to_owned(),
        },
        None => error_chain(error),
    }
}

/// `error: cause: cause's cause…`, each told once.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

pub(crate) fn tx_err(error: StoreError) -> PgError {
    PgError::Store(error)
}

impl PgError {
    /// A conflict that running the transaction again resolves.
    fn retryable(&self) -> bool {
        match self {
            Self::Db(e) => matches!(
                e.code(),
                Some(code) if *code == SqlState::T_R_SERIALIZATION_FAILURE
                    || *code == SqlState::T_R_DEADLOCK_DETECTED
            ),
            Self::Store(_) => false,
        }
    }
}

/// u64 ids and positions in bigint columns, bit for bit.
pub(crate) fn to_i64(value: u64) -> i64 {
    i64::from_be_bytes(value.to_be_bytes())
}

pub(crate) fn to_u64(value: i64) -> u64 {
    u64::from_be_bytes(value.to_be_bytes())
}

/// A count or position that PostgreSQL keeps as bigint, as usize (never negative in gazette's
/// tables; clamped if it were).
pub(crate) fn count(value: i64) -> usize {
    usize::try_from(value).unwrap_or(0)
}

/// A count or limit as bigint, the other way round (clamped to bigint's largest value).
pub(crate) fn bigint(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(tree: &'static str, raw: &[u8]) -> Result<T> {
    serde_json::from_slice(raw).map_err(|source| StoreError::Codec { tree, source })
}

pub(crate) fn encode<T: serde::Serialize>(tree: &'static str, value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|source| StoreError::Codec { tree, source })
}

/// Runs `f`, which blocks on the database, where blocking is allowed. The client runs a small
/// runtime of its own per connection, which tokio refuses to start inside an async task: on a
/// multi-threaded runtime's worker the task's core is handed off first (`block_in_place`); on a
/// current-thread runtime `f` runs on a scoped thread; on a blocking-pool thread or a plain
/// thread it runs as it is.
pub(crate) fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        Ok(_) => std::thread::scope(|scope| match scope.spawn(f).join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        }),
        Err(_) => f(),
    }
}

/// Shared state of every clone of a [`PgStore`].
struct Inner {
    pool: Option<r2d2::Pool<Manager>>,
    feed: feed::FeedWatch,
    /// This process's name in leases and schedule claims.
    owner: String,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.feed.stop();
        // Closing a connection stops its runtime, which tokio forbids inside an async task.
        if let Some(pool) = self.pool.take() {
            off_runtime(move || drop(pool));
        }
    }
}

/// A [`NoticeStore`] on a PostgreSQL database, shareable by several gazette processes.
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("owner", &self.inner.owner)
            .finish_non_exhaustive()
    }
}

/// Sets what every pooled connection must have: commits on disk before they return.
#[derive(Debug)]
struct SessionSettings;

impl r2d2::CustomizeConnection<postgres::Client, ConnectError> for SessionSettings {
    fn on_acquire(&self, client: &mut postgres::Client) -> std::result::Result<(), ConnectError> {
        client
            .batch_execute("SET synchronous_commit TO on; SET TIME ZONE 'UTC'")
            .map_err(|e| ConnectError(describe(&e)))
    }
}

/// `postgres://` or `postgresql://`: a URL that names a PostgreSQL database, not a directory.
pub fn is_postgres_url(location: &str) -> bool {
    let lower = location.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, with
    /// `?sslmode=disable|prefer|require` and `sslrootcert=FILE` for TLS, see [`tls`]), applies
    /// pending migrations and starts listening for changes written by any replica. Errors name
    /// the server by [`redact_url`], never with the password.
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, PgOptions::default())
    }

    /// [`Self::open`] with pool and feed settings.
    pub fn open_with(url: &str, options: PgOptions) -> Result<Self> {
        let url = url.to_owned();
        off_runtime(move || Self::open_blocking(&url, &options))
    }

    fn open_blocking(url: &str, options: &PgOptions) -> Result<Self> {
        let connector = Arc::new(tls::Connector::from_url(url).map_err(StoreError::Backend)?);
        let connect_error = |reason: String| {
            StoreError::Backend(format!(
                "connecting to PostgreSQL at {}: {reason}",
                redact_url(url)
            ))
        };
        // One connection first: a refused certificate or password fails here at once, with its
        // reason, instead of after the pool's connection timeout.
        let probe = connector
            .connect()
            .map_err(|e| connect_error(describe(&e)))?;
        drop(probe);
        let manager = Manager {
            connector: Arc::clone(&connector),
        };
        let pool = r2d2::Pool::builder()
            .max_size(options.max_connections.max(2))
            .min_idle(Some(1))
            .connection_timeout(options.connect_timeout)
            .connection_customizer(Box::new(SessionSettings))
            .build(manager)
            .map_err(|e| connect_error(e.to_string()))?;
        let mut conn = pool.get().map_err(|e| connect_error(e.to_string()))?;
        schema::migrate(&mut conn)?;
        let row = conn
            .query_one("SELECT lineage, last FROM feed WHERE id = 1", &[])
            .map_err(PgError::from)?;
        let lineage = to_u64(row.get(0));
        let last = to_u64(row.get(1));
        drop(conn);
        let feed = feed::FeedWatch::start(connector, lineage, last, options.feed_poll);
        Ok(Self {
            inner: Arc::new(Inner {
                pool: Some(pool),
                feed,
                owner: format!(
                    "{}-{}-{:08x}",
                    hostname(),
                    std::process::id(),
                    fastrand::u32(..)
                ),
            }),
        })
    }

    /// This process's name in frontier leases and schedule claims.
    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    pub(crate) fn conn(&self) -> Result<Conn> {
        self.inner
            .pool
            .as_ref()
            .ok_or_else(|| StoreError::Backend("the store is closed".into()))?
            .get()
            .map_err(|e| StoreError::Backend(format!("no PostgreSQL connection: {e}")))
    }

    /// Runs `f` on a pooled connection, off the async runtime.
    pub(crate) fn with_conn<T: Send>(
        &self,
        f: impl FnOnce(&mut Conn) -> std::result::Result<T, PgError> + Send,
    ) -> Result<T> {
        off_runtime(|| {
            let mut conn = self.conn()?;
            f(&mut conn).map_err(StoreError::from)
        })
    }

    /// Runs `f` in a READ COMMITTED transaction, committed when it returns `Ok`; run again on a
    /// serialization failure or deadlock. With `lock_feed` the transaction first locks the
    /// `feed` row, which serialises it with every other page write on every replica: after the
    /// lock, each statement sees everything those committed.
    pub(crate) fn transaction<T: Send>(
        &self,
        lock_feed: bool,
        f: impl Fn(&mut postgres::Transaction<'_>) -> std::result::Result<T, PgError> + Send + Sync,
    ) -> Result<T> {
        off_runtime(|| {
            let mut conn = self.conn()?;
            let mut attempts = 0u32;
            loop {
                attempts += 1;
                let result = (|| -> std::result::Result<T, PgError> {
                    let mut tx = conn.transaction()?;
                    if lock_feed {
                        tx.execute("SELECT last FROM feed WHERE id = 1 FOR UPDATE", &[])?;
                    }
                    let value = f(&mut tx)?;
                    tx.commit()?;
                    Ok(value)
                })();
                match result {
                    Err(error) if error.retryable() && attempts < 20 => continue,
                    other => return other.map_err(StoreError::from),
                }
            }
        })
    }

    /// The lineage and last position as the database has them (and published to watchers).
    pub(crate) fn feed_row(&self) -> Result<crate::ChangeFeed> {
        let (lineage, last) = self.with_conn(|conn| {
            let row = conn.query_one("SELECT lineage, last FROM feed WHERE id = 1", &[])?;
            Ok((to_u64(row.get(0)), to_u64(row.get(1))))
        })?;
        self.inner.feed.set_lineage(lineage);
        self.committed_through(last);
        Ok(crate::ChangeFeed {
            lineage,
            durable_through: last,
        })
    }

    /// Publishes a change-log position this process committed.
    pub(crate) fn committed_through(&self, last: u64) {
        self.inner.feed.publish(last);
    }

    /// Wipes every table (tests and `import` into a fresh database use it through
    /// maintenance; the schema and lineage stay).
    #[doc(hidden)]
    pub fn truncate_for_tests(&self) -> Result<()> {
        self.with_conn(|c| {
            c.batch_execute(
                "TRUNCATE pages, page_versions, page_bodies, notices, notice_versions,
                 notice_aliases, withdrawn_notices, organisations, organisation_names, changes,
                 frontier_runs, frontier_queue, frontier_seen, schedule_claims",
            )?;
            Ok(())
        })
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "gazette".into())
}

/// The keys ListNotices sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    /// Fetch time.
    FetchedAt,
    /// Publication time as printed (`YYYY-MM-DDTHH:MM`), absent last.
    PublishedAt,
    /// Signing date, absent last.
    SignedOn,
}

/// A position in one ordering: the key (absent: sorts last) and the notice id.
pub type SortPosition = (Option<String>, String);

impl SortField {
    /// The key and direction of a listing order.
    pub fn of(order: NoticeOrder) -> (Self, bool) {
        let field = match order {
            NoticeOrder::FetchedDesc | NoticeOrder::FetchedAsc => Self::FetchedAt,
            NoticeOrder::PublishedDesc | NoticeOrder::PublishedAsc => Self::PublishedAt,
            NoticeOrder::SignedDesc | NoticeOrder::SignedAsc => Self::SignedOn,
        };
        (field, order.descending())
    }

    fn column(self) -> &'static str {
        match self {
            Self::FetchedAt => "fetched_at_ms",
            Self::PublishedAt => "published_at",
            Self::SignedOn => "signed_on",
        }
    }

    /// The notice's key in this ordering, as the API compares them (fetch times as 20-digit
    /// zero-padded numbers, so that text order is time order).
    pub fn key(self, notice: &StoredNotice) -> Option<String> {
        match self {
            Self::FetchedAt => Some(format!("{:020}", notice.fetched_at_ms.max(0))),
            Self::PublishedAt => notice.notice.published_at.map(|p| p.to_string()),
            Self::SignedOn => notice.notice.signed_on.map(|d| d.to_string()),
        }
    }
}

/// Rows fetched per round trip when a listing filters in Rust.
const SCAN_BATCH: i64 = 256;

impl PgStore {
    /// Up to `limit` notices in the order of `field` (descending or not: key first, absent
    /// keys last, then id ascending) strictly after `after`, the position of the last when
    /// more follow, and the number of notices. One keyset scan of the ordering's index.
    pub fn list_ordered(
        &self,
        field: SortField,
        descending: bool,
        after: Option<&SortPosition>,
        limit: usize,
    ) -> Result<(Vec<Arc<StoredNotice>>, Option<SortPosition>, usize)> {
        self.with_conn(|conn| {
            let total = count(
                conn.query_one("SELECT count(*) FROM notices", &[])?
                    .get::<_, i64>(0),
            );
            let batch = bigint(limit.saturating_add(1));
            let mut rows = scan_step(conn, field, descending, after, batch)?;
            let more = rows.len() > limit;
            rows.truncate(limit);
            let next = if more {
                rows.last().map(|(pos, _)| pos.clone())
            } else {
                None
            };
            let notices = rows.into_iter().map(|(_, n)| Arc::new(n)).collect();
            Ok((notices, next, total))
        })
    }
}

/// One keyset step of an ordering: up to `limit` notices after `after`. Each query is a range
/// scan of the ordering's index: first the notices with a key, then (keys being absent last in
/// either direction) those without one.
fn scan_step(
    conn: &mut Conn,
    field: SortField,
    descending: bool,
    after: Option<&SortPosition>,
    limit: i64,
) -> std::result::Result<Vec<(SortPosition, StoredNotice)>, PgError> {
    let column = field.column();
    let direction = if descending { "DESC" } else { "ASC" };
    let order = format!("ORDER BY {column} {direction} NULLS LAST, id ASC");
    let mut rows = match after {
        None => conn.query(
            &format!("SELECT record FROM notices {order} LIMIT $1"),
            &[&limit],
        )?,
        Some((Some(key), id)) => {
            let beyond = if descending { "<" } else { ">" };
            // At or past the key (the index range), then past the id at the key itself.
            let sql = format!(
                "SELECT record FROM notices
                 WHERE {column} {beyond}= $1 AND ({column} {beyond} $1 OR id > $2)
                 {order} LIMIT $3"
            );
            match field {
                SortField::FetchedAt => {
                    let ms: i64 = key
                        .parse()
                        .map_err(|_| PgError::Store(StoreError::InvalidCursor))?;
                    conn.query(&sql, &[&ms, id, &limit])?
                }
                SortField::PublishedAt | SortField::SignedOn => {
                    conn.query(&sql, &[key, id, &limit])?
                }
            }
        }
        Some((None, _)) => Vec::new(),
    };
    let keyed_done = matches!(after, Some((Some(_), _)))
        && bigint(rows.len()) < limit
        && field != SortField::FetchedAt;
    let null_after = match after {
        Some((None, id)) => Some(id.as_str()),
        _ if keyed_done => Some(""),
        _ => None,
    };
    if let Some(id) = null_after {
        let rest = limit - i64::try_from(rows.len()).unwrap_or(0);
        rows.extend(conn.query(
            &format!(
                "SELECT record FROM notices WHERE {column} IS NULL AND id > $1
                 ORDER BY id ASC LIMIT $2"
            ),
            &[&id, &rest],
        )?);
    }
    rows.iter()
        .map(|row| {
            let notice: StoredNotice = decode("notices", row.get::<_, &[u8]>(0))?;
            Ok(((field.key(&notice), notice.id.clone()), notice))
        })
        .collect()
}

impl PgStore {
    fn read_record<T: serde::de::DeserializeOwned + Send>(
        &self,
        tree: &'static str,
        sql: &'static str,
        key: &str,
    ) -> Result<Option<T>> {
        self.with_conn(|conn| {
            conn.query_opt(sql, &[&key])?
                .map(|row| decode(tree, row.get::<_, &[u8]>(0)).map_err(PgError::from))
                .transpose()
        })
    }

    fn read_records<T: serde::de::DeserializeOwned + Send>(
        &self,
        tree: &'static str,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<T>> {
        self.with_conn(|conn| {
            conn.query(sql, params)?
                .iter()
                .map(|row| decode(tree, row.get::<_, &[u8]>(0)).map_err(PgError::from))
                .collect()
        })
    }
}

impl PageStore for PgStore {
    fn record_fetch(&self, write: PageWrite) -> Result<PageOutcome> {
        let compressed = write
            .raw
            .as_deref()
            .map(crate::frontier::compress)
            .transpose()?;
        writes::record(self, &write.page, &write.notices, compressed.as_deref())
    }

    fn page(&self, url: &str) -> Result<Option<PageRecord>> {
        self.read_record("pages", "SELECT record FROM pages WHERE url = $1", url)
    }

    fn pages(&self, after: Option<&str>, limit: usize) -> Result<Vec<PageRecord>> {
        let limit = bigint(limit);
        match after {
            Some(after) => self.read_records(
                "pages",
                "SELECT record FROM pages WHERE url > $1 ORDER BY url LIMIT $2",
                &[&after, &limit],
            ),
            None => self.read_records(
                "pages",
                "SELECT record FROM pages ORDER BY url LIMIT $1",
                &[&limit],
            ),
        }
    }

    fn page_count(&self) -> Result<usize> {
        self.with_conn(|conn| {
            Ok(count(
                conn.query_one("SELECT count(*) FROM pages", &[])?.get(0),
            ))
        })
    }

    fn page_versions(&self, url: &str) -> Result<Vec<PageRecord>> {
        self.read_records(
            "page_versions",
            "SELECT record FROM page_versions WHERE url = $1 ORDER BY fetched_at_ms",
            &[&url],
        )
    }

    fn page_body(&self, url: &str, fetched_at_ms: i64) -> Result<Option<Vec<u8>>> {
        let compressed: Option<Vec<u8>> = self.with_conn(|conn| {
            Ok(conn
                .query_opt(
                    "SELECT body FROM page_bodies WHERE url = $1 AND fetched_at_ms = $2",
                    &[&url, &fetched_at_ms],
                )?
                .map(|row| row.get(0)))
        })?;
        compressed
            .map(|raw| crate::frontier::decompress(&raw))
            .transpose()
    }

    fn frontier_begin(
        &self,
        source: &str,
        seeds: &[FrontierEntry],
        now_ms: i64,
        max_notices: usize,
        max_lists: usize,
    ) -> Result<FrontierRun> {
        frontier::begin(self, source, seeds, now_ms, max_notices, max_lists)
    }

    fn frontier_run(&self, source: &str) -> Result<Option<FrontierRun>> {
        frontier::run(self, source)
    }

    fn frontier_claim(
        &self,
        source: &str,
        lease: Lease<'_>,
        limit: usize,
    ) -> Result<FrontierClaim> {
        frontier::claim(self, source, lease, limit)
    }

    fn frontier_renew(&self, source: &str, lease: Lease<'_>, seqs: &[u64]) -> Result<Vec<u64>> {
        frontier::renew(self, source, lease.worker, lease.until_ms, seqs)
    }

    fn frontier_release(&self, source: &str, worker: &str, seqs: &[u64]) -> Result<()> {
        frontier::release(self, source, worker, seqs)
    }

    fn frontier_complete(&self, source: &str, done: Completion) -> Result<PageOutcome> {
        frontier::complete(self, source, done)
    }

    fn frontier_finish(&self, source: &str) -> Result<bool> {
        frontier::finish(self, source)
    }

    fn claim_run(&self, source: &str, due_ms: i64, lease: Lease<'_>) -> Result<bool> {
        frontier::claim_run(self, source, due_ms, lease)
    }

    fn release_run(&self, source: &str, worker: &str) -> Result<()> {
        frontier::release_run(self, source, worker)
    }
}

impl NoticeReads for PgStore {
    fn notice(&self, id: &str) -> Result<Option<Arc<StoredNotice>>> {
        Ok(self
            .read_record::<StoredNotice>("notices", "SELECT record FROM notices WHERE id = $1", id)?
            .map(Arc::new))
    }

    fn notices(&self, ids: &[String]) -> Result<Vec<Arc<StoredNotice>>> {
        let found: Vec<StoredNotice> = self.read_records(
            "notices",
            "SELECT record FROM notices WHERE id = ANY($1)",
            &[&ids],
        )?;
        Ok(found.into_iter().map(Arc::new).collect())
    }

    fn withdrawn_version(&self, id: &str) -> Result<Option<u64>> {
        self.with_conn(|conn| {
            Ok(conn
                .query_opt(
                    "SELECT version FROM withdrawn_notices WHERE id = $1",
                    &[&id],
                )?
                .map(|row| to_u64(row.get(0))))
        })
    }

    fn notice_version(&self, id: &str, version: u64) -> Result<Option<StoredNotice>> {
        if let Some(current) = self.notice(id)?
            && current.version.max(1) == version
        {
            return Ok(Some((*current).clone()));
        }
        self.with_conn(|conn| {
            conn.query_opt(
                "SELECT record FROM notice_versions WHERE id = $1 AND version = $2",
                &[&id, &to_i64(version)],
            )?
            .map(|row| decode("notice_versions", row.get::<_, &[u8]>(0)).map_err(PgError::from))
            .transpose()
        })
    }

    fn notice_versions(&self, id: &str) -> Result<Vec<StoredNotice>> {
        self.read_records(
            "notice_versions",
            "SELECT record FROM notice_versions WHERE id = $1 ORDER BY version",
            &[&id],
        )
    }

    fn list_notices(
        &self,
        order: NoticeOrder,
        after: Option<&[u8]>,
        limit: usize,
        keep: Option<&dyn Fn(&StoredNotice) -> bool>,
    ) -> Result<NoticeSlice> {
        let after = after.map(decode_position).transpose()?;
        let (field, descending) = SortField::of(order);
        // The filter need not be Send or Sync: a filtered listing runs it on this thread
        // between batches read off the runtime.
        let (notices, next, total) = match keep {
            None => self.list_ordered(field, descending, after.as_ref(), limit)?,
            Some(keep) => self.list_filtered(field, descending, after.as_ref(), limit, keep)?,
        };
        Ok(NoticeSlice {
            notices,
            next_cursor: next.as_ref().map(encode_position),
            total_matching: total,
        })
    }

    fn notice_cursor(&self, order: NoticeOrder, notice: &StoredNotice) -> Vec<u8> {
        encode_position(&(order.sort_key(notice), notice.id.clone()))
    }
}

impl OrganisationReads for PgStore {
    fn organisations(&self, after: Option<&str>, limit: usize) -> Result<Vec<OrganisationRecord>> {
        let limit = bigint(limit);
        match after {
            Some(after) => self.read_records(
                "organisations",
                "SELECT record FROM organisations WHERE id > $1 ORDER BY id LIMIT $2",
                &[&after, &limit],
            ),
            None => self.read_records(
                "organisations",
                "SELECT record FROM organisations ORDER BY id LIMIT $1",
                &[&limit],
            ),
        }
    }

    fn resolve_organisation(&self, name: &str) -> Result<Option<OrganisationRecord>> {
        if let Some(org) = self.read_record(
            "organisations",
            "SELECT record FROM organisations WHERE id = $1",
            name,
        )? {
            return Ok(Some(org));
        }
        self.read_record(
            "organisations",
            "SELECT o.record FROM organisation_names n JOIN organisations o
               ON o.id = n.organisation_id WHERE n.folded = $1",
            &crate::identity::fold_name(name),
        )
    }
}

impl ChangeFeedStore for PgStore {
    fn changes_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<ChangeRecord>> {
        // Every committed row is durable (synchronous_commit), and positions commit in order
        // (see the module documentation), so the log can be read up to its end.
        let after = to_i64(after.unwrap_or(0));
        let limit = bigint(limit);
        let changes = self.with_conn(|conn| {
            conn.query(
                "SELECT seq, notice_id, version, kind FROM changes WHERE seq > $1
                 ORDER BY seq LIMIT $2",
                &[&after, &limit],
            )?
            .iter()
            .map(|row| {
                let kind: &str = row.get(3);
                Ok(ChangeRecord {
                    seq: to_u64(row.get(0)),
                    notice_id: row.get(1),
                    version: to_u64(row.get(2)),
                    kind: change_kind(kind)?,
                })
            })
            .collect::<std::result::Result<Vec<_>, PgError>>()
        })?;
        if let Some(last) = changes.last() {
            self.committed_through(last.seq);
        }
        Ok(changes)
    }

    fn change_feed(&self) -> crate::ChangeFeed {
        // Read from the database, not from what notifications brought so far: a resume token
        // issued by another replica a moment ago is valid here too.
        match self.feed_row() {
            Ok(feed) => feed,
            Err(_) => crate::ChangeFeed {
                lineage: self.inner.feed.lineage(),
                durable_through: self.inner.feed.current(),
            },
        }
    }

    fn subscribe_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.feed.subscribe()
    }
}

impl Maintenance for PgStore {
    fn export_header(&self) -> Result<ExportHeader> {
        Ok(ExportHeader::new(self.feed_row()?.lineage))
    }

    fn export_records(&self, sink: &mut dyn FnMut(ExportRecord) -> Result<()>) -> Result<()> {
        maintenance::export_records(self, sink)
    }

    fn import_records(
        &self,
        header: &ExportHeader,
        records: &mut dyn Iterator<Item = Result<ExportRecord>>,
    ) -> Result<TransferStats> {
        maintenance::import_records(self, header, records)
    }

    fn record_counts(&self) -> Result<RecordCounts> {
        maintenance::record_counts(self)
    }

    fn verify(&self) -> Result<VerifyReport> {
        maintenance::verify(self)
    }

    fn stats(&self) -> Result<StoreStats> {
        maintenance::stats(self)
    }

    fn flush(&self) -> Result<()> {
        // Every commit is already durable; bring the published feed position up to date.
        let last = self.with_conn(|conn| {
            Ok(to_u64(
                conn.query_one("SELECT last FROM feed WHERE id = 1", &[])?
                    .get(0),
            ))
        })?;
        self.committed_through(last);
        Ok(())
    }
}

impl PgStore {
    /// A filtered listing; `keep` runs on the calling thread (it need not be `Send` or
    /// `Sync`), between batches read off the runtime.
    fn list_filtered(
        &self,
        field: SortField,
        descending: bool,
        after: Option<&SortPosition>,
        limit: usize,
        keep: &dyn Fn(&StoredNotice) -> bool,
    ) -> Result<(Vec<Arc<StoredNotice>>, Option<SortPosition>, usize)> {
        // The total counts every match, before the cursor too (it is the same on every page),
        // so the whole ordering is read, in batches.
        let mut out = Vec::new();
        let mut total = 0;
        let mut more = false;
        let mut position: Option<SortPosition> = None;
        loop {
            let from = position.clone();
            let rows = self.with_conn(move |conn| {
                scan_step(conn, field, descending, from.as_ref(), SCAN_BATCH)
            })?;
            let exhausted = bigint(rows.len()) < SCAN_BATCH;
            for (pos, notice) in rows {
                let past_cursor = after.is_none_or(|a| beyond(descending, &pos, a));
                position = Some(pos);
                if !keep(&notice) {
                    continue;
                }
                total += 1;
                if !past_cursor {
                    continue;
                }
                if out.len() < limit {
                    out.push(Arc::new(notice));
                } else {
                    more = true;
                }
            }
            if exhausted {
                break;
            }
        }
        let next = if more {
            out.last().map(|n| (field.key(n), n.id.clone()))
        } else {
            None
        };
        Ok((out, next, total))
    }
}

/// Whether `position` comes after `after` in an ordering: by key in its direction (absent
/// keys last either way), then by id ascending.
fn beyond(descending: bool, position: &SortPosition, after: &SortPosition) -> bool {
    use std::cmp::Ordering;
    let by_key = match (&position.0, &after.0) {
        (Some(x), Some(y)) if descending => y.cmp(x),
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_key.then_with(|| position.1.cmp(&after.1)) == Ordering::Greater
}

/// A position in an ordering as cursor bytes (the form of [`PgStore`]'s cursors): a presence
/// byte, the key, NUL, the id.
pub fn encode_position(position: &SortPosition) -> Vec<u8> {
    let mut raw = vec![u8::from(position.0.is_some())];
    raw.extend_from_slice(position.0.as_deref().unwrap_or_default().as_bytes());
    raw.push(0);
    raw.extend_from_slice(position.1.as_bytes());
    raw
}

/// The position [`encode_position`] wrote; a cursor it did not write is
/// [`StoreError::InvalidCursor`].
pub fn decode_position(raw: &[u8]) -> Result<SortPosition> {
    let (&present, rest) = raw.split_first().ok_or(StoreError::InvalidCursor)?;
    let nul = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or(StoreError::InvalidCursor)?;
    let key = std::str::from_utf8(&rest[..nul]).map_err(|_| StoreError::InvalidCursor)?;
    let id = std::str::from_utf8(&rest[nul + 1..]).map_err(|_| StoreError::InvalidCursor)?;
    Ok(((present == 1).then(|| key.to_owned()), id.to_owned()))
}

pub(crate) fn change_kind(kind: &str) -> std::result::Result<ChangeKind, PgError> {
    match kind {
        "created" => Ok(ChangeKind::Created),
        "updated" => Ok(ChangeKind::Updated),
        "withdrawn" => Ok(ChangeKind::Withdrawn),
        other => Err(PgError::Store(StoreError::Corrupt {
            tree: "changes",
            reason: format!("unknown change kind {other:?}"),
        })),
    }
}

pub(crate) fn change_kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Withdrawn => "withdrawn",
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tls_tests;
