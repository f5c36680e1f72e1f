//! A local stand-in for the one AWS KMS call custom sender triggers need.
//!
//! CustomEmailSender and CustomSMSSender receive the code encrypted with
//! the pool's KMS key (`LambdaConfig.KMSKeyID`), as an AWS Encryption SDK
//! message ([`crate::triggers::esdk`]) whose data key KMS wrapped. The
//! handler decrypts it with the Encryption SDK's KMS keyring, which calls
//! KMS `Decrypt` on that wrapped key. Here the wrapping is done with a key
//! of this mock process (random, never stored or shown), and `Decrypt`
//! (`TrentService.Decrypt` on the mock's endpoint) unwraps it: a handler
//! written for AWS decrypts unmodified once `AWS_ENDPOINT_URL_KMS` points
//! at the mock, which the mock sets for the handlers it runs.
//!
//! A wrapped key is `CKMS`, a version byte, the key id (u16 length), a
//! 12-byte nonce and AES-256-GCM over the data key, authenticated with the
//! key id and the encryption context: it opens only for that key id and
//! context.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::error::ApiError;

const MAGIC: &[u8] = b"CKMS\x01";

/// The mock's KMS key. `Debug` prints nothing of it.
pub(crate) struct LocalKms {
    /// Drawn when the mock starts, so a seeded run draws the same stream.
    bytes: zeroize::Zeroizing<Vec<u8>>,
    /// Set up on the first wrap or unwrap: most runs never need one, and
    /// the mock does at start only what its first request needs.
    key: OnceLock<LessSafeKey>,
}

impl fmt::Debug for LocalKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalKms")
    }
}

/// The AAD a wrapped key is bound to: its key id and encryption context.
fn binding(key_id: &str, context: &BTreeMap<String, String>) -> Vec<u8> {
    let mut aad = key_id.as_bytes().to_vec();
    for (k, v) in context {
        aad.push(0);
        aad.extend_from_slice(k.as_bytes());
        aad.push(0);
        aad.extend_from_slice(v.as_bytes());
    }
    aad
}

fn invalid_ciphertext() -> ApiError {
    ApiError::new(
        "InvalidCiphertextException",
        "The ciphertext is not valid for this key or encryption context",
    )
}

impl LocalKms {
    /// A key drawn from `rng`.
    pub(crate) fn new(rng: &crate::ids::Randomness) -> Self {
        LocalKms {
            bytes: zeroize::Zeroizing::new(rng.bytes(32)),
            key: OnceLock::new(),
        }
    }

    fn key(&self) -> &LessSafeKey {
        self.key.get_or_init(|| {
            UnboundKey::new(&AES_256_GCM, &self.bytes)
                .map(LessSafeKey::new)
                .unwrap_or_else(|_| unreachable!("32 bytes is an AES-256 key"))
        })
    }

    /// Wraps `plaintext` (a data key) under `key_id` and `context`.
    pub(crate) fn wrap(
        &self,
        key_id: &str,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
        rng: &crate::ids::Randomness,
    ) -> Result<Vec<u8>, ApiError> {
        let nonce_bytes = rng.bytes(12);
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&nonce_bytes);
        let mut sealed = plaintext.to_vec();
        let aad = binding(key_id, context);
        self.key()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut sealed,
            )
            .map_err(|_| {
                ApiError::new(
                    "InternalErrorException",
                    "the data key could not be wrapped",
                )
            })?;
        let id_len = u16::try_from(key_id.len()).unwrap_or(u16::MAX);
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&id_len.to_be_bytes());
        blob.extend_from_slice(&key_id.as_bytes()[..usize::from(id_len)]);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(blob)
    }

    /// Unwraps a blob made by [`LocalKms::wrap`]: (key id, plaintext).
    pub(crate) fn unwrap(
        &self,
        blob: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<(String, Vec<u8>), ApiError> {
        let rest = blob.strip_prefix(MAGIC).ok_or_else(invalid_ciphertext)?;
        let (len, rest) = rest.split_at_checked(2).ok_or_else(invalid_ciphertext)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let (key_id, rest) = rest.split_at_checked(len).ok_or_else(invalid_ciphertext)?;
        let (nonce, sealed) = rest.split_at_checked(12).ok_or_else(invalid_ciphertext)?;
        let key_id = std::str::from_utf8(key_id).map_err(|_| invalid_ciphertext())?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| invalid_ciphertext())?;
        let mut opened = sealed.to_vec();
        let plaintext = self
            .key()
            .open_in_place(nonce, Aad::from(binding(key_id, context)), &mut opened)
            .map_err(|_| invalid_ciphertext())?;
        Ok((key_id.to_owned(), plaintext.to_vec()))
    }

    /// KMS `Decrypt`: `CiphertextBlob` (base64), optional `KeyId` (which
    /// must be the blob's) and `EncryptionContext`.
    pub(crate) fn decrypt(&self, body: &Value) -> Result<Value, ApiError> {
        let blob = body["CiphertextBlob"]
            .as_str()
            .ok_or_else(|| ApiError::new("ValidationException", "CiphertextBlob is required"))?;
        let blob = STANDARD
            .decode(blob)
            .map_err(|_| ApiError::new("ValidationException", "CiphertextBlob is not base64"))?;
        let context: BTreeMap<String, String> = match &body["EncryptionContext"] {
            Value::Null => BTreeMap::new(),
            other => serde_json::from_value(other.clone()).map_err(|_| {
                ApiError::new(
                    "ValidationException",
                    "EncryptionContext is a map of strings",
                )
            })?,
        };
        let (key_id, plaintext) = self.unwrap(&blob, &context)?;
        if let Some(asked) = body["KeyId"].as_str()
            && asked != key_id
        {
            return Err(ApiError::new(
                "IncorrectKeyException",
                "The key ID in the request does not identify the key that encrypted the ciphertext",
            ));
        }
        Ok(json!({
            "KeyId": key_id,
            "Plaintext": STANDARD.encode(plaintext),
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_only_for_its_key_id_and_context() {
        let rng = crate::ids::Randomness::seeded(7);
        let kms = LocalKms::new(&rng);
        let arn = "arn:aws:kms:us-east-1:123456789012:key/abc";
        let context = BTreeMap::from([("pool".to_owned(), "us-east-1_x".to_owned())]);
        let blob = kms.wrap(arn, b"data key", &context, &rng).unwrap();
        assert_eq!(
            kms.unwrap(&blob, &context).unwrap(),
            (arn.to_owned(), b"data key".to_vec())
        );
        assert!(kms.unwrap(&blob, &BTreeMap::new()).is_err());
        let mut tampered = blob.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(kms.unwrap(&tampered, &context).is_err());
        let answer = kms
            .decrypt(&json!({"CiphertextBlob": STANDARD.encode(&blob),
                             "EncryptionContext": {"pool": "us-east-1_x"}, "KeyId": arn}))
            .unwrap();
        assert_eq!(answer["KeyId"], arn);
        assert_eq!(answer["Plaintext"], STANDARD.encode(b"data key"));
        let wrong_key = kms.decrypt(&json!({"CiphertextBlob": STANDARD.encode(&blob),
            "EncryptionContext": {"pool": "us-east-1_x"}, "KeyId": "other"}));
        assert_eq!(wrong_key.unwrap_err().code, "IncorrectKeyException");
        // Another process's key opens nothing.
        let other = LocalKms::new(&rng);
        assert!(other.unwrap(&blob, &context).is_err());
    }
}
