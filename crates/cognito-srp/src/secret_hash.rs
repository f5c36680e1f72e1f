//! SECRET_HASH, required on unauthenticated calls by app clients with a secret.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// `base64(HMAC-SHA256(key = client_secret, msg = username ‖ client_id))`.
///
/// `username` must be the one the request carries: for RespondToAuthChallenge
/// and refresh that is the internal username (USER_ID_FOR_SRP), not an alias.
pub fn secret_hash(username: &str, client_id: &str, client_secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(client_secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks a received SECRET_HASH in constant time.
pub fn verify_secret_hash(
    received: &str,
    username: &str,
    client_id: &str,
    client_secret: &str,
) -> bool {
    use subtle::ConstantTimeEq;
    let expected = secret_hash(username, client_id, client_secret);
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_vector_v1() {
        assert_eq!(
            secret_hash("test", "123abd", "clientSecret"),
            "LoIX/oPJWZzFYv8liJYRo+CHv16FNDY10JlZEDjL3Vg="
        );
        assert!(verify_secret_hash(
            "LoIX/oPJWZzFYv8liJYRo+CHv16FNDY10JlZEDjL3Vg=",
            "test",
            "123abd",
            "clientSecret"
        ));
        assert!(!verify_secret_hash(
            "LoIX/oPJWZzFYv8liJYRo+CHv16FNDY10JlZEDjL3Vg=",
            "Test",
            "123abd",
            "clientSecret"
        ));
        assert!(!verify_secret_hash("", "test", "123abd", "clientSecret"));
    }
}
