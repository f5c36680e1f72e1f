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

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::clock::Clock;
use crate::credentials::CredentialStore;
use crate::external_idp::ExternalProviders;
use crate::identity_pool::IdentityPools;
use crate::ids::Randomness;
use crate::jwt::KeyFactory;
use crate::store::commits::{self, Outcomes, Tickets};
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
    /// Where client ID metadata documents come from.
    pub(crate) metadata: std::sync::Arc<crate::client_metadata::MetadataFetcher>,
    /// Where Lambda triggers run.
    pub(crate) triggers: std::sync::Arc<crate::triggers::Triggers>,
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
    /// The key custom sender codes are encrypted under (KMS stand-in).
    pub(crate) kms: crate::kms::LocalKms,
    user_pools: RwLock<UserPools>,
    providers: RwLock<ExternalProviders>,
    identity_pools: Mutex<IdentityPools>,
    credentials: Mutex<CredentialStore>,
    /// With `--data-dir`: where every change is stored before its request
    /// is answered ([`Engine::persist`]). None once closed (the server
    /// stopped): a late change then fails rather than go unstored.
    store: Mutex<Option<DataDir>>,
    /// Drains begun (group commit: [`crate::store::commits`]).
    epoch: AtomicU64,
    /// What the drains decided.
    outcomes: Mutex<Outcomes>,
    /// Held by the request draining: one drain at a time.
    draining: tokio::sync::Mutex<()>,
    /// Rings after every drain, waking every request waiting on it at
    /// once (rather than one after another through a queue).
    drained: tokio::sync::Notify,
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
            kms: crate::kms::LocalKms::new(&rng),
            clock,
            settings,
            user_pools: RwLock::new(UserPools::default()),
            providers: RwLock::new(ExternalProviders::new(rng.clone(), keys.clone())),
            identity_pools: Mutex::new(identity_pools),
            credentials: Mutex::new(CredentialStore::new(rng.clone())),
            rng,
            keys,
            store: Mutex::new(None),
            epoch: AtomicU64::new(0),
            outcomes: Mutex::new(Outcomes::default()),
            draining: tokio::sync::Mutex::new(()),
            drained: tokio::sync::Notify::new(),
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
        let mut user_pools = self.user_pools_unticketed();
        let mut identity_pools = self.identity_pools_unticketed();
        let mut credentials = self.credentials_unticketed();
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

    /// Answers once what a request changed is stored: `tickets` are the
    /// ones it took while changing things ([`commits::with_tickets`]).
    /// Whoever finds its changes not yet stored drains everything changed
    /// so far, its own and other requests', in one transaction; the others
    /// find theirs settled by it. A request that only read waits for
    /// nothing, unless it moved the clock. Without a data dir, nothing to do.
    pub(crate) async fn persist(&self, mut tickets: Tickets) -> Result<(), StoreError> {
        if !self.durable {
            return Ok(());
        }
        if self.clock.offset() != self.stored_clock_offset.load(Ordering::Relaxed) {
            tickets.add(self.epoch.load(Ordering::SeqCst));
        }
        if tickets.is_empty() {
            return Ok(());
        }
        loop {
            // Registered before looking, so a drain that ends after the
            // look is not missed.
            let drained = self.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            if let Some(outcome) = self.outcomes().of_request(&tickets) {
                return outcome;
            }
            match self.draining.try_lock() {
                // Nobody is draining: drain (it begins after the last
                // ticket was taken, so it settles every one of them).
                Ok(draining) => {
                    let _turn = DrainTurn {
                        draining: Some(draining),
                        drained: &self.drained,
                    };
                    // Lets the requests already runnable on this worker
                    // make their changes first, so that this drain stores
                    // them too. Without it the first request to finish
                    // drained alone, every drain paid the transaction's
                    // fixed cost for one or two rows, and the durable mock
                    // served GetId at 0.40× the in-memory rate (0.8× with).
                    // The request may be dropped here (its client gone):
                    // the turn still wakes the waiters, one of which drains.
                    tokio::task::yield_now().await;
                    self.drain();
                }
                // Someone is: its drain may settle this request too.
                Err(_) => drained.await,
            }
        }
    }

    /// Stores whatever is changed and not yet stored (the seed, before the
    /// server answers anything): a request holding the current epoch.
    pub(crate) async fn persist_all(&self) -> Result<(), StoreError> {
        let mut now = Tickets::default();
        now.add(self.epoch.load(Ordering::SeqCst));
        self.persist(now).await
    }

    /// What the drains decided.
    fn outcomes(&self) -> MutexGuard<'_, Outcomes> {
        self.outcomes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One drain (the caller holds `draining`, so drains never overlap):
    /// under every lock, begins epoch `k` and takes every change; then,
    /// with no lock held, so that other requests go on changing memory
    /// meanwhile, stores them in one transaction. If the data dir refuses,
    /// the memory goes back to what is stored, under every lock again, and
    /// every unsettled ticket fails.
    fn drain(&self) {
        // The engine's lock order. Each lock is held only to take the rows.
        let mut user_pools = self.user_pools_unticketed();
        let mut identity_pools = self.identity_pools_unticketed();
        let mut credentials = self.credentials_unticketed();
        let epoch = self.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        let offset = self.clock.offset();
        let mut changes: Vec<Change> = Vec::new();
        if user_pools.has_changes() {
            changes.extend(user_pools.take_changes());
        }
        if identity_pools.has_changes() {
            changes.extend(identity_pools.take_changes());
        }
        if credentials.has_changes() {
            changes.extend(credentials.take_changes());
        }
        drop((user_pools, identity_pools, credentials));
        if offset != self.stored_clock_offset.load(Ordering::Relaxed) {
            changes.push(Change::Put {
                kind: CLOCK.0,
                key: CLOCK.1.to_owned(),
                value: offset.to_string(),
            });
        }
        let stored = if changes.is_empty() {
            Ok(())
        } else {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            match store.as_ref() {
                Some(store) => store.commit(&changes),
                None => Err(StoreError::damaged(
                    "the data dir is closed: the server is stopping",
                )),
            }
        };
        match stored {
            Ok(()) => {
                self.stored_clock_offset.store(offset, Ordering::Relaxed);
                self.outcomes().stored(epoch);
            }
            Err(e) => {
                let undone = self.undo_unstored();
                self.outcomes().undone(undone, e);
            }
        }
    }

    /// After a failed write: reads every service back from the data dir,
    /// under every lock, and begins a new epoch so that whoever changes
    /// memory from here on is not counted among the undone. Returns it.
    fn undo_unstored(&self) -> u64 {
        let mut user_pools = self.user_pools_unticketed();
        let mut identity_pools = self.identity_pools_unticketed();
        let mut credentials = self.credentials_unticketed();
        let epoch = self.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let reloaded = match store.as_ref() {
            Some(store) => self.reload(
                store,
                Some(&mut user_pools),
                Some(&mut identity_pools),
                Some(&mut credentials),
            ),
            // Stopping: nothing will be served or stored any more.
            None => Ok(()),
        };
        if let Err(reload) = reloaded {
            tracing::error!(error = %reload, "cannot read the data dir back after a failed write");
        }
        self.clock
            .set_offset(self.stored_clock_offset.load(Ordering::Relaxed));
        epoch
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
            triggers: &self.settings.triggers,
            kms: &self.kms,
        }
    }

    /// The user pools, to read.
    pub(crate) fn user_pools(&self) -> Held<RwLockReadGuard<'_, UserPools>> {
        Held::new(self.user_pools.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The user pools, to change.
    pub(crate) fn user_pools_mut(&self) -> Changing<'_, RwLockWriteGuard<'_, UserPools>> {
        Changing::new(self.user_pools_unticketed(), &self.epoch)
    }

    /// The user pools, to change, without a ticket: for the drains.
    fn user_pools_unticketed(&self) -> Held<RwLockWriteGuard<'_, UserPools>> {
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
    pub(crate) fn identity_pools(&self) -> Changing<'_, MutexGuard<'_, IdentityPools>> {
        Changing::new(self.identity_pools_unticketed(), &self.epoch)
    }

    fn identity_pools_unticketed(&self) -> Held<MutexGuard<'_, IdentityPools>> {
        Held::new(
            self.identity_pools
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        )
    }

    /// The credentials issued so far.
    pub(crate) fn credentials(&self) -> Changing<'_, MutexGuard<'_, CredentialStore>> {
        Changing::new(self.credentials_unticketed(), &self.epoch)
    }

    fn credentials_unticketed(&self) -> Held<MutexGuard<'_, CredentialStore>> {
        Held::new(self.credentials.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// One request's turn to drain. However it ends (drained, or dropped
/// before it could), it lets go of `draining` and then wakes every waiter:
/// in that order, so that a waiter the drain did not settle can drain next.
struct DrainTurn<'e> {
    draining: Option<tokio::sync::MutexGuard<'e, ()>>,
    drained: &'e tokio::sync::Notify,
}

