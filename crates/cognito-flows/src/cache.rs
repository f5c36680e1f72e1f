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

#[derive(Debug, Default)]
struct CacheState {
    /// Login subject → IdentityId.
    identities: HashMap<String, IdentityId>,
    /// The last credentials and the subject they were for.
    current: Option<(String, IdentityCredentials)>,
}

/// Cached credentials from an identity pool.
#[derive(Debug)]
pub struct CredentialsCache<T, L> {
    client: IdentityPoolClient<T>,
    source: L,
    custom_role_arn: Option<String>,
    margin: Duration,
    clock: Clock,
    state: Mutex<CacheState>,
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
            state: Mutex::new(CacheState::default()),
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
        let mut state = self.state.lock().await;
        let now = self.clock.now();
        if let Some((_, cached)) = &state.current
            && cached.credentials.expiration > now + self.margin
        {
            return Ok(cached.clone());
        }
        let logins = self.source.logins().await?;
        let subject = logins.subject_key();
        let known = state.identities.get(&subject).cloned();
        let fresh = self
            .client
            .credentials(&logins, known.as_ref(), self.custom_role_arn.as_deref())
            .await?;
        state
            .identities
            .insert(subject.clone(), fresh.identity_id.clone());
        state.current = Some((subject, fresh.clone()));
        Ok(fresh)
    }

    /// The IdentityId of the last credentials, if any.
    pub async fn identity_id(&self) -> Option<IdentityId> {
        self.state
            .lock()
            .await
            .current
            .as_ref()
            .map(|(_, c)| c.identity_id.clone())
    }
}
