//! Which store a process opens: a directory (sled, the embedded default) or a database URL.
//! [`open_store`] is the one place that names a backend type; everything else holds
//! `Arc<dyn Store>`.

use anyhow::Context;
use gazette_store::{SledStore, Store, StoreError, StoreOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A sled database in this directory.
    Dir(PathBuf),
    /// A database server (`postgres://…`).
    Url(String),
}

impl StoreLocation {
    /// `postgres://…` or `postgresql://…` names a database server; anything else is a
    /// directory.
    pub fn parse(text: &str) -> Self {
        let lower = text.trim().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Self::Url(text.trim().to_owned())
        } else {
            Self::Dir(PathBuf::from(text))
        }
    }
}

impl std::fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Dir(dir) => write!(f, "{}", dir.display()),
            // Never the password a URL may carry (in its authority or as `password=`).
            Self::Url(url) => f.write_str(&gazette_store::postgres::redact_url(url)),
        }
    }
}

/// Whether to create a store that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// Create it (a data directory, or the schema in an empty database).
    IfMissing,
    /// Fail: the store must exist (export, verify).
    Never,
}

/// Opens the store at `location`. A failure is a [`StoreError`] in context (a damaged sled
/// store is [`StoreError::Damaged`], which callers may tell apart by downcasting).
pub fn open_store(
    location: &StoreLocation,
    options: StoreOptions,
    create: Create,
) -> anyhow::Result<Arc<dyn Store>> {
    match location {
        StoreLocation::Dir(dir) => {
            match create {
                Create::IfMissing => std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating data dir {}", dir.display()))?,
                Create::Never => anyhow::ensure!(dir.is_dir(), "no store at {}", dir.display()),
            }
            Ok(Arc::new(open_dir(dir, options)?))
        }
        // A database is created by its operator; the schema is applied (or checked) either
        // way, so `Never` changes nothing here.
        StoreLocation::Url(url) => {
            let store = gazette_store::postgres::PgStore::open(url).map_err(|error| {
                anyhow::Error::new(error).context(format!("opening {location}"))
            })?;
            Ok(Arc::new(store))
        }
    }
}

fn open_dir(dir: &Path, options: StoreOptions) -> anyhow::Result<SledStore> {
    SledStore::open_with(dir, options).map_err(|error| {
        // Damage says what to do itself; any other failure to open is most often the lock.
        let hint = if matches!(error, StoreError::Damaged { .. }) {
            ""
        } else {
            " (is a gazette server running on it?)"
        };
        anyhow::Error::new(error).context(format!("opening the store in {}{hint}", dir.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_servers_and_anything_else_a_directory() {
        assert_eq!(
            StoreLocation::parse("postgres://u:secret@127.0.0.1/g"),
            StoreLocation::Url("postgres://u:secret@127.0.0.1/g".into())
        );
        assert!(matches!(
            StoreLocation::parse("PostgreSQL://h/g"),
            StoreLocation::Url(_)
        ));
        assert_eq!(
            StoreLocation::parse("./gazette-data"),
            StoreLocation::Dir("./gazette-data".into())
        );
        let shown = StoreLocation::parse("postgres://u:secret@127.0.0.1/g").to_string();
        assert!(!shown.contains("secret"), "{shown}");
        let shown = StoreLocation::parse("postgres://u@127.0.0.1/g?password=secret").to_string();
        assert!(!shown.contains("secret"), "{shown}");
    }
}
