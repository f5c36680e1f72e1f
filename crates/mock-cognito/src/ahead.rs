//! Expensive work done ahead of the state locks.
//!
//! Checking a token is cheap apart from its RSA signature, and setting a
//! password is cheap apart from its SRP verifier. So an operation first
//! finds what it will need (a short read lock: the key that could have
//! signed a token, the user a new password is for), does that work with no
//! lock held, and only then decides under the lock, where the expensive
//! step is a look-up of what was done ahead. Work nobody did ahead is done
//! on the spot, so a missed case is slower, never wrong.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use cognito_srp::{Password, PoolName, Verifier};

use crate::jwt::SigningKey;

/// One piece of work to do ahead. `Debug` prints no password or token.
pub enum Ahead {
    /// Check this token's signature with this key.
    Signature(Arc<SigningKey>, String),
    /// Make the verifier of a new password.
    Verifier {
        pool: PoolName,
        username: String,
        password: Password,
    },
    /// Check a password against the user's current verifier.
    Password {
        pool: PoolName,
        username: String,
        verifier: Box<Verifier>,
        password: Password,
    },
}

impl fmt::Debug for Ahead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ahead::Signature(key, _) => f
                .debug_struct("Signature")
                .field("kid", &key.kid())
                .finish_non_exhaustive(),
            Ahead::Verifier { pool, username, .. } => f
                .debug_struct("Verifier")
                .field("pool", pool)
                .field("username", username)
                .finish_non_exhaustive(),
            Ahead::Password { pool, username, .. } => f
                .debug_struct("Password")
                .field("pool", pool)
                .field("username", username)
                .finish_non_exhaustive(),
        }
    }
}

/// Everything one request did ahead of its locks.
#[derive(Debug, Default)]
pub struct WorkAhead {
    /// Token signatures checked.
    pub signatures: VerifiedSignatures,
    /// Password verifiers made.
    pub verifiers: PreparedVerifiers,
    /// The `sub` of the user the request may create, drawn ahead: it is
    /// also the internal username when a pool signs in by email or phone,
    /// which the verifier made ahead depends on.
    pub new_user_sub: Option<String>,
    /// The temporary password AdminCreateUser makes up when given none.
    pub generated_password: Option<Password>,
    /// The Lambda trigger the operation runs before changing anything
    /// (PreSignUp): its `response`, or its error.
    pub trigger: Option<crate::error::ApiResult<serde_json::Value>>,
    /// UserMigration's answer, when a sign-in or ForgotPassword names a
    /// user the pool does not have: its `response`, or its error.
    pub migration: Option<crate::error::ApiResult<serde_json::Value>>,
    /// The outbox entries of the codes the operation delivered, for
    /// CustomMessage to run on once it is done.
    pub delivered: std::sync::Mutex<Vec<u64>>,
}

impl WorkAhead {
    /// Notes a code delivered as outbox entry `id`.
    pub(crate) fn note_delivered(&self, id: u64) {
        self.delivered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(id);
    }

