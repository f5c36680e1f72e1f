//! `CognitoCredentialsProvider`: Cognito identity-pool credentials for any
//! AWS SDK for Rust client, behaving as the SDK's own providers do.
//!
//! - **No cache of its own.** The SDK's identity cache (lazy, renewing
//!   before expiry, one request in flight) holds the credentials; the
//!   provider remembers only each login's IdentityId, so a repeated login
//!   skips GetId.
//! - **Errors a credentials chain understands.** No login to use (nothing
//!   cached, no identity pool configured) is `CredentialsError::not_loaded`,
//!   so a chain tries its next provider; a malformed configuration is
//!   `invalid_configuration`; a service refusal or an unreachable service is
//!   `provider_error`.
//! - **Injectable environment.** Environment variables, file system and
//!   clock come from a [`ProviderEnv`], as aws-config's providers take them
//!   from their `ProviderConfig`, so tests run without touching the machine.

use std::sync::Arc;

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource};
use aws_types::os_shim_internal::{Env, Fs};
use cognito_flows::transport::{IdentityPoolApi, UserPoolApi};
use cognito_flows::{
    Clock, FlowError, IdentityId, IdentityIds, IdentityPoolClient, IdentityPoolId, LoginSource,
    Logins, TokenFile, TokenStore, UserPoolClient, UserPoolSession,
};

/// The variable an identity pool id is read from when none is given.
pub const IDENTITY_POOL_ID_VAR: &str = "COGKIT_IDENTITY_POOL_ID";

/// What a provider reads from the machine: environment variables, files,
/// the time. `ProviderEnv::default()` is the real machine; tests build one
/// from `Env::from_slice`, `Fs::from_slice` and a static time source.
#[derive(Debug, Clone)]
pub struct ProviderEnv {
    /// Environment variables.
    pub env: Env,
    /// The file system.
    pub fs: Fs,
    /// The clock.
    pub time: SharedTimeSource,
}

impl Default for ProviderEnv {
    fn default() -> Self {
        ProviderEnv {
            env: Env::real(),
            fs: Fs::real(),
            time: SharedTimeSource::new(SystemTimeSource::new()),
        }
    }
}

impl ProviderEnv {
    /// The clock as the flows take it.
    pub fn clock(&self) -> Clock {
        let time = self.time.clone();
        Clock(Arc::new(move || time.now()))
    }

    fn var(&self, name: &str) -> Option<String> {
        self.env.get(name).ok().filter(|v| !v.is_empty())
    }
}

/// Maps a flow's failure as a credentials chain expects.
fn credentials_error(e: FlowError) -> CredentialsError {
    match e {
        FlowError::NoLogin(_) => CredentialsError::not_loaded(e),
        FlowError::InvalidInput(_) => CredentialsError::invalid_configuration(e),
        other => CredentialsError::provider_error(other),
    }
}

/// A credentials provider backed by a Cognito identity pool.
///
/// ```no_run
/// # async fn demo(t: sdk_transport::Transports, pool: cognito_flows::IdentityPoolId) {
/// let provider = t.credentials_provider(pool, cognito_flows::Unauthenticated);
/// let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
///     .credentials_provider(provider)
///     .load()
///     .await;
/// # let _ = config;
/// # }
/// ```
pub struct CognitoCredentialsProvider<T, L> {
    inner: Arc<Inner<T, L>>,
}

struct Inner<T, L> {
    /// The pool's client, or why there is none.
    client: Result<IdentityPoolClient<T>, FlowError>,
    source: L,
    custom_role_arn: Option<String>,
    identities: IdentityIds,
}

impl<T, L> Clone for CognitoCredentialsProvider<T, L> {
    fn clone(&self) -> Self {
        CognitoCredentialsProvider {
            inner: self.inner.clone(),
        }
    }
}

impl<T, L> std::fmt::Debug for CognitoCredentialsProvider<T, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CognitoCredentialsProvider")
    }
}

/// Builds a [`CognitoCredentialsProvider`].
#[derive(Debug, Default)]
pub struct Builder {
    identity_pool_id: Option<IdentityPoolId>,
    custom_role_arn: Option<String>,
    env: ProviderEnv,
}

impl Builder {
    /// The identity pool (otherwise `$COGKIT_IDENTITY_POOL_ID`; with
    /// neither, the provider has nothing to load).
    pub fn identity_pool_id(mut self, pool: IdentityPoolId) -> Self {
        self.identity_pool_id = Some(pool);
        self
    }

    /// Asks for this role (it must be among the token's `cognito:roles`).
    pub fn custom_role_arn(mut self, role_arn: impl Into<String>) -> Self {
        self.custom_role_arn = Some(role_arn.into());
        self
    }

    /// Environment, file system and clock (default: the real ones).
    pub fn configure(mut self, env: &ProviderEnv) -> Self {
        self.env = env.clone();
        self
    }