impl Drop for DrainTurn<'_> {
    fn drop(&mut self) {
        drop(self.draining.take());
        self.drained.notify_waiters();
    }
}

/// A guard on durable state: if the code holding it changed anything,
/// the request takes the current epoch as a ticket when it lets go, while
/// the lock is still held ([`crate::store::commits`] says why then).
#[derive(Debug)]
pub(crate) struct Changing<'e, G> {
    held: Held<G>,
    epoch: &'e AtomicU64,
    changes_before: u64,
}

impl<'e, G> Changing<'e, G> {
    fn new(held: Held<G>, epoch: &'e AtomicU64) -> Self {
        Changing {
            held,
            epoch,
            changes_before: commits::changes_marked(),
        }
    }
}

impl<G> Drop for Changing<'_, G> {
    fn drop(&mut self) {
        // Runs before `held` lets go of the lock.
        if commits::changes_marked() != self.changes_before {
            commits::note_ticket(self.epoch.load(Ordering::SeqCst));
        }
    }
}

impl<G: Deref> Deref for Changing<'_, G> {
    type Target = G::Target;
    fn deref(&self) -> &G::Target {
        &self.held
    }
}

impl<G: DerefMut> DerefMut for Changing<'_, G> {
    fn deref_mut(&mut self) -> &mut G::Target {
        &mut self.held
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::tempdir;

    fn durable_engine(name: &str) -> std::sync::Arc<Engine> {
        let mut engine = crate::server::engine_at(
            Clock::default(),
            Randomness::os(),
            KeyFactory::default(),
            "us-east-1".to_owned(),
            IssuerMode::default(),
            std::net::SocketAddr::from(([127, 0, 0, 1], 9)),
        );
        engine
            .attach_store(DataDir::open(&tempdir(name)).unwrap())
            .unwrap();
        std::sync::Arc::new(engine)
    }

    /// A request whose client goes away while it waits for its turn to
    /// drain must not leave the requests waiting on that drain asleep.
    #[tokio::test(flavor = "current_thread")]
    async fn a_drainer_dropped_before_draining_wakes_the_waiters() {
        let engine = durable_engine("dropped-drainer");
        let mut ticket = Tickets::default();
        ticket.add(engine.epoch.load(Ordering::SeqCst));

        let mut first = Box::pin(engine.persist(ticket.clone()));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        // Took the turn and yields before draining.
        assert!(first.as_mut().poll(&mut cx).is_pending());
        let waiter = tokio::spawn({
            let engine = engine.clone();
            async move { engine.persist(ticket).await }
        });
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        assert!(!waiter.is_finished(), "the turn is taken: it waits");
        drop(first);
        let settled = tokio::time::timeout(std::time::Duration::from_secs(10), waiter).await;
        assert!(
            matches!(settled, Ok(Ok(Ok(())))),
            "the waiter drains once the dropped turn wakes it: {settled:?}"
        );
    }
}
