//! The change feed across replicas: each transaction that logs changes sends
//! `NOTIFY gazette_changes` with its last position (delivered at commit), and every replica
//! keeps one connection listening on a thread of its own, publishing the newest position to
//! the `tokio::sync::watch` channel behind [`crate::NoticeStore::subscribe_changes`]. The
//! thread also reads the feed's position whenever no notification came for a poll interval,
//! which covers a notification lost with a dropped connection; it reconnects after the same
//! interval.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The notification channel.
pub const CHANNEL: &str = "gazette_changes";

/// The listening connection's `application_name` (unless the URL sets one).
pub const LISTENER_NAME: &str = "gazette change feed";

/// The newest committed change-log position, kept current by a listening thread.
pub(crate) struct FeedWatch {
    durable: Arc<tokio::sync::watch::Sender<u64>>,
    /// The database's lineage as last read (an import may replace it).
    lineage: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl FeedWatch {
    /// Starts listening on a connection of its own made by `connector` (TLS as the pool's).
    pub(crate) fn start(
        connector: Arc<super::tls::Connector>,
        lineage: u64,
        last: u64,
        poll: Duration,
    ) -> Self {
        let (sender, _) = tokio::sync::watch::channel(last);
        let durable = Arc::new(sender);
        let lineage = Arc::new(AtomicU64::new(lineage));
        let stop = Arc::new(AtomicBool::new(false));
        let feed = Feed {
            durable: Arc::clone(&durable),
        };
        let thread_stop = Arc::clone(&stop);
        let spawned = std::thread::Builder::new()
            .name("gazette-pg-feed".into())
            .spawn(move || listen(&connector, &feed, &thread_stop, poll));
        if let Err(error) = spawned {
            // Without the thread, watchers still see this process's own commits and whatever
            // a read of the log finds; nothing is lost, other replicas' changes come later.
            tracing_free_warning(&format!("no change-feed listener thread: {error}"));
        }
        Self {
            durable,
            lineage,
            stop,
        }
    }

    pub(crate) fn lineage(&self) -> u64 {
        self.lineage.load(Ordering::SeqCst)
    }

    pub(crate) fn set_lineage(&self, lineage: u64) {
        self.lineage.store(lineage, Ordering::SeqCst);
    }

    /// Raises the published position to `last` (positions only grow).
    pub(crate) fn publish(&self, last: u64) {
        publish(&self.durable, last);
    }

    pub(crate) fn current(&self) -> u64 {
        *self.durable.borrow()
    }

    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.durable.subscribe()
    }

    /// Ends the listening thread (within one poll interval).
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn publish(durable: &tokio::sync::watch::Sender<u64>, last: u64) {
    durable.send_if_modified(|current| {
        if last > *current {
            *current = last;
            true
        } else {
            false
        }
    });
}

/// This crate logs nothing itself (no logging dependency); the one condition worth telling an
/// operator goes to standard error.
fn tracing_free_warning(message: &str) {
    eprintln!("gazette-store: {message}");
}

/// What the listening thread keeps current.
struct Feed {
    durable: Arc<tokio::sync::watch::Sender<u64>>,
}

fn listen(connector: &super::tls::Connector, feed: &Feed, stop: &AtomicBool, poll: Duration) {
    while !stop.load(Ordering::SeqCst) {
        if let Err(error) = listen_once(connector, feed, stop, poll) {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            tracing_free_warning(&format!(
                "change-feed connection lost ({}); retrying in {poll:?}",
                super::error_chain(&error)
            ));
            std::thread::sleep(poll);
        }
    }
}

fn listen_once(
    connector: &super::tls::Connector,
    feed: &Feed,
    stop: &AtomicBool,
    poll: Duration,
) -> Result<(), postgres::Error> {
    use postgres::fallible_iterator::FallibleIterator;
    let mut client = connector.connect_named(LISTENER_NAME)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    // Read after LISTEN: a commit in between is either notified or seen here.
    let read = |client: &mut postgres::Client| -> Result<(), postgres::Error> {
        // Only the position: a read that raced an import could bring back the lineage it
        // replaced (the lineage is read with each `change_feed` instead).
        let row = client.query_one("SELECT last FROM feed WHERE id = 1", &[])?;
        publish(&feed.durable, super::to_u64(row.get(0)));
        Ok(())
    };
    read(&mut client)?;
    while !stop.load(Ordering::SeqCst) {
        let woken = {
            let mut notifications = client.notifications();
            let mut iter = notifications.timeout_iter(poll);
            iter.next()?.is_some()
        };
        if woken {
            // Take whatever else arrived with it: one read covers them all.
            let mut notifications = client.notifications();
            let mut pending = notifications.iter();
            while pending.next()?.is_some() {}
        }
        // Notified or not (a quiet interval), the feed row says where the log stands.
        read(&mut client)?;
    }
    Ok(())
}