    /// The provider, calling the identity pool through `transport` with
    /// the logins `source` gives.
    pub fn build<T: IdentityPoolApi, L: LoginSource>(
        self,
        transport: T,
        source: L,
    ) -> CognitoCredentialsProvider<T, L> {
        let pool = match (self.identity_pool_id, self.env.var(IDENTITY_POOL_ID_VAR)) {
            (Some(pool), _) => Ok(pool),
            (None, Some(text)) => IdentityPoolId::parse(&text)
                .map_err(|e| FlowError::invalid_input(format!("${IDENTITY_POOL_ID_VAR}: {e}"))),
            (None, None) => Err(FlowError::NoLogin(format!(
                "no identity pool: none given and ${IDENTITY_POOL_ID_VAR} is not set"
            ))),
        };
        CognitoCredentialsProvider {
            inner: Arc::new(Inner {
                client: pool.map(|p| IdentityPoolClient::new(transport, p)),
                source,
                custom_role_arn: self.custom_role_arn,
                identities: IdentityIds::default(),
            }),
        }
    }
}

impl CognitoCredentialsProvider<(), ()> {
    /// A builder.
    pub fn builder() -> Builder {
        Builder::default()
    }
}

impl<T: IdentityPoolApi, L: LoginSource> CognitoCredentialsProvider<T, L> {
    /// The IdentityId of the last credentials.
    pub fn identity_id(&self) -> Option<IdentityId> {
        self.inner.identities.last()
    }

    /// The login source (for a user-pool session: its current tokens).
    pub fn source(&self) -> &L {
        &self.inner.source
    }

    async fn credentials(&self) -> Result<Credentials, FlowError> {
        let inner = &*self.inner;
        let client = inner.client.as_ref().map_err(Clone::clone)?;
        let logins = inner.source.logins().await?;
        let fresh = inner
            .identities
            .credentials(client, &logins, inner.custom_role_arn.as_deref())
            .await?;
        let c = fresh.credentials;
        Ok(Credentials::new(
            c.access_key_id,
            c.secret_access_key.expose_secret(),
            Some(c.session_token.expose_secret().to_owned()),
            Some(c.expiration),
            "CognitoIdentity",
        ))
    }
}

impl<T: IdentityPoolApi + 'static, L: LoginSource + 'static> ProvideCredentials
    for CognitoCredentialsProvider<T, L>
{
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.credentials().await.map_err(credentials_error)
        })
    }
}

/// The user-pool sign-in a CLI cached (`cogkit login`), as a login: read
/// from the token store (at `$COGKIT_CACHE_DIR`, or the user's cache
/// directory, through the [`ProviderEnv`]'s file system) on first use, then
/// kept and refreshed in memory. Nothing cached for the pool's client is
/// "no login", which a credentials chain passes over.
pub struct CachedSignIn<U> {
    client: UserPoolClient<U>,
    env: ProviderEnv,
    session: tokio::sync::Mutex<Option<UserPoolSession<U>>>,
}

impl<U> std::fmt::Debug for CachedSignIn<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CachedSignIn")
    }
}

impl<U: UserPoolApi + Clone> CachedSignIn<U> {
    /// The cached sign-in of `client`'s pool and app client.
    pub fn new(client: UserPoolClient<U>, env: &ProviderEnv) -> Self {
        CachedSignIn {
            client: client.with_clock(env.clock()),
            env: env.clone(),
            session: tokio::sync::Mutex::new(None),
        }
    }

    async fn load(&self) -> Result<UserPoolSession<U>, FlowError> {
        let (pool, client) = (self.client.pool_id(), self.client.client_id());
        let path = TokenStore::default_path(|name| self.env.var(name))
            .map_err(|e| FlowError::NoLogin(e.to_string()))?;
        let bytes = match self.env.fs.read_to_end(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(FlowError::NoLogin(format!(
                    "no cached sign-in ({} does not exist)",
                    path.display()
                )));
            }
            Err(e) => {
                return Err(FlowError::invalid_input(format!("{}: {e}", path.display())));
            }
        };
        let tokens = TokenFile::parse(&bytes)
            .map_err(|why| {
                FlowError::invalid_input(format!("{}: not a token cache ({why})", path.display()))
            })?
            .get(pool, client)
            .ok_or_else(|| {
                FlowError::NoLogin(format!(
                    "no cached sign-in for {pool}/{client} in {}",
                    path.display()
                ))
            })?;
        Ok(UserPoolSession::new(self.client.clone(), tokens).with_clock(self.env.clock()))
    }
}

impl<U: UserPoolApi + Clone> LoginSource for CachedSignIn<U> {
    async fn logins(&self) -> Result<Logins, FlowError> {
        let mut session = self.session.lock().await;
        if session.is_none() {
            *session = Some(self.load().await?);
        }
        match session.as_ref() {
            Some(s) => s.logins().await,
            None => Err(FlowError::NoLogin("no cached sign-in".into())),
        }
    }
}
