//! A credentials cache: the IdentityId kept per (pool, login subject),
//! credentials renewed a margin before they expire, the ID token refreshed
//! when it has expired, and one request in flight however many callers wait.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::clock::Clock;
use crate::error::FlowError;
use crate::identity_pool::{IdentityCredentials, IdentityPoolClient};
use crate::ids::IdentityId;
use crate::logins::Logins;
use crate::transport::{IdentityPoolApi, UserPoolApi};
use crate::user_pool::{UserPoolClient, UserPoolTokens};

/// Where the cache gets its logins each time it needs credentials.
pub trait LoginSource: Send + Sync {
    /// The current logins (empty: unauthenticated).
    fn logins(&self) -> impl Future<Output = Result<Logins, FlowError>> + Send;
}

/// Guest access: no logins.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unauthenticated;

impl LoginSource for Unauthenticated {
    async fn logins(&self) -> Result<Logins, FlowError> {
        Ok(Logins::new())
    }
}

/// A fixed set of logins (for example a Facebook access token).
#[derive(Debug, Clone)]
pub struct StaticLogins(pub Logins);

impl LoginSource for StaticLogins {
    async fn logins(&self) -> Result<Logins, FlowError> {
        Ok(self.0.clone())
    }
}

/// A user-pool session: its ID token is the login, refreshed with the
/// refresh token once it is within `margin` of expiring.
#[derive(Debug)]
pub struct UserPoolSession<U> {
    client: UserPoolClient<U>,
    tokens: Mutex<UserPoolTokens>,
    margin: Duration,
    clock: Clock,
}

impl<U: UserPoolApi> UserPoolSession<U> {
    /// A session from a sign-in's tokens.
    pub fn new(client: UserPoolClient<U>, tokens: UserPoolTokens) -> Self {
        UserPoolSession {
            client,
            tokens: Mutex::new(tokens),
            margin: Duration::from_secs(60),
            clock: Clock::default(),
        }
    }

    /// Uses another clock to judge expiry.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The current tokens.
    pub async fn tokens(&self) -> UserPoolTokens {
        self.tokens.lock().await.clone()
    }
}

impl<U: UserPoolApi> LoginSource for UserPoolSession<U> {
    async fn logins(&self) -> Result<Logins, FlowError> {
        let mut tokens = self.tokens.lock().await;
        let expired = tokens
            .id_token_expiry()
            .is_none_or(|exp| exp <= self.clock.now() + self.margin);
        if expired {
            let refresh = tokens.refresh_token.clone().ok_or_else(|| {
                FlowError::invalid_input("the ID token has expired and there is no refresh token")
            })?;
            *tokens = self
                .client
                .refresh(&refresh, tokens.username.as_deref())
                .await?;
        }
        Ok(Logins::new().user_pool(self.client.pool_id(), &tokens.id_token))
    }
}

/// The IdentityId of each login subject seen, so a repeated login skips
/// GetId (as the AWS SDKs keep it): the part of caching that outlives any
/// one set of credentials.
#[derive(Debug, Default)]
pub struct IdentityIds {
    known: std::sync::Mutex<HashMap<String, IdentityId>>,
    last: std::sync::Mutex<Option<IdentityId>>,
}

impl IdentityIds {
    /// Credentials for `logins`, reusing the IdentityId known for its
    /// subject and remembering the one the service answers with.
    pub async fn credentials<T: IdentityPoolApi>(
        &self,
        client: &IdentityPoolClient<T>,
        logins: &Logins,
        custom_role_arn: Option<&str>,
    ) -> Result<IdentityCredentials, FlowError> {
        let subject = logins.subject_key();
        let known = self.lock_known().get(&subject).cloned();
        let fresh = client
            .credentials(logins, known.as_ref(), custom_role_arn)
            .await?;
        self.lock_known().insert(subject, fresh.identity_id.clone());
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(fresh.identity_id.clone());
        Ok(fresh)
    }

    /// The IdentityId of the last credentials, if any.
    pub fn last(&self) -> Option<IdentityId> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn lock_known(&self) -> std::sync::MutexGuard<'_, HashMap<String, IdentityId>> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Cached credentials from an identity pool.
#[derive(Debug)]
pub struct CredentialsCache<T, L> {
    client: IdentityPoolClient<T>,
    source: L,
    custom_role_arn: Option<String>,
    margin: Duration,
    clock: Clock,
    identities: IdentityIds,
    /// The last credentials (the lock is the single flight).
    current: Mutex<Option<IdentityCredentials>>,
}

/// Renew this long before credentials expire, as the AWS SDKs do.
pub const DEFAULT_RENEWAL_MARGIN: Duration = Duration::from_secs(300);

impl<T: IdentityPoolApi, L: LoginSource> CredentialsCache<T, L> {
    /// A cache over a pool and a login source.
    pub fn new(client: IdentityPoolClient<T>, source: L) -> Self {
        CredentialsCache {
            client,
            source,
            custom_role_arn: None,
            margin: DEFAULT_RENEWAL_MARGIN,
            clock: Clock::default(),
            identities: IdentityIds::default(),
            current: Mutex::new(None),
        }
    }

    /// Asks for this role (it must be among the token's `cognito:roles`).
    pub fn with_custom_role_arn(mut self, role_arn: impl Into<String>) -> Self {
        self.custom_role_arn = Some(role_arn.into());
        self
    }

    /// Uses another clock to judge expiry.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Renews this long before expiry (default five minutes).
    pub fn with_renewal_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The login source.
    pub fn source(&self) -> &L {
        &self.source
    }

    /// Valid credentials: cached while they have more than the margin left,
    /// otherwise fetched (exactly once, whatever the number of callers).
    pub async fn credentials(&self) -> Result<IdentityCredentials, FlowError> {
        // Holding the lock across the fetch is the single flight: callers
        // queue here and find the fresh credentials when it is their turn.
        let mut current = self.current.lock().await;
        let now = self.clock.now();
        if let Some(cached) = current.as_ref()
            && cached.credentials.expiration > now + self.margin
        {
            return Ok(cached.clone());
        }
        let logins = self.source.logins().await?;
        let fresh = self
            .identities
            .credentials(&self.client, &logins, self.custom_role_arn.as_deref())
            .await?;
        *current = Some(fresh.clone());
        Ok(fresh)
    }

    /// The IdentityId of the last credentials, if any.
    pub async fn identity_id(&self) -> Option<IdentityId> {
        self.identities.last()
    }
}
