//! RSA-signed JSON Web Tokens and the JWKS that verifies them.
//!
//! Keys are generated when a pool (or the mock) is created and live only in
//! memory: no key is ever committed or shipped.
//!
//! Signing is aws-lc-rs's `RsaKeyPair::sign`: `cargo xtask bench mock` times
//! it against ring and jsonwebtoken's aws-lc backend on the same key and
//! input in every run, and it has been as fast as ring and about twice as
//! fast as jsonwebtoken (which parses the DER key on every call).

use std::fmt;
use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_2048_8192_SHA512, RSA_PKCS1_SHA256,
    RSA_PKCS1_SHA512, RsaEncoding, RsaKeyPair, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognito_wire::{Jwk, jwt};
use serde_json::{Value, json};

/// The RSA signature algorithms the mock issues: user pools and the fake
/// providers sign RS256; identity pools sign their OpenID tokens RS512, as
/// AWS does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
}

impl Alg {
    fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Rs512 => "RS512",
        }
    }

    fn signing(self) -> &'static dyn RsaEncoding {
        match self {
            Alg::Rs256 => &RSA_PKCS1_SHA256,
            Alg::Rs512 => &RSA_PKCS1_SHA512,
        }
    }

    fn verification(self) -> &'static aws_lc_rs::signature::RsaParameters {
        match self {
            Alg::Rs256 => &RSA_PKCS1_2048_8192_SHA256,
            Alg::Rs512 => &RSA_PKCS1_2048_8192_SHA512,
        }
    }
}

/// Where the RSA key behind a `kid` comes from: generated fresh (the
/// default), or from a function that returns it as PKCS#8 DER (a test that
/// compares runs hands the same key to the same `kid`; a data dir would
/// load or store it).
#[derive(Clone, Default)]
pub struct KeyFactory {
    source: Option<std::sync::Arc<KeySource>>,
}

/// A function from a `kid` to its key's PKCS#8 DER.
type KeySource = dyn Fn(&str) -> Vec<u8> + Send + Sync;

impl fmt::Debug for KeyFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.source.is_some() {
            "KeyFactory(given)"
        } else {
            "KeyFactory(generated)"
        })
    }
}

impl KeyFactory {
    /// Keys from `source`: the PKCS#8 DER of the key for a `kid`.
    pub fn from_fn(source: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> Self {
        KeyFactory {
            source: Some(std::sync::Arc::new(source)),
        }
    }

    fn make(&self, kid: &str) -> RsaKeyPair {
        crate::work::note_expensive_work();
        match &self.source {
            Some(source) => RsaKeyPair::from_pkcs8(&source(kid))
                .expect("the key factory returns RSA PKCS#8 DER"),
            None => RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation"),
        }
    }

    /// A fresh RSA-2048 key as PKCS#8 DER (for factories that keep keys).
    pub fn generate_pkcs8() -> Vec<u8> {
        use aws_lc_rs::encoding::AsDer;
        aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048)
            .and_then(|k| k.as_der().map(|d| d.as_ref().to_vec()))
            .expect("RSA key generation")
    }
}

