//! Transports for `cognito-flows` built on the AWS SDK for Rust, and a
//! Cognito credentials provider for any AWS SDK client.
//!
//! The flows' operations are unsigned, so no AWS credentials are needed for
//! them, and none are ever looked up (no instance-metadata calls); STS
//! GetCallerIdentity ([`SdkSts::caller_identity`]) is signed with the
//! credentials it checks.
//! Endpoints come from `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_COGNITO_IDENTITY`
//! / `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` / `AWS_ENDPOINT_URL_STS`, or
//! from [`TransportsBuilder::endpoint_url`].
//!
//! # Every flow, offline
//!
//! The examples run against `mock-cognito` seeded with the repository's
//! `examples/mock-config.toml`; point `endpoint_url` elsewhere (or leave it
//! out) to run them against AWS.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_flows::*;
//! use sdk_transport::Transports;
//!
//! let mock = mock_cognito::MockCognito::builder()
//!     .seed_file(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/mock-config.toml"))
//!     .start()
//!     .await?;
//! let t = Transports::builder().region("ap-northeast-1").endpoint_url(mock.endpoint()).build().await;
//! let pool = IdentityPoolId::parse("ap-northeast-1:00000000-0000-4000-8000-000000000001")?;
//! let identities = IdentityPoolClient::new(t.identity_pool(), pool.clone());
//!
//! // 1. Unauthenticated: GetId → GetCredentialsForIdentity.
//! let guest = identities.unauthenticated(None).await?;
//! assert!(guest.credentials.access_key_id.starts_with("ASIA"));
//!
//! // 2. User-pool federation: SRP sign-in, then the ID token as a login.
//! let user_pool = UserPoolId::parse("ap-northeast-1_Example01")?;
//! let users = UserPoolClient::new(t.user_pool(), user_pool.clone(), ClientId::parse("1example23456789abcdefghij")?);
//! let SignInResult::SignedIn(tokens) = users.sign_in_srp("alice", &secret::Password::new("Passw0rd!")).await? else {
//!     panic!("alice has no pending challenge");
//! };
//! let logins = Logins::new().user_pool(&user_pool, &tokens.id_token);
//! let alice = identities.credentials(&logins, None, None).await?;
//!
//! // 4. A direct external IdP: a Facebook access token (from the mock's fake Facebook).
//! let fb = mock.mint_provider_token("graph.facebook.com", "1234567890", "10001", serde_json::json!({}))?;
//! let facebook = identities.credentials(&Logins::new().facebook(fb), None, None).await?;
//! assert_ne!(facebook.identity_id, alice.identity_id);
//!
//! // The classic flow: GetOpenIdToken → STS AssumeRoleWithWebIdentity.
//! let role = "arn:aws:iam::000000000000:role/ExampleAuthenticated";
//! let classic = identities.classic(&t.sts(), &logins, Some(&alice.identity_id), role, "demo").await?;
//! assert_eq!(classic.identity_id, alice.identity_id);
//!
//! // Credentials for any AWS SDK client, cached and renewed by its identity cache.
//! let session = UserPoolSession::new(users, tokens);
//! let provider = t.credentials_provider(pool, session);
//! let sts = aws_sdk_sts::Client::from_conf(
//!     aws_sdk_sts::Config::builder()
//!         .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
//!         .region(aws_sdk_sts::config::Region::new("ap-northeast-1"))
//!         .endpoint_url(mock.endpoint())
//!         .credentials_provider(provider.clone())
//!         .build(),
//! );
//! let me = sts.get_caller_identity().send().await?;
//! assert!(me.arn().unwrap().contains(":assumed-role/"));
//! assert_eq!(provider.identity_id(), Some(alice.identity_id));
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod browser;
mod error;
mod identity_pool;
mod login;
mod oauth2;
mod provider;
mod user_pool;

use std::sync::Arc;

use aws_config::BehaviorVersion;
use cognito_flows::{IdentityPoolId, LoginSource};

pub use browser::SystemBrowser;
pub use cognito_flows as flows;
pub use error::from_sdk;
pub use identity_pool::{CallerIdentity, SdkIdentityPool, SdkSts};
pub use login::LoopbackLogin;
pub use oauth2::{HttpOAuth2, LoopbackRedirect, loopback_target};
pub use provider::{
    Builder as CredentialsProviderBuilder, CachedSignIn, CognitoCredentialsProvider,
    IDENTITY_POOL_ID_VAR, ProviderEnv,
};
pub use user_pool::SdkUserPool;

/// The transports for every flow, sharing one SDK configuration.
#[derive(Debug, Clone)]
pub struct Transports {
    user_pool: Arc<SdkUserPool>,
    identity_pool: Arc<SdkIdentityPool>,
    sts: Arc<SdkSts>,
    oauth2: Arc<HttpOAuth2>,
}

/// Builds [`Transports`].
#[derive(Debug, Default)]
pub struct TransportsBuilder {
    region: Option<String>,
    endpoint_url: Option<String>,
}

impl TransportsBuilder {
    /// The region (otherwise from `AWS_REGION` and the AWS config files).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// One endpoint for every service (the mock serves all of them on one URL).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Loads the configuration. No credentials are configured: the flows
    /// only call unsigned operations, so nothing probes for credentials.
    pub async fn build(self) -> Transports {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).no_credentials();
        if let Some(region) = self.region {
            loader = loader.region(aws_config::Region::new(region));
        }
        if let Some(url) = self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        Transports {
            user_pool: Arc::new(SdkUserPool(aws_sdk_cognitoidentityprovider::Client::new(
                &config,
            ))),
            identity_pool: Arc::new(SdkIdentityPool(aws_sdk_cognitoidentity::Client::new(
                &config,
            ))),
            sts: Arc::new(SdkSts(aws_sdk_sts::Client::new(&config))),
            oauth2: Arc::new(HttpOAuth2::default()),
        }
    }
}

impl Transports {
    /// A builder.
    pub fn builder() -> TransportsBuilder {
        TransportsBuilder::default()
    }

    /// The user-pool transport.
    pub fn user_pool(&self) -> Arc<SdkUserPool> {
        self.user_pool.clone()
    }

    /// The identity-pool transport.
    pub fn identity_pool(&self) -> Arc<SdkIdentityPool> {
        self.identity_pool.clone()
    }

    /// The STS transport (classic flow).
    pub fn sts(&self) -> Arc<SdkSts> {
        self.sts.clone()
    }

    /// The OAuth2 token-endpoint transport (hosted UI).
    pub fn oauth2(&self) -> Arc<HttpOAuth2> {
        self.oauth2.clone()
    }

    /// A credentials provider for `pool` with logins from `source` (see
    /// [`CognitoCredentialsProvider::builder`] for the other settings).
    pub fn credentials_provider<L: LoginSource + 'static>(
        &self,
        pool: IdentityPoolId,
        source: L,
    ) -> CognitoCredentialsProvider<Arc<SdkIdentityPool>, L> {
        CognitoCredentialsProvider::builder()
            .identity_pool_id(pool)
            .build(self.identity_pool(), source)
    }
}
