//! The embeddable server: `MockCognito::start().await`, dropped to stop.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::watch;

use crate::connections::{self, ConnectionLimits};

use crate::clock::Clock;
use crate::config::SeedConfig;
use crate::engine::Shared;
use crate::engine::{Engine, Settings};
use crate::http::router;
use crate::ids::Randomness;
use crate::jwt::KeyFactory;
use crate::shapes::Operation;
use crate::shapes::cognito_idp::ops::AdminCreateUser;
use crate::user_pool::{CodeRecord, IssuerMode, PoolSummary};

/// Makes a mock's engine, serving at `addr`.
pub(crate) fn engine_at(
    clock: Clock,
    rng: Randomness,
    keys: KeyFactory,
    region: String,
    issuer_mode: IssuerMode,
    addr: SocketAddr,
) -> Engine {
    Engine::new(
        clock,
        rng,
        keys,
        Settings {
            default_region: region,
            issuer_mode,
            endpoint: endpoint_of(addr),
            port: addr.port(),
            metadata: Default::default(),
            triggers: Default::default(),
        },
    )
}

/// Configures a mock before it starts.
#[derive(Debug, Clone)]
pub struct MockCognitoBuilder {
    addr: SocketAddr,
    region: Option<String>,
    issuer_mode: Option<IssuerMode>,
    clock: Clock,
    rng: Randomness,
    keys: KeyFactory,
    seed: Option<SeedConfig>,
    seed_path: Option<PathBuf>,
    limits: ConnectionLimits,
    data_dir: Option<PathBuf>,
    metadata_documents: BTreeMap<String, PathBuf>,
    metadata_trust_roots: Vec<Vec<u8>>,
    triggers: crate::triggers::Triggers,
}

impl Default for MockCognitoBuilder {
    fn default() -> Self {
        MockCognitoBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            region: None,
            issuer_mode: None,
            clock: Clock::default(),
            rng: Randomness::os(),
            keys: KeyFactory::default(),
            seed: None,
            seed_path: None,
            limits: ConnectionLimits::default(),
            data_dir: None,
            metadata_documents: BTreeMap::new(),
            metadata_trust_roots: Vec::new(),
            triggers: Default::default(),
        }
    }
}

impl MockCognitoBuilder {
    /// Serves the client ID metadata document at `url` (CIMD) from the file
    /// at `path` instead of fetching it, so a URL client works offline.
    pub fn client_metadata_document(
        mut self,
        url: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> Self {
        self.metadata_documents.insert(url.into(), path.into());
        self
    }

    /// Trusts a certificate (PEM) when fetching client ID metadata
    /// documents over HTTPS, besides the system's roots.
    pub fn client_metadata_trust_root(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.metadata_trust_roots.push(pem.into());
        self
    }

    /// Runs the Lambda function `arn` (as a pool's LambdaConfig names it)
    /// on `target`: a handler file, a command, a URL or a Lambda endpoint.
    pub fn trigger(
        mut self,
        arn: impl Into<String>,
        target: crate::triggers::TriggerTarget,
    ) -> Self {
        self.triggers.set(arn, target);
        self
    }

    /// Runs every Lambda function with no target of its own on this AWS
    /// Lambda Invoke API endpoint (`sam local start-lambda`, …).
    pub fn lambda_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.triggers.set_lambda_endpoint(endpoint);
        self
    }

