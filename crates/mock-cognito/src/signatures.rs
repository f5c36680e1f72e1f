//! Token signatures checked ahead of the state locks.
//!
//! Validating a login is cheap apart from its RSA signature. So an
//! operation that validates logins first finds the keys that could have
//! signed them (a short read lock), checks the signatures with no lock
//! held, and only then decides under the lock, where checking a signature
//! is a look-up of what was found ahead. A token nobody checked ahead is
//! verified on the spot, so a missed case is slower, never wrong.

use std::collections::HashMap;

use crate::jwt::SigningKey;

/// The outcomes of signature checks done before a lock was taken, by
/// (`kid`, token).
#[derive(Debug, Default)]
pub struct VerifiedSignatures {
    outcomes: HashMap<(String, String), bool>,
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
