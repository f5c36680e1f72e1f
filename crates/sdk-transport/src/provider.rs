//! `CognitoCredentialsProvider`: Cognito identity-pool credentials for any
//! AWS SDK for Rust client.

use std::sync::Arc;

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use cognito_flows::transport::IdentityPoolApi;
use cognito_flows::{CredentialsCache, IdentityId, LoginSource};

/// A credentials provider backed by a Cognito identity pool. Credentials are
/// cached and renewed five minutes before they expire; concurrent callers
/// share one request.
///
/// ```no_run
/// # async fn demo(transports: sdk_transport::Transports, pool: cognito_flows::IdentityPoolId) {
/// let provider = transports.credentials_provider(pool, cognito_flows::Unauthenticated);
/// let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
///     .credentials_provider(provider.clone())
///     .load()
///     .await;
/// # let _ = config;
/// # }
/// ```
pub struct CognitoCredentialsProvider<T, L> {
    cache: Arc<CredentialsCache<T, L>>,
}

impl<T, L> Clone for CognitoCredentialsProvider<T, L> {
    fn clone(&self) -> Self {
        CognitoCredentialsProvider {
            cache: self.cache.clone(),
        }
    }
}

impl<T, L> std::fmt::Debug for CognitoCredentialsProvider<T, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CognitoCredentialsProvider")
    }
}

impl<T: IdentityPoolApi + 'static, L: LoginSource + 'static> CognitoCredentialsProvider<T, L> {
    /// A provider over a credentials cache (use it to set the clock, the
    /// renewal margin or a CustomRoleArn).
    pub fn new(cache: CredentialsCache<T, L>) -> Self {
        CognitoCredentialsProvider {
            cache: Arc::new(cache),
        }
    }

    /// The IdentityId of the last credentials.
    pub async fn identity_id(&self) -> Option<IdentityId> {
        self.cache.identity_id().await
    }

    /// The cache underneath (its login source holds the user-pool session).
    pub fn cache(&self) -> &CredentialsCache<T, L> {
        &self.cache
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
            let fresh = self.cache.credentials().await.map_err(|e| {
                if e.code().is_some() {
                    CredentialsError::provider_error(e)
                } else {
                    CredentialsError::provider_error(format!("Cognito: {e}"))
                }
            })?;
            let c = fresh.credentials;
            Ok(Credentials::new(
                c.access_key_id,
                c.secret_access_key.expose_secret(),
                Some(c.session_token.expose_secret().to_owned()),
                Some(c.expiration),
                "CognitoIdentity",
            ))
        })
    }
}
