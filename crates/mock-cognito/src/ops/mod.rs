//! The operations as the engine runs them, between the HTTP adapter and
//! the services' state.
//!
//! Each follows the engine's one pattern (see [`crate::engine`]): read and
//! decide under a lock, run the expensive work (SRP exponentiations,
//! password checks, RSA signatures) with no lock held, then commit under
//! the lock with a re-check of what may have changed meanwhile. The
//! service modules (`user_pool`, `identity_pool`) hold the state and the
//! decisions; this module only sequences them around the locks.

pub(crate) mod identity_pool;
pub(crate) mod user_pool;
