//! Transports that print each Cognito call and its answer (secrets
//! shortened), wrapped around the real ones: the demo and `--verbose` use
//! the ordinary flows and still show every call, like the original study.

use cognito_flows::observe::{CallObserver, CallRecord, Observed};

/// Prints each call when on.
#[derive(Debug, Clone, Copy)]
pub struct Printer(bool);

impl Printer {
    /// A printer that prints.
    pub fn on() -> Self {
        Printer(true)
    }
}

impl CallObserver for Printer {
    fn observe(&self, call: &CallRecord) {
        if self.0 {
            let (Ok(answer) | Err(answer)) = &call.outcome;
            crate::show::call(&call.operation, answer);
        }
    }
}

/// A transport that prints its calls when `verbose`.
pub type Traced<T> = Observed<T, Printer>;

/// Wraps `inner`; prints only when `verbose`.
pub fn traced<T>(inner: T, verbose: bool) -> Traced<T> {
    Observed::new(inner, Printer(verbose))
}
