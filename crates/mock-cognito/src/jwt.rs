//! RS256 JSON Web Tokens and the JWKS that verifies them.
//!
//! Keys are generated when a pool is created and live only in memory: no key
//! is ever committed or shipped.

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// An RSA-2048 signing key with its `kid`.
pub struct SigningKey {
    kid: String,
    key: RsaKeyPair,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh key. The `kid` is base64 of 32 random bytes (44 characters),
    /// like Cognito's.
    pub fn generate() -> SigningKey {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        SigningKey {
            kid: STANDARD.encode(crate::ids::bytes(32)),
            key,
        }
    }

    /// Signs `claims` as a compact JWS with header `{"kid", "alg": "RS256"}`.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({"kid": self.kid, "alg": "RS256"});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut sig,
            )
            .expect("RSA signing with a valid key");
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// Whether `token` is a well-formed RS256 JWS signed by this key.
    pub fn verify(&self, token: &str) -> bool {
        let Some((signing_input, sig)) = token.rsplit_once('.') else {
            return false;
        };
        let Ok(sig) = URL_SAFE_NO_PAD.decode(sig) else {
            return false;
        };
        let Some((header, _)) = signing_input.split_once('.') else {
            return false;
        };
        let header: Option<Value> = URL_SAFE_NO_PAD
            .decode(header)
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok());
        if header
            .as_ref()
            .is_none_or(|h| h["alg"] != "RS256" || h["kid"] != self.kid.as_str())
        {
            return false;
        }
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, self.key.public_key().as_ref())
            .verify(signing_input.as_bytes(), &sig)
            .is_ok()
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> Value {
        let public = self.key.public_key();
        json!({
            "alg": "RS256",
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
            "kid": self.kid,
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "use": "sig",
        })
    }
}

/// The claims of a compact JWS, without checking anything: callers verify
/// the signature with the key the claims point to.
pub fn decode_unverified(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, claims, _, None) = (parts.next()?, parts.next()?, parts.next()?, parts.next()) else {
        return None;
    };
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()
}
