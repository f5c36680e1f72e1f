//! Amazon Cognito's identity flows as a library, independent of any AWS SDK.
//!
//! An app turns a login into temporary AWS credentials through a Cognito
//! identity pool. This crate holds the decisions of each flow over
//! transport traits ([`transport`]): `sdk-transport` implements them with
//! the AWS SDK for Rust, and tests implement them in memory.
//!
//! | flow | entry point |
//! |---|---|
//! | unauthenticated (guest) credentials | [`IdentityPoolClient::unauthenticated`] |
//! | user-pool sign-in: SRP (default), password, refresh, challenges | [`UserPoolClient`] |
//! | user-pool federation: ID token → credentials | [`IdentityPoolClient::credentials`] with [`Logins::user_pool`] |
//! | hosted UI: authorize URL with PKCE, callback, code exchange | [`HostedUi::begin`], [`PendingAuthorization::complete`] |
//! | direct external IdP (Facebook, Amazon, Google, Apple, OIDC, SAML, developer) | [`Logins`] |
//! | classic flow (GetOpenIdToken → AssumeRoleWithWebIdentity) | [`IdentityPoolClient::classic`] |
//! | challenges answered until signed in (new password, MFA) | [`UserPoolClient::finish_sign_in`], asking a person: [`prompt::PromptedAnswers`] |
//! | cached, self-renewing credentials | [`CredentialsCache`] |
//! | a sign-in kept in a file (a CLI's token cache) | [`TokenStore`] |
//! | every call seen, secrets shortened (logs, traces, `--verbose`) | [`observe::Observed`] |
//! | credentials for AWS tools: `credential_process` JSON, `export` lines, `--output text` | [`aws_output`] |
//! | verifying user-pool tokens in a service (JWKS cache, axum extractor) | [`verifier::CognitoJwtVerifier`] |
//!
//! Secrets (passwords, tokens, client secrets, keys) are typed
//! ([`secret`]), wiped on drop and never shown by `Debug`. Ids are typed
//! and parsed ([`UserPoolId`] knows its region). Errors keep AWS's code
//! and message ([`FlowError`]).
//!
//! Runnable examples of every flow, against the offline mock, are in the
//! `sdk-transport` crate's documentation.
//!
//! ```
//! use cognito_flows::{Logins, UserPoolId, secret::IdToken};
//!
//! let pool = UserPoolId::parse("ap-northeast-1_AbCdEf123")?;
//! let logins = Logins::new().user_pool(&pool, &IdToken::new("eyJ…"));
//! assert_eq!(logins.providers().collect::<Vec<_>>(), ["cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_AbCdEf123"]);
//! assert_eq!(format!("{logins:?}"), r#"{"cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_AbCdEf123"}"#);
//! # Ok::<(), cognito_flows::FlowError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod aws_output;
mod cache;
mod clock;
mod error;
mod identity_pool;
mod ids;
mod logins;
mod oauth2;
pub mod observe;
pub mod prompt;
pub mod secret;
mod token_store;
pub mod transport;
mod user_pool;
pub mod verifier;

pub use cache::{
    CredentialsCache, DEFAULT_RENEWAL_MARGIN, IdentityIds, LoginSource, StaticLogins,
    Unauthenticated, UserPoolSession,
};
pub use clock::{Clock, SystemClock, TimeSource};
pub use cognito_srp as srp;
pub use cognito_wire as wire;
pub use error::FlowError;
pub use identity_pool::{IdentityCredentials, IdentityPoolClient};
pub use ids::{ClientId, IdentityId, IdentityPoolId, UserPoolId};
pub use logins::{AMAZON, APPLE, COGNITO_IDENTITY, FACEBOOK, GOOGLE, Logins};
pub use oauth2::{Callback, HostedUi, PendingAuthorization};
pub use token_store::{TokenFile, TokenStore, TokenStoreError};
pub use user_pool::{
    Challenge, ChallengeAnswers, FirstFactor, NextStep, SignInResult, UserPoolClient,
    UserPoolTokens,
};
