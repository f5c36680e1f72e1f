//! Proof Key for Code Exchange (RFC 7636), S256 only: Cognito's hosted UI
//! refuses `plain`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `base64url(SHA-256(verifier))`, the S256 code challenge (§4.2).
pub fn challenge_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` is the one `challenge` was made from (compared in
/// constant time).
pub fn verify_s256(verifier: &str, challenge: &str) -> bool {
    challenge_s256(verifier)
        .as_bytes()
        .ct_eq(challenge.as_bytes())
        .into()
}

/// A verifier as §4.1 allows: 43 to 128 characters of `[A-Za-z0-9-._~]`.
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `challenge` has the shape of an S256 challenge: 43 base64url
/// characters (a SHA-256 digest, unpadded).
pub fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A fresh verifier from 32 random bytes (43 characters).
pub fn verifier_from_random(bytes: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn matches_rfc_7636_appendix_b() {
        assert_eq!(challenge_s256(RFC_VERIFIER), RFC_CHALLENGE);
        assert!(verify_s256(RFC_VERIFIER, RFC_CHALLENGE));
        assert!(!verify_s256(
            "another-verifier-another-verifier-another-v",
            RFC_CHALLENGE
        ));
        assert!(is_valid_verifier(RFC_VERIFIER));
        assert!(!is_valid_verifier("short"));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", &RFC_VERIFIER[..43])));
        assert!(is_s256_challenge(RFC_CHALLENGE));
        assert!(!is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"
        ));
        assert!(is_valid_verifier(&verifier_from_random(&[7; 32])));
    }
}
