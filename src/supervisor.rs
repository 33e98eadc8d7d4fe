//! The process supervisor: every long-lived task of a `gazette` process (the gRPC server, the
//! crawl worker, the metrics listener, the demo site) runs in one [`Supervisor`], which owns
//! the shutdown token they all listen to.
//!
//! - The first task to fail (an error, a panic, or a task that must run until shutdown ending
//!   early) cancels the token, so every other task stops, and its error becomes the process's
//!   error and a non-zero exit.
//! - After shutdown is requested the tasks get a deadline to finish (in-flight RPCs drain, the
//!   crawl stops at a safe point); any still running then is aborted, so a stuck task cannot
//!   hold the process up.
//!
//! Nothing fallible is left for a task to discover at start: setup (TLS, reflection,
//! listeners) happens before tasks are spawned, so an error there never follows a "serving" log.

use anyhow::Context;
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Whether a task may finish on its own before shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Serves until shutdown (a listener): ending earlier is a failure.
    UntilShutdown,
    /// May finish its work and end (a worker with nothing scheduled).
    MayFinish,
}

/// What one task ended with, with the task's name.
type Ended = (&'static str, Lifetime, anyhow::Result<()>);

/// A set of named tasks that stand or fall together. See the module documentation.
pub struct Supervisor {
    tasks: JoinSet<Ended>,
    cancel: CancellationToken,
    deadline: Duration,
}

impl Supervisor {
    /// A supervisor whose tasks stop when `cancel` fires (a signal) or one of them fails, and
    /// get `deadline` to finish after that. A failure cancels a child of `cancel`, not
    /// `cancel` itself, which belongs to the caller.
    pub fn new(cancel: &CancellationToken, deadline: Duration) -> Self {
        Self {
            tasks: JoinSet::new(),
            cancel: cancel.child_token(),
            deadline,
        }
    }

    /// The token every task must stop on; cancelled when shutdown starts for any reason.
    pub fn token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Starts `task` under `name`.
    pub fn spawn<F>(&mut self, name: &'static str, lifetime: Lifetime, task: F)
    where
        F: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.tasks
            .spawn(async move { (name, lifetime, task.await) });
    }

    /// Waits until shutdown is requested or a task fails, then stops the rest under the
    /// deadline. Returns the first failure (the one that caused the shutdown, or else the first
    /// during it), or `Ok` when every task stopped cleanly.
    pub async fn wait(mut self) -> anyhow::Result<()> {
        let mut failure: Option<anyhow::Error> = None;
        loop {
            tokio::select! {
                biased;
                _ = self.cancel.cancelled() => break,
                joined = self.tasks.join_next() => match joined {
                    None => break,
                    Some(joined) => {
                        if let Err(error) = outcome(joined, false) {
                            tracing::error!(error = %format!("{error:#}"), "stopping the process");
                            failure = Some(error);
                            break;
                        }
                    }
                },
            }
        }
        self.cancel.cancel();
        tracing::info!("shutting down");
        let drained = tokio::time::timeout(self.deadline, async {
            let mut first = None;
            while let Some(joined) = self.tasks.join_next().await {
                if let Err(error) = outcome(joined, true) {
                    tracing::error!(error = %format!("{error:#}"), "task failed while stopping");
                    first.get_or_insert(error);
                }
            }
            first
        })
        .await;
        match drained {
            Ok(error) => failure = failure.or(error),
            Err(_) => {
                tracing::warn!(
                    deadline = ?self.deadline,
                    tasks = self.tasks.len(),
                    "shutdown deadline passed; aborting the tasks still running"
                );
                self.tasks.abort_all();
                // Reap the aborted tasks so none outlives the supervisor (and the store flush
                // that follows it).
                while self.tasks.join_next().await.is_some() {}
            }
        }
        failure.map_or(Ok(()), Err)
    }
}

/// A task's end as a result: errors and panics fail, and so does a task that must serve until
/// shutdown ending before it (`stopping` is false).
fn outcome(joined: Result<Ended, tokio::task::JoinError>, stopping: bool) -> anyhow::Result<()> {
    match joined {
        Ok((name, lifetime, result)) => {
            result.with_context(|| format!("{name} failed"))?;
            anyhow::ensure!(
                stopping || lifetime == Lifetime::MayFinish,
                "{name} stopped unexpectedly"
            );
            Ok(())
        }
        Err(error) if error.is_cancelled() => Ok(()),
        Err(error) => Err(anyhow::anyhow!("a task panicked: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    const DEADLINE: Duration = Duration::from_secs(20);

    /// A task that runs until the token fires, then records that it stopped.
    async fn until_cancelled(
        cancel: CancellationToken,
        stopped: Arc<AtomicBool>,
    ) -> anyhow::Result<()> {
        cancel.cancelled().await;
        stopped.store(true, Ordering::SeqCst);
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_failure_stops_every_task_and_is_returned() {
        let mut tasks = Supervisor::new(&CancellationToken::new(), DEADLINE);
        let stopped = Arc::new(AtomicBool::new(false));
        tasks.spawn(
            "server",
            Lifetime::UntilShutdown,
            until_cancelled(tasks.token(), Arc::clone(&stopped)),
        );
        tasks.spawn("metrics listener", Lifetime::UntilShutdown, async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            anyhow::bail!("accept failed")
        });
        let error = tasks.wait().await.expect_err("a task failed");
        assert_eq!(
            format!("{error:#}"),
            "metrics listener failed: accept failed"
        );
        assert!(stopped.load(Ordering::SeqCst), "the server was not stopped");
    }

    #[tokio::test(start_paused = true)]
    async fn a_listener_that_ends_early_or_panics_is_a_failure() {
        let mut tasks = Supervisor::new(&CancellationToken::new(), DEADLINE);
        tasks.spawn("server", Lifetime::UntilShutdown, async { Ok(()) });
        let error = tasks.wait().await.expect_err("ended early");
        assert!(format!("{error:#}").contains("server stopped unexpectedly"));

        let mut tasks = Supervisor::new(&CancellationToken::new(), DEADLINE);
        tasks.spawn("worker", Lifetime::MayFinish, async {
            panic!("worker bug");
        });
        let error = tasks.wait().await.expect_err("panicked");
        assert!(format!("{error:#}").contains("panicked"), "{error:#}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_finished_worker_is_not_a_failure_and_a_signal_stops_cleanly() {
        let cancel = CancellationToken::new();
        let mut tasks = Supervisor::new(&cancel, DEADLINE);
        let stopped = Arc::new(AtomicBool::new(false));
        tasks.spawn("worker", Lifetime::MayFinish, async { Ok(()) });
        tasks.spawn(
            "server",
            Lifetime::UntilShutdown,
            until_cancelled(tasks.token(), Arc::clone(&stopped)),
        );
        let waiting = tokio::spawn(tasks.wait());
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(!waiting.is_finished(), "stopped before the signal");
        cancel.cancel();
        waiting.await.expect("join").expect("clean stop");
        assert!(stopped.load(Ordering::SeqCst));
    }

    #[tokio::test(start_paused = true)]
    async fn tasks_still_running_at_the_deadline_are_aborted() {
        /// Sets its flag when dropped, which an aborted task's future is.
        struct DropFlag(Arc<AtomicBool>);
        impl Drop for DropFlag {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let cancel = CancellationToken::new();
        let mut tasks = Supervisor::new(&cancel, DEADLINE);
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = DropFlag(Arc::clone(&dropped));
        tasks.spawn("stuck", Lifetime::UntilShutdown, async move {
            let _flag = flag;
            // Ignores the token: only the abort can end it.
            std::future::pending::<()>().await;
            Ok(())
        });
        cancel.cancel();
        let started = tokio::time::Instant::now();
        tasks
            .wait()
            .await
            .expect("an abort at the deadline is not a failure");
        assert!(dropped.load(Ordering::SeqCst), "the stuck task still runs");
        assert!(started.elapsed() >= DEADLINE, "aborted before the deadline");
    }
}
