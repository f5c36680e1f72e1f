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

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::clock::Clock;
use crate::credentials::CredentialStore;
use crate::external_idp::ExternalProviders;
use crate::identity_pool::IdentityPools;
use crate::ids::Randomness;
use crate::jwt::KeyFactory;
use crate::store::{Change, DataDir, StoreError};
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
    /// With `--data-dir`: where every change is stored before its request
    /// is answered ([`Engine::persist`]). None once closed (the server
    /// stopped): a late change then fails rather than go unstored.
    store: Mutex<Option<DataDir>>,
    /// Whether the state is kept in a data dir (also after it is closed).
    durable: bool,
    /// The data dir's path, for the announcement.
    data_dir: Option<std::path::PathBuf>,
    /// The clock offset last stored.
    stored_clock_offset: AtomicI64,
}

/// The data dir's row of the clock's offset.
const CLOCK: (&str, &str) = ("clock", "offset");

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
            store: Mutex::new(None),
            durable: false,
            data_dir: None,
            stored_clock_offset: AtomicI64::new(0),
        }
    }

    /// Keeps the state in `store` from now on: what it holds is loaded
    /// (replacing nothing: the engine is new), and every later change is
    /// tracked.
    pub(crate) fn attach_store(&mut self, store: DataDir) -> Result<(), StoreError> {
        self.load_from(&store)?;
        // The fake providers are the outside world, not Cognito's state:
        // the apps Cognito registered with them come back from the pools.
        let apps = self.user_pools().provider_apps();
        let trusted = self.identity_pools().supported_login_providers();
        let mut providers = self.providers_mut();
        for app in &apps {
            providers.register_provider_app(app);
        }
        for trusted in &trusted {
            providers.register_login_providers(trusted);
        }
        drop(providers);
        self.durable = true;
        self.data_dir = Some(store.path().to_owned());
        self.store = Mutex::new(Some(store));
        Ok(())
    }

    /// Caps the database's size (tests of a full disk).
    pub(crate) fn limit_store_for_tests(&self, pages: u64) {
        if let Some(store) = self
            .store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            store.limit_pages(pages);
        }
    }

    /// Closes the data dir (releasing it for another server). Later
    /// changes fail with an error instead of being stored.
    pub(crate) fn close_store(&self) {
        let closed = self.store.lock().unwrap_or_else(|p| p.into_inner()).take();
        drop(closed);
    }

    /// Replaces the durable state with what `store` holds (the pending,
    /// short-lived state stays).
    fn load_from(&self, store: &DataDir) -> Result<(), StoreError> {
        let mut user_pools = self.user_pools_mut();
        let mut identity_pools = self.identity_pools();
        let mut credentials = self.credentials();
        self.reload(
            store,
            Some(&mut user_pools),
            Some(&mut identity_pools),
            Some(&mut credentials),
        )?;
        if let Some((_, offset)) = store
            .load(CLOCK.0)?
            .into_iter()
            .find(|(key, _)| key == CLOCK.1)
        {
            let offset: i64 = offset
                .parse()
                .map_err(|_| StoreError::damaged("the stored clock offset is not a number"))?;
            self.clock.set_offset(offset);
            self.stored_clock_offset.store(offset, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Replaces the given services' durable state with what `store` holds.
    fn reload(
        &self,
        store: &DataDir,
        user_pools: Option<&mut UserPools>,
        identity_pools: Option<&mut IdentityPools>,
        credentials: Option<&mut CredentialStore>,
    ) -> Result<(), StoreError> {
        let now = self.clock.unix();
        if let Some(u) = user_pools {
            u.replace_durable(UserPools::load(store, &self.keys, now)?);
        }
        if let Some(i) = identity_pools {
            i.load(store)?;
        }
        match credentials {
            Some(c) => c.load(store, now),
            None => Ok(()),
        }
    }

    /// Whether changes are stored (`--data-dir`).
    pub(crate) fn is_durable(&self) -> bool {
        self.durable
    }

    /// The data dir, if the state is kept in one.
    pub(crate) fn data_dir(&self) -> Option<&std::path::Path> {
        self.data_dir.as_deref()
    }

    /// Stores what requests changed since the last call, in one
    /// transaction, before the request that calls it is answered. If the
    /// data dir refuses the write, the memory goes back to what is stored
    /// (the change is undone) and the error says why. Without a data dir,
    /// nothing to do.
    pub(crate) fn persist(&self) -> Result<(), StoreError> {
        if !self.durable {
            return Ok(());
        }
        let offset = self.clock.offset();
        let clock_moved = offset != self.stored_clock_offset.load(Ordering::Relaxed);
        // Most requests change nothing durable: look before taking the
        // write locks, and take only those of the services that changed
        // (a guest GetId must not stop sign-ins reading the user pools).
        // A change made after this look is its own request's to store.
        let user_pools_changed = self.user_pools().has_changes();
        let identity_pools_changed = self.identity_pools().has_changes();
        let credentials_changed = self.credentials().has_changes();
        if !(clock_moved || user_pools_changed || identity_pools_changed || credentials_changed) {
            return Ok(());
        }
        // The engine's lock order; held until stored, so no request sees a
        // change that is then undone.
        let mut user_pools = user_pools_changed.then(|| self.user_pools_mut());
        let mut identity_pools = identity_pools_changed.then(|| self.identity_pools());
        let mut credentials = credentials_changed.then(|| self.credentials());
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let Some(store) = store.as_ref() else {
            return Err(StoreError::damaged(
                "the data dir is closed: the server is stopping",
            ));
        };
        let mut changes: Vec<Change> = Vec::new();
        if let Some(u) = user_pools.as_mut() {
            changes.extend(u.take_changes());
        }
        if let Some(i) = identity_pools.as_mut() {
            changes.extend(i.take_changes());
        }
        if let Some(c) = credentials.as_mut() {
            changes.extend(c.take_changes());
        }
        if clock_moved {
            changes.push(Change::Put {
                kind: CLOCK.0,
                key: CLOCK.1.to_owned(),
                value: offset.to_string(),
            });
        }
        let Err(e) = store.commit(&changes) else {
            self.stored_clock_offset.store(offset, Ordering::Relaxed);
            return Ok(());
        };
        // Still under the locks: nobody sees the undone change.
        let reloaded = self.reload(
            store,
            user_pools.as_deref_mut(),
            identity_pools.as_deref_mut(),
            credentials.as_deref_mut(),
        );
        if let Err(reload) = reloaded {
            tracing::error!(error = %reload, "cannot read the data dir back after a failed write");
        }
        self.clock
            .set_offset(self.stored_clock_offset.load(Ordering::Relaxed));
        Err(e)
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
