//! An offline emulator of Amazon Cognito.
//!
//! Role in the workspace: an axum server speaking AWS JSON 1.1 for user pools
//! (`AWSCognitoIdentityProviderService.*`) and identity pools
//! (`AWSCognitoIdentityService.*`), plus the hosted UI's OAuth2 endpoints. It
//! verifies SRP proofs with `cognito-srp`'s server side and signs real RS256
//! JWTs with keys generated per data directory. It depends on `cognito-srp`
//! only; the AWS SDK crates appear here solely as test clients. See
//! `docs/architecture.md`.
//!
//! The server lands with the mock-cognito issues; until then this crate
//! re-exports the SRP server side it is built on.

#![forbid(unsafe_code)]

pub use cognito_srp as srp;
