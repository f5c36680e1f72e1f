//! Where the flows get the time: a parameter, so tests (and emulators with
//! their own clock) can drive expiry and refresh.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// A source of the current time.
pub trait TimeSource: Send + Sync {
    /// Now.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl TimeSource for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl<F: Fn() -> SystemTime + Send + Sync> TimeSource for F {
    fn now(&self) -> SystemTime {
        self()
    }
}

/// A shared time source.
#[derive(Clone)]
pub struct Clock(pub Arc<dyn TimeSource>);

impl Clock {
    /// Now.
    pub fn now(&self) -> SystemTime {
        self.0.now()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock(Arc::new(SystemClock))
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}
