//! Group commit: the changes of every request that finished while the last
//! transaction was being written go to disk together, in one transaction.
//!
//! A transaction costs tens of microseconds however few rows it holds, so
//! a commit per request caps cheap writes (a new identity, a sign-up) at a
//! few thousand a second. Instead, requests change memory under their
//! service's lock as always, and the first one to reach the data dir
//! drains what every request changed so far ("a drain") while the others
//! wait for the drain that covers them.
//!
//! Which drain covers a request is decided by an **epoch**, the number of
//! drains begun. A drain takes every service's lock, increments the epoch
//! and takes the changes, all at once. A request that changed something
//! reads the epoch while it still holds the lock it changed things under:
//! its **ticket**. A ticket `t` read before drain `t + 1` began means its
//! changes were taken by drain `t + 1`, not earlier (drain `t` ended
//! before the read) and not later; so the outcome of drain `t + 1` is the
//! request's. Those reads and increments all happen under the same locks,
//! so no ordering subtler than a mutex's is needed.
//!
//! When a drain's write fails, the memory goes back to what is stored:
//! under every lock, the epoch moves on and the state is read back. Every
//! ticket below that new epoch fails: those of the failed drain, and those
//! of requests that changed memory while it was being written, whose
//! changes the read-back undid too. No request is told "stored" for a
//! change that is not, nor "refused" for one that is.
//!
//! Whether a request changed anything is counted per thread
//! ([`note_change`] from every tracked map, compared before and after a
//! lock is held), so a request that only read waits for nothing.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::ops::Range;

use super::StoreError;

thread_local! {
    /// Changes marked on this thread so far (it only grows).
    static CHANGES_MARKED: Cell<u64> = const { Cell::new(0) };
}

tokio::task_local! {
    /// The tickets of the request this task serves, once it changed something.
    static TICKETS: RefCell<Tickets>;
}

/// Counts one change to durable state on this thread.
pub fn note_change() {
    CHANGES_MARKED.with(|n| n.set(n.get().wrapping_add(1)));
}

/// How many changes this thread has marked: compare two readings to know
/// whether code in between changed durable state.
pub fn changes_marked() -> u64 {
    CHANGES_MARKED.with(Cell::get)
}

/// The tickets one request took: one per lock it changed things under,
/// usually one. The request is answered once the drain after the last one
/// is done, and its changes stand only if every one of them was stored.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tickets(Vec<u64>);

impl Tickets {
    /// Whether the request changed nothing durable.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The last ticket: the drain after it is the one to wait for.
    pub fn last(&self) -> Option<u64> {
        self.0.iter().copied().max()
    }

    /// Remembers `ticket` too.
    pub fn add(&mut self, ticket: u64) {
        if !self.0.contains(&ticket) {
            self.0.push(ticket);
        }
    }
}

/// Gives the current request `epoch` as a ticket. Outside a request (the
/// seed, tests driving the engine), nothing to remember: the next drain
/// takes those changes.
pub fn note_ticket(epoch: u64) {
    let _ = TICKETS.try_with(|t| t.borrow_mut().add(epoch));
}

/// Runs a request, and says which tickets it took (none: it changed
/// nothing durable).
pub async fn with_tickets<F: Future>(request: F) -> (F::Output, Tickets) {
    TICKETS
        .scope(RefCell::new(Tickets::default()), async move {
            let output = request.await;
            (output, TICKETS.with(|t| t.take()))
        })
        .await
}

/// How many failed drains are remembered for the requests still waiting.
/// A request waits for the drain after its ticket, so only a long run of
/// failures while it was parked could push its own out; it is then told
/// its change failed (the memory was reloaded since, so that is true of
/// whatever it changed unless an earlier drain stored it).
const FAILURES_KEPT: usize = 1024;

/// What the drains so far decided for the tickets below
/// [`Outcomes::resolved_below`].
#[derive(Debug, Default)]
pub struct Outcomes {
    /// Every ticket below this has its outcome.
    resolved_below: u64,
    /// Tickets whose changes were undone, and why (oldest first).
    failed: VecDeque<(Range<u64>, StoreError)>,
    /// Tickets below this whose failures were forgotten.
    forgotten_below: u64,
}

