//! Store errors.

/// What can go wrong reading or writing the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed (I/O, or the database is locked by another process). The cause is
    /// kept as text so that no backend type appears in this crate's API.
    #[error("storage backend: {0}")]
    Backend(String),
    /// A record could not be encoded or decoded.
    #[error("record codec in tree {tree}: {source}")]
    Codec {
        /// The tree holding the record.
        tree: &'static str,
        /// The serde error.
        source: serde_json::Error,
    },
    /// A record failed its checksum or framing check.
    #[error("corrupt record in tree {tree}: {reason}")]
    Corrupt {
        /// The tree holding the record.
        tree: &'static str,
        /// What check failed.
        reason: String,
    },
    /// The database was written by a newer gazette.
    #[error("store schema version {found} is newer than this build understands ({supported})")]
    SchemaTooNew {
        /// Version found on disk.
        found: u32,
        /// Highest version this build reads.
        supported: u32,
    },
    /// Reading or writing an export stream failed.
    #[error("i/o: {0}")]
    Io(String),
    /// An import stream is malformed.
    #[error("import: {0}")]
    Import(String),
    /// Compressing or decompressing a page body failed.
    #[error("page body codec: {0}")]
    BodyCodec(std::io::Error),
    /// A frontier step named a source with no run in progress.
    #[error("source {source_name} has no crawl run in progress")]
    NoRun {
        /// The source.
        source_name: String,
    },
    /// sled found its files damaged (and panicked, which [`crate::damage`] turns into this).
    #[error(
        "the store's files are damaged ({what}: {detail}); restore the last export into a new data directory with `gazette import`, or a copy of the data directory taken while stopped"
    )]
    Damaged {
        /// What was being done: opening, flushing, reading a tree.
        what: &'static str,
        /// What sled reported.
        detail: String,
    },
    /// A page token or cursor did not decode.
    #[error("invalid cursor")]
    InvalidCursor,
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, StoreError>;
