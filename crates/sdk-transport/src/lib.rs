//! Transports for `cognito-flows` built on the AWS SDK for Rust.
//!
//! Role in the workspace: the only crate (besides test clients) that depends on
//! `aws-sdk-cognitoidentityprovider`, `aws-sdk-cognitoidentity` and
//! `aws-sdk-sts`; it implements the flow crate's transport traits with them,
//! adds a small HTTP client for the hosted UI's `/oauth2/*` endpoints, and
//! offers a Cognito credentials provider for the AWS SDK. Keeping the SDK here
//! keeps the rest of the workspace quick to build. See `docs/architecture.md`.

#![forbid(unsafe_code)]

pub use cognito_flows as flows;
