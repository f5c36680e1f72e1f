//! The mock's engine: its state, one lock per service, and the sources of
//! time, randomness and keys every operation draws on.
//!
//! Every operation follows one pattern: read and decide under a lock, do
//! the expensive work (SRP exponentiations, password verifiers, RSA
//! signatures) with no lock held, then take the lock again to commit,
//! re-checking what may have changed meanwhile. [`crate::work`] counts
//! any expensive step that runs with a state lock held, so a test can show
//! the pattern holds.
//!
//! The state is split by service, so the two services' calls do not queue
//! behind each other:
//! - user pools: a read-write lock. Identity-pool calls only read them (to
//!   verify a user-pool ID token), as do sign-in's decide steps;
//! - the fake external providers: a read-write lock;
//! - identity pools, and the credentials they issue: a mutex each.
//!
//! Locks are always taken in that order (user pools, providers, identity
//! pools, credentials), so two calls never wait on each other in a cycle.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::clock::Clock;
use crate::credentials::CredentialStore;
use crate::external_idp::ExternalProviders;
use crate::identity_pool::IdentityPools;
use crate::ids::Randomness;
use crate::jwt::KeyFactory;
use crate::user_pool::{Context, IssuerMode, UserPools};
use crate::work::Held;

/// Settings fixed when the mock starts.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The region when a request names none (`--region`, the seed's).
    pub(crate) default_region: String,
    /// How user-pool token issuers are formed.
    pub(crate) issuer_mode: IssuerMode,
    /// The mock's own URL, e.g. `http://127.0.0.1:9229`.
    pub(crate) endpoint: String,
    /// The port it listens on.
    pub(crate) port: u16,
}

/// What every request of one mock shares.
pub(crate) type Shared = std::sync::Arc<Engine>;

/// The state of one mock and what its operations need.
#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) clock: Clock,
    pub(crate) rng: Randomness,
    pub(crate) keys: KeyFactory,
    pub(crate) settings: Settings,
    user_pools: RwLock<UserPools>,
    providers: RwLock<ExternalProviders>,
    identity_pools: Mutex<IdentityPools>,
    credentials: Mutex<CredentialStore>,
}

impl Engine {
    /// An empty mock.
    pub(crate) fn new(clock: Clock, rng: Randomness, keys: KeyFactory, settings: Settings) -> Self {
        let identity_pools = IdentityPools::new(&rng, &keys);
        Engine {
            clock,
            settings,
            user_pools: RwLock::new(UserPools::default()),
            providers: RwLock::new(ExternalProviders::new(rng.clone(), keys.clone())),
            identity_pools: Mutex::new(identity_pools),
            credentials: Mutex::new(CredentialStore::new(rng.clone())),
            rng,
            keys,
        }
    }

    /// The context of a request with no region of its own.
    pub(crate) fn context(&self) -> Context<'_> {
        self.context_in(None)
    }

    /// The context of a request whose SigV4 scope names `region`.
    pub(crate) fn context_in<'a>(&'a self, region: Option<&'a str>) -> Context<'a> {
        Context {
            clock: &self.clock,
            rng: &self.rng,
            keys: &self.keys,
            default_region: &self.settings.default_region,
            request_region: region,
            issuer_mode: self.settings.issuer_mode,
            endpoint: &self.settings.endpoint,
            ahead: None,
        }
    }

    /// The user pools, to read.
    pub(crate) fn user_pools(&self) -> Held<RwLockReadGuard<'_, UserPools>> {
        Held::new(self.user_pools.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The user pools, to change.
    pub(crate) fn user_pools_mut(&self) -> Held<RwLockWriteGuard<'_, UserPools>> {
        Held::new(self.user_pools.write().unwrap_or_else(|p| p.into_inner()))
    }

    /// The fake external providers, to read.
    pub(crate) fn providers(&self) -> Held<RwLockReadGuard<'_, ExternalProviders>> {
        Held::new(self.providers.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The fake external providers, to change.
    pub(crate) fn providers_mut(&self) -> Held<RwLockWriteGuard<'_, ExternalProviders>> {
        Held::new(self.providers.write().unwrap_or_else(|p| p.into_inner()))
    }

    /// The identity pools.
    pub(crate) fn identity_pools(&self) -> Held<MutexGuard<'_, IdentityPools>> {
        Held::new(
            self.identity_pools
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        )
    }

    /// The credentials issued so far.
    pub(crate) fn credentials(&self) -> Held<MutexGuard<'_, CredentialStore>> {
        Held::new(self.credentials.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