    /// How long a trigger may run (default 5 seconds, as Cognito waits).
    pub fn trigger_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.triggers.set_timeout(timeout);
        self
    }

    /// Where to listen (default `127.0.0.1:0`, a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The fallback region (default `us-east-1`): for seeded pools, and for
    /// a call whose SigV4 scope or ids name none. A signed call's pools are
    /// made in the region it was signed for.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// How token issuers are formed (default [`IssuerMode::Aws`]).
    pub fn issuer_mode(mut self, mode: IssuerMode) -> Self {
        self.issuer_mode = Some(mode);
        self
    }

    /// Shares a clock, so a test can advance the mock's time.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Where every id, code, secret and SRP exponent comes from (default:
    /// the operating system). With [`Randomness::seeded`], a fixed
    /// [`Clock::fixed`] and [`MockCognitoBuilder::signing_keys`], the same
    /// requests get byte-identical answers run after run.
    pub fn randomness(mut self, rng: Randomness) -> Self {
        self.rng = rng;
        self
    }

    /// Where RSA signing keys come from (default: generated fresh).
    pub fn signing_keys(mut self, keys: KeyFactory) -> Self {
        self.keys = keys;
        self
    }

    /// Seeds pools, clients, groups and users from a parsed seed file.
    pub fn seed(mut self, seed: SeedConfig) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Connection cap and timeouts (see [`ConnectionLimits`] for the defaults).
    pub fn connection_limits(mut self, limits: ConnectionLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Keeps the state in a data directory (SQLite, see `docs/mock-config.md`)
    /// instead of memory only: it survives restarts, and each change is
    /// stored before its request is answered. The signing keys are kept
    /// there too (this replaces [`MockCognitoBuilder::signing_keys`]). A seed
    /// adds to a data dir only the pools that are not there yet (by fixed
    /// id, or by name), and never changes what is.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Seeds from a TOML file (read when the mock starts).
    pub fn seed_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.seed_path = Some(path.into());
        self
    }

    /// Binds, seeds and starts serving in the background. A bad seed file is
    /// an `InvalidData` error that says what is wrong.
    pub async fn start(self) -> std::io::Result<MockCognito> {
        let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        let seed = match (&self.seed, &self.seed_path) {
            (Some(s), _) => s.clone(),
            (None, Some(path)) => SeedConfig::from_file(path).map_err(invalid)?,
            (None, None) => SeedConfig::default(),
        };
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let region = self
            .region
            .clone()
            .or(seed.region.clone())
            .unwrap_or_else(|| crate::region::FALLBACK_REGION.to_owned());
        crate::region::check_configured(&region).map_err(invalid)?;
        let issuer_mode = self
            .issuer_mode
            .or(seed.issuer_mode().map_err(invalid)?)
            .unwrap_or_default();
        let store = match &self.data_dir {
            Some(dir) => Some(
                crate::store::DataDir::open(dir)
                    .map_err(|e| std::io::Error::other(e.to_string()))?,
            ),
            None => None,
        };
        let keys = match &self.data_dir {
            Some(dir) => crate::store::keys::factory(dir),
            None => self.keys.clone(),
        };
        let mut engine = engine_at(
            self.clock.clone(),
            self.rng.clone(),
            keys,
            region,
            issuer_mode,
            addr,
        );
        let mut documents = seed.client_metadata_documents.clone();
        documents.extend(self.metadata_documents.clone());
        engine.settings.metadata = Arc::new(crate::client_metadata::MetadataFetcher::new(
            documents,
            self.metadata_trust_roots.clone(),
        ));
        let mut triggers = seed.triggers.registry().map_err(invalid)?;
        triggers.merge(&self.triggers);
        triggers.set_mock_endpoint(engine.settings.endpoint.clone());
        engine.settings.triggers = Arc::new(triggers);
        if let Some(store) = store {
            engine
                .attach_store(store)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        let shared = Arc::new(engine);
        // Into a data dir that holds state, only what is not there yet.
        seed.apply(&shared).map_err(invalid)?;
        shared
            .persist_all()
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        // RSA keys are made on first use, the seeded pools' too: nothing is
        // done at start that the first request does not need, so the mock
        // is ready sooner and idles smaller (key generation, and the
        // entropy pool aws-lc seeds on its first use, cost about 100 ms of
        // CPU and 0.6 MiB), and a run that signs nobody in never pays.
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(connections::serve(
            listener,
            router(shared.clone()),
            self.limits,
            stopped,
        ));
        Ok(MockCognito {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// The URL clients reach a listener at: a wildcard bind (`0.0.0.0`,
/// `[::]`) is reached on loopback.
fn endpoint_of(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        match addr {
            SocketAddr::V4(_) => std::net::IpAddr::from([127, 0, 0, 1]),
            SocketAddr::V6(_) => std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        }
    } else {
        addr.ip()
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// A running mock. Dropping it shuts the server down.
#[derive(Debug)]
pub struct MockCognito {
    addr: SocketAddr,
    shared: Shared,
    stop: Option<watch::Sender<bool>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl MockCognito {
    /// Starts a mock with default settings on a free loopback port.
    pub async fn start() -> std::io::Result<MockCognito> {
        MockCognitoBuilder::default().start().await
    }

    /// A builder for non-default settings.
    pub fn builder() -> MockCognitoBuilder {
        MockCognitoBuilder::default()
    }

    /// The endpoint URL to give SDKs, e.g. `http://127.0.0.1:41234`.
    pub fn endpoint(&self) -> String {
        self.shared.settings.endpoint.clone()
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The mock's clock (advance it to expire tokens, codes and challenges).
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// Verification codes "sent" (sign-up, password reset, invitations)
    /// that can still be used, oldest first, optionally for one pool and
    /// internal username.
    pub fn verification_codes(
        &self,
        user_pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Vec<CodeRecord> {
        let now = self.shared.clock.unix();
        self.shared.user_pools().codes(user_pool_id, username, now)
    }

    /// Issues a token from one of the mock's fake external identity
    /// providers, as if `subject` had signed in to app `audience` there.
    /// `provider` is the identity-pool login key: `graph.facebook.com` and
    /// `www.amazon.com` give opaque access tokens; `accounts.google.com`,
    /// `appleid.apple.com` and any OIDC host give RS256 ID tokens (with
    /// `claims` merged in). Valid for an hour by the mock's clock.
    pub fn mint_provider_token(
        &self,
        provider: &str,
        audience: &str,
        subject: &str,
        claims: Value,
    ) -> Result<String, crate::ApiError> {
        let now = self.shared.clock.unix();
        self.shared
            .providers_mut()
            .mint(provider, audience, subject, claims, 3600, now)
    }

    /// Adds a test user to a fake provider (`facebook`, `amazon`, `google`,
    /// `apple`, or an OIDC issuer host), who can then sign in on its page
    /// with `subject` or the profile's `email` and `password`.
    pub fn add_provider_user(&self, provider: &str, subject: &str, password: &str, profile: Value) {
        self.shared
            .providers_mut()
            .add_user(provider, subject, password, profile);
    }

    /// Registers an app with a fake provider (a user-pool identity provider
    /// registers its own app; this is for apps that use the provider directly).
    pub fn register_provider_app(&self, provider: &str, client_id: &str, secret: Option<&str>) {
        self.shared
            .providers_mut()
            .register_app(provider, client_id, secret);
    }

    /// Bulk-loads confirmed users (username, password) into a pool, for
    /// scale tests: the same checks as AdminCreateUser with a permanent
    /// password (name shape, password policy, uniqueness), with the SRP
    /// verifiers made on every core outside the state lock. Nothing is
    /// added if any user is refused.
    pub fn add_users(
        &self,
        pool_id: &str,
        users: &[(String, String)],
    ) -> Result<(), crate::ApiError> {
        let (pool_name, policy) = self.shared.user_pools().bulk_load_params(pool_id)?;
        for (name, password) in users {
            <AdminCreateUser as Operation>::parse_input(
                &json!({"UserPoolId": pool_id, "Username": name}),
            )?;
            policy.check(password)?;
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = users.len().div_ceil(threads).max(1);
        let made: Result<Vec<Vec<_>>, crate::ApiError> = std::thread::scope(|scope| {
            let workers: Vec<_> = users
                .chunks(chunk)
                .map(|part| {
                    let pool_name = &pool_name;
                    scope.spawn(move || {
                        let mut rng = self.shared.rng.crypto_rng();
                        part.iter()
                            .map(|(name, password)| {
                                crate::work::expensive(|| {
                                    cognito_srp::Verifier::generate(
                                        &mut rng,
                                        pool_name,
                                        name,
                                        &cognito_srp::Password::new(password.as_str()),
                                    )
                                })
                                .map(|v| (name.clone(), v))
                                .map_err(|e| crate::ApiError::invalid_parameter(e.to_string()))
                            })
                            .collect::<Result<Vec<_>, _>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join().unwrap_or_else(|_| {
                        Err(crate::ApiError::invalid_parameter("verifier worker failed"))
                    })
                })
                .collect()
        });
        let verifiers = made?.into_iter().flatten().collect();
        let now = self.shared.clock.unix();
        self.shared
            .user_pools_mut()
            .insert_confirmed(pool_id, verifiers, now, &self.shared.rng)
    }

    /// The identity pools: (id, name).
    pub fn identity_pool_summary(&self) -> Vec<(String, String)> {
        self.shared.identity_pools().summary()
    }

    /// How many AWS credentials the mock has issued so far (expired ones
    /// included, though it forgets their keys an hour after they expire).
    pub fn issued_credentials(&self) -> usize {
        self.shared.credentials().issued() as usize
    }

    /// The user pools and their app clients (for printing seeded ids).
    pub fn user_pool_summary(&self) -> Vec<PoolSummary> {
        self.shared.user_pools().summary()
    }

    /// What the mock serves, a line each, as `cogkit mock serve` announces
    /// it: the endpoint, each user pool with its hosted UI and app clients
    /// (never a secret), each identity pool, and the fake providers.
    pub fn describe(&self) -> Vec<String> {
        let endpoint = self.endpoint();
        let mut lines = vec![format!("mock-cognito listening on {endpoint}")];
        if let Some(dir) = self.shared.data_dir() {
            lines.push(format!("state kept in {}", dir.display()));
        }
        for pool in self.user_pool_summary() {
            lines.push(format!("user pool {} ({})", pool.id, pool.name));
            if let Some(d) = &pool.domain {
                lines.push(format!(
                    "  hosted UI {endpoint}/{d}/login (token endpoint {endpoint}/{d}/oauth2/token)"
                ));
            }
            for client in pool.clients {
                let secret = if client.has_secret {
                    ", with secret"
                } else {
                    ""
                };
                lines.push(format!(
                    "  app client {} ({}{secret})",
                    client.id, client.name
                ));
            }
        }
        for (id, name) in self.identity_pool_summary() {
            lines.push(format!("identity pool {id} ({name})"));
        }
        lines.push(format!(
            "fake providers at {endpoint}/idp/<facebook|amazon|google|apple|oidc-host>/authorize"
        ));
        lines
    }

    /// Serves until Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `docker
    /// stop`, systemd and Kubernetes send), then shuts down cleanly:
    /// requests in flight finish, and a data dir is closed with its log
    /// folded back into the database.
    pub async fn serve_until_ctrl_c(self) -> std::io::Result<()> {
        self.serve_until(StopSignals::listen()?).await
    }

    /// [`MockCognito::serve_until_ctrl_c`] with signals listened for
    /// earlier: before the server says it is ready, so that a signal sent
    /// as soon as it does is not the default (killing) action.
    pub async fn serve_until(mut self, signals: StopSignals) -> std::io::Result<()> {
        signals.recv().await?;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.shared.close_store();
        Ok(())
    }

    /// For tests of a full disk: caps the data dir's database at `pages`
    /// pages, so writes past it fail as on a full disk (SQLITE_FULL).
    #[doc(hidden)]
    pub fn limit_data_dir_for_tests(&self, pages: u64) {
        self.shared.limit_store_for_tests(pages);
    }
}

impl Drop for MockCognito {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        // Release the data dir now: another server (a restart in the same
        // test) may open it at once.
        self.shared.close_store();
    }
}

/// SIGINT and, on Unix, SIGTERM, listened for from the moment they are
/// made (their handlers replace the default action at once).
#[derive(Debug)]
pub struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Starts listening (inside a Tokio runtime).
    pub fn listen() -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    /// The first of them.
    async fn recv(mut self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Ok(()),
                _ = self.terminate.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            tokio::signal::ctrl_c().await
        }
    }
}
