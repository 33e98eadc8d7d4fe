//! sled panics, rather than returning an error, on some damage to its files (a truncated log, a
//! segment that fails its own checks). Every call that may read such damage (opening, flushing,
//! walking whole trees in verify and export) runs under [`guard`], which turns the panic into
//! [`StoreError::Damaged`] naming what was being done and what sled found, so that `serve`
//! exits with a clear error instead of exit status 101, and `verify` can report the damage.
//!
//! The panic hook is process-wide, so it is extended once: while a guarded call runs on a
//! thread, a panic on that thread is recorded for the error instead of being printed; every
//! other panic goes to the hook that was installed before.

use crate::error::{Result, StoreError};
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    /// Set while a guarded call runs on this thread.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// The last panic of a guarded call on this thread, with where it was raised.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: std::sync::Once = std::sync::Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) {
                let message = panic_message(info.payload());
                let place = info
                    .location()
                    .map(|l| format!(" (at {}:{})", l.file(), l.line()))
                    .unwrap_or_default();
                CAUGHT.with(|c| *c.borrow_mut() = Some(format!("{message}{place}")));
            } else {
                previous(info);
            }
        }));
    });
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unknown failure".to_owned())
}

/// Runs `f`, turning a panic inside it into [`StoreError::Damaged`] about `what`.
pub(crate) fn guard<R>(what: &'static str, f: impl FnOnce() -> R) -> Result<R> {
    install_hook();
    let outer = GUARDED.with(|g| g.replace(true));
    // Nothing observes `f`'s state after a panic: the caller drops the store handle or
    // reports the damage, so unwind safety is not at stake.
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(outer));
    result.map_err(|payload| StoreError::Damaged {
        what,
        detail: CAUGHT
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| panic_message(payload.as_ref())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_naming_the_step_and_the_cause() {
        let caught = guard("reading tree pages", || -> u32 {
            panic!("segment header checksum failed")
        });
        let Err(StoreError::Damaged { what, detail }) = caught else {
            panic!("expected Damaged, got {caught:?}");
        };
        assert_eq!(what, "reading tree pages");
        assert!(
            detail.contains("segment header checksum failed"),
            "{detail}"
        );
        assert!(
            detail.contains("damage.rs"),
            "where it was raised: {detail}"
        );
        assert_eq!(guard("no panic", || 7).ok(), Some(7));
    }
}
