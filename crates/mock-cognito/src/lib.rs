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
//! - **Protocol.** Every request is validated against the AWS service model
//!   (required members, types, lengths, ranges, enums, patterns) as it is
//!   read into the typed [`shapes`] generated from that model. Errors are
//!   HTTP 400 with `x-amzn-ErrorType` and `{"__type","message"}`. Every
//!   response has `x-amzn-RequestId` and CORS headers. Unknown targets, bad
//!   JSON, wrong content types, bodies over 1 MiB and unsigned admin calls
//!   get AWS-shaped errors, never a 5xx.
//! - **User pools (control plane).** Create/Describe/List/Update/Delete for
//!   pools and app clients; domains; groups; AdminCreateUser,
//!   AdminSetUserPassword, AdminGetUser, AdminDeleteUser, Admin(Dis|En)ableUser,
//!   Admin(Update|Delete)UserAttributes, AdminConfirmSignUp, group membership,
//!   ListUsers (filters, pagination), ListUsersInGroup, AdminUserGlobalSignOut.
//! - **Sign-in.** InitiateAuth / AdminInitiateAuth with USER_SRP_AUTH (SRP
//!   verified with `cognito-srp`; secret blocks single-use, short-lived and
//!   bound to the app client), USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH
//!   and REFRESH_TOKEN_AUTH; NEW_PASSWORD_REQUIRED; SECRET_HASH; lockout
//!   after 5 failures; PreventUserExistenceErrors; UsernameAttributes with
//!   UUID internal usernames. Users keep an SRP salt and verifier, never the
//!   password.
//! - **MFA.** Set/GetUserPoolMfaConfig (OFF, ON, OPTIONAL; SMS, software
//!   token, email), AssociateSoftwareToken / VerifySoftwareToken (RFC 6238,
//!   one step of drift, each code accepted once), SetUserMFAPreference and
//!   AdminSetUserMFAPreference, (Admin)SetUserSettings, AdminDeleteSoftwareToken;
//!   the SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and
//!   MFA_SETUP challenges, with SMS and email codes in the codes outbox.
//! - **Self-service.** SignUp, ConfirmSignUp, ResendConfirmationCode,
//!   ForgotPassword, ConfirmForgotPassword (codes are logged and kept for
//!   [`MockCognito::verification_codes`]), ChangePassword, GetUser,
//!   UpdateUserAttributes, DeleteUser, GlobalSignOut, RevokeToken.
//! - **Tokens.** RS256 ID and access tokens with different per-pool keys and
//!   Cognito's claims (groups, roles, preferred role, attributes); opaque
//!   refresh tokens bound to client and session; the JWKS and
//!   openid-configuration under `/<poolId>/.well-known/`.
//! - **Identity pools.** The control plane (pools, roles and role mappings,
//!   identities, principal-tag maps); GetId, GetCredentialsForIdentity (with
//!   CustomRoleArn), GetOpenIdToken, UnlinkIdentity; developer-authenticated
//!   identities. Logins are validated (user-pool ID tokens against the pool's
//!   keys, audience, expiry and, with ServerSideTokenCheck, the session;
//!   external tokens against the fake providers). Identities are keyed on the
//!   provider's subject, link and merge as AWS documents, and get roles by
//!   CustomRoleArn, Token or Rules mappings.
//! - **STS.** AssumeRoleWithWebIdentity for the classic flow, and
//!   GetCallerIdentity with SigV4 verified against the issued credentials.
//! - **Hosted UI and OAuth2** for pools with a domain, at `/<domain>/…` or by
//!   `Host`: `/oauth2/authorize` (code and implicit, PKCE S256 only),
//!   `/login` (an HTML page with CSRF protection, the new-password form,
//!   provider buttons, a session cookie), `/logout`, `/oauth2/token`
//!   (authorization_code, refresh_token, client_credentials; Basic or form
//!   client secrets), `/oauth2/userInfo`, `/oauth2/revoke`,
//!   `/oauth2/idpresponse`; identity providers and resource servers.
//! - **Fake external providers** for Facebook, Login with Amazon, Google,
//!   Apple and OIDC under `/idp/<provider>/`: sign-in pages with seeded test
//!   users, code and implicit grants, userinfo, JWKS and discovery.
//!   Federation through the hosted UI creates `<Provider>_<id>` users; the
//!   same tokens are what identity pools accept, and
//!   [`MockCognito::mint_provider_token`] issues one without a page.
//! - **A scripted browser** (feature `browser`): `browser::Browser` signs
//!   in on those pages for tests.
//! - **Seed files** ([`SeedConfig`], `docs/mock-config.md`) and a
//!   controllable [`Clock`].
//!
//! Every other model operation answers `UnsupportedOperationException` in
//! the AWS shape.

#![forbid(unsafe_code)]

mod ahead;
#[cfg(feature = "browser")]
pub mod browser;
mod client_metadata;
mod clock;
mod config;
mod connections;
mod credentials;
mod engine;
mod error;
pub mod example;
mod expiring;
mod external_idp;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod identity_pool;
mod ids;
mod jwt;
mod kms;
pub mod logging;
mod ops;
mod paging;
mod region;
#[cfg(feature = "server")]
pub mod serve;
mod server;
pub mod shapes;

mod store;
mod sts;
pub mod triggers;
mod url_rules;
mod user_pool;
mod work;

pub use clock::{Clock, ClockRangeError, LATEST_UNIX};
pub use config::{
    MAX_SEED_FILE_BYTES, SeedClient, SeedCognitoProvider, SeedConfig, SeedGroup, SeedIdentityPool,
    SeedIdentityProvider, SeedProviderApp, SeedProviderUser, SeedResourceServer, SeedUser,
    SeedUserPool,
};
pub use connections::ConnectionLimits;
pub use error::{ApiError, ApiResult};
pub use http::aws_json::MAX_BODY_BYTES;
pub use ids::Randomness;
pub use jwt::KeyFactory;
pub use server::{MockCognito, MockCognitoBuilder, StopSignals};
/// Copies the data dir `from` (of `--data-dir` / [`MockCognitoBuilder::data_dir`])
/// into the new directory `to`, consistently, while its server runs:
/// SQLite's online backup of the state, then the signing keys. A server
/// started on `to` continues from the copy.
pub fn backup_data_dir(from: &std::path::Path, to: &std::path::Path) -> Result<(), String> {
    store::backup(from, to).map_err(|e| e.to_string())
}

pub use user_pool::{ClientSummary, CodePurpose, CodeRecord, IssuerMode, PoolSummary};
pub use work::expensive_work_counters;
