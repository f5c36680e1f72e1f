//! Amazon Cognito's variant of SRP-6a, client and server side.
//!
//! # The protocol in one page
//!
//! Cognito user pools sign users in with the Secure Remote Password protocol
//! (`USER_SRP_AUTH`), so the password never crosses the wire. The group is the
//! 3072-bit MODP prime N of RFC 3526 with **g = 2**, hashed with SHA-256.
//!
//! Numbers enter hashes through `padHex` ([`pad_hex`]): the minimal big-endian
//! magnitude with a `0x00` in front when the top bit is set. That is why
//! `k = H(padHex(N) ‖ padHex(g))` differs from RFC 5054's fixed-width k, and
//! why textbook SRP libraries cannot talk to Cognito.
//!
//! 1. The client draws a secret `a`, sends `SRP_A = g^a mod N` in InitiateAuth.
//! 2. The server looks up the user's salt `s` and verifier `v = g^x`, draws `b`,
//!    and answers `PASSWORD_VERIFIER` with `SALT`, `SRP_B = k·v + g^b mod N`,
//!    an opaque `SECRET_BLOCK` and `USER_ID_FOR_SRP` (the canonical username).
//! 3. Both compute `u = H(padHex(A) ‖ padHex(B))`. The client computes
//!    `x = H(padHex(s) ‖ H(poolName ‖ userId ‖ ":" ‖ password))`, where the pool
//!    name is the part of the pool id after `_`, and
//!    `S = (B − k·g^x)^(a + u·x)`; the server computes `S = (A·v^u)^b`.
//! 4. Both derive a 16-byte key with HKDF-SHA256 (salt `padHex(u)`, input
//!    `padHex(S)`, info `"Caldera Derived Key"`).
//! 5. The client proves it knows the key with
//!    `PASSWORD_CLAIM_SIGNATURE = HMAC(key, poolName ‖ userId ‖ secretBlock ‖ TIMESTAMP)`,
//!    where TIMESTAMP is `EEE MMM d HH:mm:ss UTC yyyy` ([`CognitoTimestamp`]).
//!    The server recomputes it and compares in constant time.
//!
//! Device SRP ([`DeviceSecret`]) is the same exchange with the device group key
//! as pool name, the device key as user id and a random device password.
//!
//! This crate is pure: no I/O, no async, no clock reads (time is a parameter),
//! and randomness comes in as a [`rand_core::CryptoRng`]. Secrets (`a`, `b`, x,
//! S, keys, passwords) are zeroized when dropped and never printed by `Debug`.
//! The modular arithmetic is a constant-time Montgomery implementation
//! specialised to the 3072-bit group.
//!
//! # A full round trip
//!
//! ```
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//! use cognito_srp::*;
//! use rand_chacha::ChaCha20Rng;
//! use rand_core::SeedableRng;
//!
//! let mut rng = ChaCha20Rng::seed_from_u64(7);
//! let pool = PoolName::from_user_pool_id("us-east-1_AbCdEf123")?;
//! let password = Password::new("P@ssw0rd!");
//!
//! // Sign-up: the server keeps only a salt and a verifier.
//! let verifier = Verifier::generate(&mut rng, &pool, "alice", &password)?;
//!
//! // InitiateAuth(USER_SRP_AUTH, SRP_A) → PASSWORD_VERIFIER.
//! let client = SrpClient::new(&mut rng);
//! let session = ServerSession::start(&mut rng, &verifier);
//! let challenge = PasswordVerifierChallenge {
//!     username: "alice".into(),
//!     user_id_for_srp: "alice".into(),
//!     salt: session.salt(),
//!     srp_b: session.srp_b(),
//!     secret_block: "c2VjcmV0LWJsb2Nr".into(),
//! };
//!
//! // RespondToAuthChallenge: the client signs, the server verifies.
//! let now = UNIX_EPOCH + Duration::from_secs(1_709_629_623);
//! let timestamp = CognitoTimestamp::from_system_time(now).unwrap();
//! let claim = client.answer_password_verifier(&pool, &challenge, &password, timestamp)?;
//! assert_eq!(claim.timestamp, "Tue Mar 5 09:07:03 UTC 2024");
//! let received = ReceivedClaim {
//!     srp_a: &client.srp_a(),
//!     secret_block: &claim.secret_block,
//!     timestamp: &claim.timestamp,
//!     signature: &claim.signature,
//! };
//! session.verify_password_claim(&pool, "alice", received, now, DEFAULT_TIMESTAMP_SKEW)?;
//!
//! // A wrong password fails.
//! let wrong = client.answer_password_verifier(&pool, &challenge, &Password::new("nope"), timestamp)?;
//! let received = ReceivedClaim { signature: &wrong.signature, ..received };
//! assert_eq!(
//!     session.verify_password_claim(&pool, "alice", received, now, DEFAULT_TIMESTAMP_SKEW),
//!     Err(SrpError::SignatureMismatch)
//! );
//! # Ok::<(), SrpError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bignum;
mod client;
mod device;
mod error;
mod group;
mod hex;
mod pool;
mod proof;
mod secret;
mod secret_hash;
mod server;
mod timestamp;

#[cfg(test)]
mod vector_tests;

/// The README's examples compile and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

pub use client::{CLIENT_SECRET_BYTES, PasswordClaim, PasswordVerifierChallenge, SrpClient};
pub use device::{DeviceSecret, DeviceSecretVerifierConfig};
pub use error::SrpError;
pub use group::{G, K_HEX, N_HEX, pad_hex};
pub use hex::{MAX_HEX_LEN, decode_hex, encode_hex, encode_hex_unpadded};
pub use pool::PoolName;
pub use proof::ct_eq;
pub use secret::Password;
pub use secret_hash::{secret_hash, verify_secret_hash};
pub use server::{
    DEFAULT_TIMESTAMP_SKEW, ReceivedClaim, SALT_BYTES, SERVER_SECRET_BYTES, ServerSession, Verifier,
};
pub use timestamp::CognitoTimestamp;