    /// The codes delivered so far, forgotten here.
    pub(crate) fn take_delivered(&self) -> Vec<u64> {
        std::mem::take(&mut *self.delivered.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Does `plan` now: call it with no lock held.
    pub(crate) fn run(&mut self, plan: Vec<Ahead>, rng: &crate::ids::Randomness) {
        for work in plan {
            match work {
                Ahead::Signature(key, token) => self.signatures.check_ahead(&key, &token),
                Ahead::Verifier {
                    pool,
                    username,
                    password,
                } => self
                    .verifiers
                    .make_ahead(rng, pool, &username, password.expose_secret()),
                Ahead::Password {
                    pool,
                    username,
                    verifier,
                    password,
                } => {
                    self.verifiers
                        .check_ahead(pool, &username, *verifier, password.expose_secret())
                }
            }
        }
    }
}

/// SRP verifiers made, and passwords checked, before a lock was taken, for
/// a (pool, user, password).
#[derive(Debug, Default)]
pub struct PreparedVerifiers {
    made: Vec<(PoolName, String, Password, Verifier)>,
    checked: Vec<(PoolName, String, Verifier, Password, bool)>,
}

impl PreparedVerifiers {
    /// Makes the verifier of `password` for `username` now: call it with
    /// no lock held. A password the SRP maths refuses is left to the
    /// operation to report.
    pub(crate) fn make_ahead(
        &mut self,
        rng: &crate::ids::Randomness,
        pool: PoolName,
        username: &str,
        password: &str,
    ) {
        let password = Password::new(password);
        let made = crate::work::expensive(|| {
            Verifier::generate(&mut rng.crypto_rng(), &pool, username, &password)
        });
        if let Ok(verifier) = made {
            self.made
                .push((pool, username.to_owned(), password, verifier));
        }
    }

    /// Checks `password` against `username`'s current `verifier` now: call
    /// it with no lock held.
    pub(crate) fn check_ahead(
        &mut self,
        pool: PoolName,
        username: &str,
        verifier: Verifier,
        password: &str,
    ) {
        let password = Password::new(password);
        let good = crate::work::expensive(|| verifier.matches_password(&pool, username, &password));
        self.checked
            .push((pool, username.to_owned(), verifier, password, good));
    }

    /// The outcome of checking exactly this password against this verifier
    /// ahead of the lock, if it was.
    pub(crate) fn checked(
        &self,
        pool: &PoolName,
        username: &str,
        verifier: &Verifier,
        password: &str,
    ) -> Option<bool> {
        self.checked
            .iter()
            .find(|(p, u, v, pw, _)| {
                p == pool
                    && u == username
                    && v == verifier
                    && cognito_srp::ct_eq(pw.expose_secret().as_bytes(), password.as_bytes())
            })
            .map(|(.., good)| *good)
    }

    /// The verifier made ahead for exactly this pool, user and password.
    pub(crate) fn take(&self, pool: &PoolName, username: &str, password: &str) -> Option<Verifier> {
        self.made
            .iter()
            .find(|(p, u, pw, _)| {
                p == pool
                    && u == username
                    && cognito_srp::ct_eq(pw.expose_secret().as_bytes(), password.as_bytes())
            })
            .map(|(.., v)| v.clone())
    }
}

/// The outcomes of signature checks done before a lock was taken, by
/// (`kid`, token).
#[derive(Default)]
pub struct VerifiedSignatures {
    outcomes: HashMap<(String, String), bool>,
}

impl fmt::Debug for VerifiedSignatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The keys hold whole tokens: say how many, never which.
        f.debug_struct("VerifiedSignatures")
            .field("checked", &self.outcomes.len())
            .finish()
    }
}

impl VerifiedSignatures {
    /// Checks `token` against `key` now: call it with no lock held.
    pub(crate) fn check_ahead(&mut self, key: &SigningKey, token: &str) {
        let good = key.verify(token);
        self.outcomes
            .insert((key.kid().to_owned(), token.to_owned()), good);
    }

    /// Whether `key` signed `token`: the outcome found ahead, or else a
    /// check made now.
    pub(crate) fn verify(&self, key: &SigningKey, token: &str) -> bool {
        self.outcomes
            .get(&(key.kid().to_owned(), token.to_owned()))
            .copied()
            .unwrap_or_else(|| key.verify(token))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ids::Randomness;
    use crate::jwt::KeyFactory;

    #[test]
    fn outcomes_found_ahead_are_kept_and_others_checked() {
        let rng = Randomness::seeded(7);
        let factory = KeyFactory::default();
        let key = SigningKey::generate(&rng, &factory);
        let other = SigningKey::generate(&rng, &factory);
        let token = key.sign(&json!({"sub": "a"}));
        let forged = other.sign(&json!({"sub": "a"}));

        let mut ahead = VerifiedSignatures::default();
        ahead.check_ahead(&key, &token);
        ahead.check_ahead(&key, &forged);
        assert!(ahead.verify(&key, &token));
        assert!(!ahead.verify(&key, &forged));
        // Not checked ahead: verified now, with the same answer.
        assert!(other.verify(&forged));
        assert!(ahead.verify(&other, &forged));
        assert!(!VerifiedSignatures::default().verify(&other, &token));
    }
}
