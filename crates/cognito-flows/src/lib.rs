//! The Cognito identity flows as a library, independent of any AWS SDK.
//!
//! Role in the workspace: this crate holds the decisions of each flow
//! (unauthenticated credentials, user-pool SRP sign-in, hosted-UI code exchange,
//! federated and classic identity-pool flows) over transport traits for the
//! user-pool API, the identity-pool API and the OAuth2 token endpoint. It
//! depends only on `cognito-srp`; `sdk-transport` implements the traits with
//! the AWS SDK for Rust. See `docs/architecture.md`.
//!
//! The flows land with the `cognito-flows` issue; until then this crate
//! re-exports the SRP core the flows are built on.

#![forbid(unsafe_code)]

pub use cognito_srp as srp;