/// An RSA-2048 signing key with its `kid` and algorithm.
///
/// The key pair itself is made on first use (the first token it signs, or
/// the first JWKS that shows it): generating RSA keys takes tens of
/// milliseconds each, and a seeded mock has several, so making them up
/// front would dominate the mock's start-up and idle memory.
pub struct SigningKey {
    kid: String,
    alg: Alg,
    factory: KeyFactory,
    key: OnceLock<RsaKeyPair>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh RS256 key. The `kid` is base64 of 32 random bytes (44
    /// characters), like a user pool's.
    pub fn generate(rng: &crate::ids::Randomness, factory: &KeyFactory) -> SigningKey {
        Self::generate_with(STANDARD.encode(rng.bytes(32)), Alg::Rs256, factory)
    }

    /// A key with the given `kid` and algorithm, made by `factory` on
    /// first use.
    pub fn generate_with(kid: String, alg: Alg, factory: &KeyFactory) -> SigningKey {
        SigningKey {
            kid,
            alg,
            factory: factory.clone(),
            key: OnceLock::new(),
        }
    }

    fn pair(&self) -> &RsaKeyPair {
        self.key.get_or_init(|| self.factory.make(&self.kid))
    }

    /// Signs `claims` as a compact JWS with header `{"kid", "alg"}`.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({"kid": self.kid, "alg": self.alg.name()});
        let signing_input = jwt::signing_input(&header, claims);
        let key = self.pair();
        crate::work::note_expensive_work();
        let mut sig = vec![0u8; key.public_modulus_len()];
        key.sign(
            self.alg.signing(),
            &SystemRandom::new(),
            signing_input.as_bytes(),
            &mut sig,
        )
        .expect("RSA signing with a valid key");
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// The key id, as in a token's header and the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Whether `token` is a well-formed JWS signed by this key, with this
    /// key's `kid` and algorithm in its header.
    pub fn verify(&self, token: &str) -> bool {
        let Ok(decoded) = jwt::decode(token) else {
            return false;
        };
        if decoded.header.alg != self.alg.name()
            || decoded.header.kid.as_deref() != Some(self.kid.as_str())
        {
            return false;
        }
        crate::work::note_expensive_work();
        UnparsedPublicKey::new(self.alg.verification(), self.pair().public_key().as_ref())
            .verify(decoded.signing_input.as_bytes(), &decoded.signature)
            .is_ok()
    }

    /// A self-signed X.509 certificate (DER) for this key, valid for ten
    /// years from `not_before` (Unix seconds), with `common_name` as its
    /// subject: what GetSigningCertificate hands to SAML providers. The
    /// same key and inputs give the same certificate (RSA PKCS#1 v1.5
    /// signatures are deterministic; the serial comes from the `kid`).
    pub fn self_signed_certificate(
        &self,
        common_name: &str,
        not_before: i64,
    ) -> Result<Vec<u8>, String> {
        use aws_lc_rs::encoding::AsDer;
        use rcgen::{CertificateParams, DistinguishedName, DnType, SerialNumber};
        const TEN_YEARS_SECS: i64 = 3653 * 86_400;
        let pkcs8 = self.pair().as_der().map_err(|e| e.to_string())?;
        let key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
            &pkcs8.as_ref().into(),
            &rcgen::PKCS_RSA_SHA256,
        )
        .map_err(|e| e.to_string())?;
        let time =
            |secs: i64| time::OffsetDateTime::from_unix_timestamp(secs).map_err(|e| e.to_string());
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, common_name);
        let mut params = CertificateParams::default();
        params.distinguished_name = name;
        params.not_before = time(not_before)?;
        params.not_after = time(not_before + TEN_YEARS_SECS)?;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.kid.as_bytes());
        // Positive and 16 bytes long, as RFC 5280 asks.
        let mut serial = digest.as_ref()[..16].to_vec();
        serial[0] &= 0x7f;
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        crate::work::note_expensive_work();
        let certificate = params.self_signed(&key).map_err(|e| e.to_string())?;
        Ok(certificate.der().to_vec())
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> Jwk {
        let public = self.pair().public_key();
        Jwk {
            kty: "RSA".to_owned(),
            kid: self.kid.clone(),
            alg: Some(self.alg.name().to_owned()),
            key_use: Some("sig".to_owned()),
            n: URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            e: URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        }
    }
}

/// The claims of a compact JWS as a JSON value, without checking anything:
/// callers verify the signature with the key the claims point to.
pub fn decode_unverified(token: &str) -> Option<Value> {
    jwt::claims_unverified(token).map(Value::Object)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_both_algorithms() {
        for alg in [Alg::Rs256, Alg::Rs512] {
            let factory = KeyFactory::default();
            let key = SigningKey::generate_with("k1".into(), alg, &factory);
            let other = SigningKey::generate_with("k1".into(), alg, &factory);
            let token = key.sign(&json!({"sub": "x"}));
            assert!(key.verify(&token));
            assert!(!other.verify(&token), "same kid, other key");
            assert_eq!(decode_unverified(&token).unwrap()["sub"], "x");
            let mut tampered = token.clone();
            tampered.insert(token.find('.').unwrap() + 3, 'A');
            assert!(!key.verify(&tampered));
            assert_eq!(key.jwk().alg.as_deref(), Some(alg.name()));
        }
        assert!(decode_unverified("a.b").is_none());
        assert!(decode_unverified("a.b.c.d").is_none());
    }
}
