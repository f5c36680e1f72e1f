//! The mock's clock: real time plus an offset tests can advance.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The latest moment the clock may show: ten years before the end of
/// 9999, so every lifetime added to "now" (refresh tokens live up to ten
/// years) still has a Cognito timestamp and an RFC 3339 date.
pub const LATEST_UNIX: i64 = 253_402_300_799 - 10 * 366 * 86_400;

/// A clock shared by everything in one mock. Cloning shares the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
    /// Set for a clock that stands still (see [`Clock::fixed`]).
    fixed_at: Option<i64>,
}

/// Why the clock cannot move as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockRangeError {
    /// The latest time the clock may show, in seconds since the epoch.
    pub latest_unix: i64,
}

impl std::fmt::Display for ClockRangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the mock's clock cannot pass {} seconds since the epoch (the end of the year 9989)",
            self.latest_unix
        )
    }
}

impl std::error::Error for ClockRangeError {}

impl Clock {
    /// A clock that shows `unix` (seconds since the epoch) until advanced,
    /// so runs of the same requests see the same times.
    pub fn fixed(unix: i64) -> Self {
        Clock {
            offset_secs: Arc::default(),
            fixed_at: Some(unix.clamp(0, LATEST_UNIX)),
        }
    }

    /// The real time, or the fixed one.
    fn base(&self) -> i64 {
        self.fixed_at.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        })
    }

    /// The mock's current time.
    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.unix().max(0) as u64)
    }

    /// Seconds since the epoch, by the mock's clock.
    pub fn unix(&self) -> i64 {
        // The offset is kept in range by `try_advance`; saturating keeps a
        // real clock set far ahead from overflowing.
        self.base()
            .saturating_add(self.offset_secs.load(Ordering::Relaxed))
            .min(LATEST_UNIX)
    }

    /// How far the clock has been moved forward, in seconds (kept in a
    /// data dir, so time moved forward stays moved after a restart).
    pub(crate) fn offset(&self) -> i64 {
        self.offset_secs.load(Ordering::Relaxed)
    }

    /// Restores an offset read from a data dir.
    pub(crate) fn set_offset(&self, secs: i64) {
        self.offset_secs.store(secs, Ordering::Relaxed);
    }

    /// Moves the clock forward (tests use this to expire tokens and codes).
    ///
    /// # Panics
    /// If the clock would pass [`LATEST_UNIX`]; [`Clock::try_advance`]
    /// reports that as an error instead.
    pub fn advance(&self, by: Duration) {
        if let Err(e) = self.try_advance(by) {
            panic!("{e}");
        }
    }

    /// Moves the clock forward, unless the result would pass
    /// [`LATEST_UNIX`]; the clock is unchanged on error. Returns the new time.
    pub fn try_advance(&self, by: Duration) -> Result<i64, ClockRangeError> {
        let range = ClockRangeError {
            latest_unix: LATEST_UNIX,
        };
        let by = i64::try_from(by.as_secs()).map_err(|_| range.clone())?;
        let real = self.base();
        self.offset_secs
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                let offset = offset.checked_add(by)?;
                (real.checked_add(offset)? <= LATEST_UNIX).then_some(offset)
            })
            .map_err(|_| range)?;
        Ok(self.unix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_past_the_representable_range_is_refused_and_changes_nothing() {
        let clock = Clock::default();
        let before = clock.unix();
        for secs in [9_223_372_036_854_774_807, u64::MAX, i64::MAX as u64 + 1] {
            assert!(clock.try_advance(Duration::from_secs(secs)).is_err());
            let now = clock.unix();
            assert!((before..before + 5).contains(&now), "{before} → {now}");
        }
        let to_the_edge = (LATEST_UNIX - clock.unix() - 100) as u64;
        assert!(clock.try_advance(Duration::from_secs(to_the_edge)).is_ok());
        assert!(clock.try_advance(Duration::from_secs(1000)).is_err());
        assert!(clock.unix() <= LATEST_UNIX);
        assert!(clock.now() > SystemTime::now());
    }

    #[test]
    fn a_fixed_clock_stands_still_until_advanced() {
        let clock = Clock::fixed(1_800_000_000);
        assert_eq!(clock.unix(), 1_800_000_000);
        clock.advance(Duration::from_secs(60));
        assert_eq!(clock.unix(), 1_800_000_060);
        assert_eq!(clock.clone().unix(), 1_800_000_060, "clones share it");
    }

    #[test]
    fn advancing_moves_forward() {
        let clock = Clock::default();
        let before = clock.unix();
        let after = clock.try_advance(Duration::from_secs(3600)).unwrap();
        assert!(after >= before + 3600);
    }
}
