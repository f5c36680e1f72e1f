//! The mock's clock: real time plus an offset tests can advance.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A clock shared by everything in one mock. Cloning shares the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// The mock's current time.
    pub fn now(&self) -> SystemTime {
        let offset = self.offset_secs.load(Ordering::Relaxed);
        let real = SystemTime::now();
        if offset >= 0 {
            real + Duration::from_secs(offset as u64)
        } else {
            real - Duration::from_secs(offset.unsigned_abs())
        }
    }

    /// Seconds since the epoch, by the mock's clock.
    pub fn unix(&self) -> i64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }

    /// Moves the clock forward (tests use this to expire tokens and codes).
    pub fn advance(&self, by: Duration) {
        self.offset_secs
            .fetch_add(by.as_secs() as i64, Ordering::Relaxed);
    }
}
