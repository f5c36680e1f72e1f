//! The JSON Web Key Set a user pool publishes at
//! `<issuer>/.well-known/jwks.json` (RFC 7517).

use serde::{Deserialize, Serialize};

/// One public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// `RSA` for user pools.
    pub kty: String,
    /// The key id tokens name in their header.
    pub kid: String,
    /// `RS256` for user pools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// `sig`.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    /// The RSA modulus, base64url big-endian.
    #[serde(default)]
    pub n: String,
    /// The RSA public exponent, base64url big-endian.
    #[serde(default)]
    pub e: String,
}

/// A key set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// Parses a JWKS document.
    pub fn from_json(text: &[u8]) -> Result<Jwks, serde_json::Error> {
        serde_json::from_slice(text)
    }

    /// The key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_user_pool_jwks() {
        let jwks = Jwks::from_json(
            br#"{"keys":[{"alg":"RS256","e":"AQAB","kid":"k1","kty":"RSA","n":"xyz","use":"sig"}]}"#,
        )
        .unwrap();
        let key = jwks.find("k1").unwrap();
        assert_eq!(key.key_use.as_deref(), Some("sig"));
        assert_eq!(key.e, "AQAB");
        assert!(jwks.find("k2").is_none());
        assert!(Jwks::from_json(b"{}").is_err());
    }
}
