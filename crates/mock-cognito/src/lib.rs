//! An offline emulator of Amazon Cognito.
//!
//! An axum server speaking AWS JSON 1.1 on `POST /` with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>` (user pools) or
//! `AWSCognitoIdentityService.<Op>` (identity pools). It verifies SRP proofs
//! with `cognito-srp`'s server side and signs real RS256 JWTs with keys
//! generated when each pool is created; nothing is a canned answer.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let mock = mock_cognito::MockCognito::start().await?; // 127.0.0.1, free port
//! println!("point the SDK at {}", mock.endpoint());
//! drop(mock); // stops the server
//! # Ok(()) }
//! ```
//!
//! # What works today
//!
//! - The protocol layer: every request is validated against the AWS service
//!   model (required members, types, lengths, ranges, enums, patterns);
//!   errors are HTTP 400 with `x-amzn-ErrorType` and `{"__type","message"}`;
//!   every response has `x-amzn-RequestId` and CORS headers; unknown targets,
//!   bad JSON, wrong content types and bodies over 1 MiB get AWS-shaped errors.
//! - User pools: CreateUserPool, DescribeUserPool, DeleteUserPool,
//!   CreateUserPoolClient (GenerateSecret, ExplicitAuthFlows),
//!   DescribeUserPoolClient, AdminCreateUser (temporary password →
//!   FORCE_CHANGE_PASSWORD), AdminSetUserPassword, AdminGetUser; InitiateAuth
//!   with USER_SRP_AUTH and USER_PASSWORD_AUTH; RespondToAuthChallenge with
//!   PASSWORD_VERIFIER (verified SRP; single-use secret blocks bound to the
//!   app client) and NEW_PASSWORD_REQUIRED; SECRET_HASH; password policy.
//!   Users keep an SRP salt and verifier, never the password.
//! - ID and access tokens signed RS256 with different per-pool keys, issuer
//!   `https://cognito-idp.<region>.amazonaws.com/<poolId>`, and the JWKS at
//!   `/<poolId>/.well-known/jwks.json`.
//!
//! Every other model operation answers `UnsupportedOperationException` in the
//! AWS shape. Identity pools, refresh tokens, sign-up and the hosted UI are
//! the next steps (see the issue tracker).

#![forbid(unsafe_code)]

mod clock;
mod config;
mod error;
mod ids;
mod jwt;
mod model;
mod protocol;
mod server;
mod url_rules;
mod user_pool;

pub use clock::Clock;
pub use config::{SeedClient, SeedConfig, SeedGroup, SeedUser, SeedUserPool};
pub use error::{ApiError, ApiResult};
pub use protocol::MAX_BODY_BYTES;
pub use server::{MockCognito, MockCognitoBuilder};
pub use user_pool::{ClientSummary, CodeRecord, IssuerMode, PoolSummary};