impl Outcomes {
    /// The outcome of `ticket`, or None while no drain covers it yet.
    pub fn of(&self, ticket: u64) -> Option<Result<(), StoreError>> {
        if ticket >= self.resolved_below {
            return None;
        }
        if let Some((_, e)) = self.failed.iter().rev().find(|(r, _)| r.contains(&ticket)) {
            return Some(Err(e.clone()));
        }
        if ticket < self.forgotten_below {
            return Some(Err(StoreError::new(
                "the outcome of this change was lost among many failed writes",
            )));
        }
        Some(Ok(()))
    }

    /// The outcome of a request that took `tickets`, or None while its last
    /// ticket is not settled: the first failure among them, if any.
    pub fn of_request(&self, tickets: &Tickets) -> Option<Result<(), StoreError>> {
        // Every other ticket is below the last: settled with it.
        let _settled = self.of(tickets.last()?)?;
        for &ticket in &tickets.0 {
            if let Some(Err(e)) = self.of(ticket) {
                return Some(Err(e));
            }
        }
        Some(Ok(()))
    }

    /// Drain `epoch` stored its changes: every ticket below it is settled.
    pub fn stored(&mut self, epoch: u64) {
        self.resolved_below = self.resolved_below.max(epoch);
    }

    /// The memory was read back at `epoch` after a failed write: every
    /// ticket not yet settled below it failed with `error`.
    pub fn undone(&mut self, epoch: u64, error: StoreError) {
        if epoch > self.resolved_below {
            self.failed.push_back((self.resolved_below..epoch, error));
            self.resolved_below = epoch;
        }
        while self.failed.len() > FAILURES_KEPT {
            if let Some((range, _)) = self.failed.pop_front() {
                self.forgotten_below = range.end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_waits_for_the_drain_after_it() {
        let mut o = Outcomes::default();
        assert!(o.of(0).is_none());
        o.stored(1);
        assert!(o.of(0).unwrap().is_ok());
        assert!(o.of(1).is_none(), "ticket 1 is drain 2's");
        o.stored(2);
        assert!(o.of(1).unwrap().is_ok());
    }

    #[test]
    fn a_failed_drain_fails_every_unsettled_ticket_below_the_read_back() {
        let mut o = Outcomes::default();
        o.stored(3);
        // Drain 4 failed; the read-back moved the epoch to 6.
        o.undone(6, StoreError::new("disk full"));
        for t in 0..3 {
            assert!(o.of(t).unwrap().is_ok(), "ticket {t} was stored before");
        }
        for t in 3..6 {
            assert_eq!(o.of(t).unwrap().unwrap_err().to_string(), "disk full");
        }
        assert!(o.of(6).is_none());
        o.stored(8);
        assert!(o.of(6).unwrap().is_ok() && o.of(7).unwrap().is_ok());
        assert!(o.of(4).unwrap().is_err(), "a failure stays a failure");
    }

    #[test]
    fn forgotten_failures_are_still_failures() {
        let mut o = Outcomes::default();
        for epoch in 1..=(FAILURES_KEPT as u64 + 10) {
            o.undone(epoch, StoreError::new("read-only"));
        }
        assert!(o.of(0).unwrap().is_err());
        assert!(o.of(FAILURES_KEPT as u64).unwrap().is_err());
        assert!(o.failed.len() <= FAILURES_KEPT);
    }

    #[test]
    fn marks_are_counted_per_thread() {
        let before = changes_marked();
        note_change();
        assert_eq!(changes_marked(), before + 1);
        std::thread::spawn(|| assert_eq!(changes_marked(), 0))
            .join()
            .unwrap();
    }

    #[tokio::test]
    async fn a_request_keeps_every_ticket_it_took() {
        let ((), none) = with_tickets(async {}).await;
        assert!(none.is_empty());
        let ((), tickets) = with_tickets(async {
            note_ticket(4);
            tokio::task::yield_now().await;
            note_ticket(4);
            note_ticket(7);
        })
        .await;
        assert_eq!(tickets, Tickets(vec![4, 7]));
        assert_eq!(tickets.last(), Some(7));
        // Outside a request it is simply not kept.
        note_ticket(9);
    }

    #[test]
    fn a_request_fails_if_any_of_its_changes_was_undone() {
        let mut o = Outcomes::default();
        let request = Tickets(vec![2, 9]);
        o.stored(2);
        o.undone(5, StoreError::new("disk full"));
        assert!(o.of_request(&request).is_none(), "ticket 9 is not settled");
        o.stored(10);
        assert!(o.of_request(&request).unwrap().is_err());
        assert!(o.of_request(&Tickets(vec![1, 9])).unwrap().is_ok());
        assert!(o.of_request(&Tickets::default()).is_none());
    }
}
