//! Accounting for expensive work: SRP exponentiations, password
//! verifiers, RSA keys, signatures and verifications.
//!
//! The engine's rule is that none of it runs while a state lock is held
//! (see [`crate::engine`]). Every lock guard is wrapped in [`Held`], which
//! counts the locks this thread holds, and every expensive step goes
//! through [`expensive`] or [`note_expensive_work`], which counts it, and
//! counts it again if a lock is held. Tests read the counters through
//! [`expensive_work_counters`]. A leaf module: it knows no other.

use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    /// State locks this thread holds right now.
    static LOCKS_HELD: Cell<u32> = const { Cell::new(0) };
}

/// Expensive steps run so far, and how many of them with a state lock held.
static EXPENSIVE: AtomicU64 = AtomicU64::new(0);
static EXPENSIVE_UNDER_LOCK: AtomicU64 = AtomicU64::new(0);

/// Records an expensive step (a modular exponentiation, a password
/// verifier, an RSA signature or key): counted, and counted again if a
/// state lock is held on this thread, which the engine's pattern forbids.
pub(crate) fn note_expensive_work() {
    EXPENSIVE.fetch_add(1, Ordering::Relaxed);
    if LOCKS_HELD.with(Cell::get) > 0 {
        EXPENSIVE_UNDER_LOCK.fetch_add(1, Ordering::Relaxed);
    }
}

/// Runs an expensive step (see [`note_expensive_work`]).
pub(crate) fn expensive<T>(step: impl FnOnce() -> T) -> T {
    note_expensive_work();
    step()
}

/// Expensive steps in this process so far: (all, those with a state lock
/// held). Both only grow.
pub fn expensive_work_counters() -> (u64, u64) {
    (
        EXPENSIVE.load(Ordering::Relaxed),
        EXPENSIVE_UNDER_LOCK.load(Ordering::Relaxed),
    )
}

/// A lock guard that tells [`note_expensive_work`] a lock is held.
#[derive(Debug)]
pub(crate) struct Held<G> {
    guard: G,
}

impl<G> Held<G> {
    /// Marks `guard`'s lock as held on this thread until it is dropped.
    pub(crate) fn new(guard: G) -> Self {
        LOCKS_HELD.with(|n| n.set(n.get() + 1));
        Held { guard }
    }
}

impl<G> Drop for Held<G> {
    fn drop(&mut self) {
        LOCKS_HELD.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

impl<G: Deref> Deref for Held<G> {
    type Target = G::Target;
    fn deref(&self) -> &G::Target {
        &self.guard
    }
}

impl<G: DerefMut> DerefMut for Held<G> {
    fn deref_mut(&mut self) -> &mut G::Target {
        &mut self.guard
    }
}
