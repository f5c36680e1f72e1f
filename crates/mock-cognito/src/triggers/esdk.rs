//! The AWS Encryption SDK message a custom sender trigger's `code` is.
//!
//! Cognito encrypts the code for CustomEmailSender and CustomSMSSender
//! with the Encryption SDK under the pool's KMS key; the handler decrypts
//! it with the SDK's KMS keyring (`buildClient(CommitmentPolicy.
//! REQUIRE_ENCRYPT_ALLOW_DECRYPT)`, as the AWS guide's examples do). The
//! message made here is what such a handler expects:
//!
//! - message format version 1, algorithm suite 0x0178
//!   (AES-256-GCM, 12-byte IV, 16-byte tag, HKDF-SHA256 key derivation, no
//!   signature), an empty encryption context;
//! - one encrypted data key from the `aws-kms` provider, whose provider
//!   information is the key's ARN and whose ciphertext is the data key as
//!   KMS wrapped it ([`crate::kms::LocalKms`]);
//! - framed content (frame length 4096): the code fits the final frame.
//!
//! The header is authenticated with a tag over its bytes (IV of zeros); the
//! frame's IV is its sequence number, and its AAD is the message id, the
//! "AWSKMSEncryptionClient Final Frame" string, the sequence number and
//! the content length.

use std::collections::BTreeMap;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};

use crate::error::{ApiError, ApiResult};
use crate::ids::Randomness;
use crate::kms::LocalKms;

/// ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256.
const SUITE: u16 = 0x0178;
const FRAME_LENGTH: u32 = 4096;
const FINAL_FRAME: &[u8] = b"AWSKMSEncryptionClient Final Frame";

/// A 32-byte HKDF output.
struct KeyLen;

impl KeyType for KeyLen {
    fn len(&self) -> usize {
        32
    }
}

/// Appends a u16-length-prefixed field.
fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&bytes[..usize::from(len)]);
}

/// AES-256-GCM under `key`: ciphertext then tag. Never the plaintext: a
/// failure is an error.
fn seal(key: &[u8; 32], iv: [u8; 12], aad: &[u8], plaintext: &[u8]) -> ApiResult<Vec<u8>> {
    let key = UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| sealing_failed())?;
    let mut sealed = plaintext.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(iv),
        Aad::from(aad),
        &mut sealed,
    )
    .map_err(|_| sealing_failed())?;
    Ok(sealed)
}

fn sealing_failed() -> ApiError {
    ApiError::new("InternalErrorException", "the code could not be encrypted")
}

/// `plaintext` as an Encryption SDK message whose data key `kms` wrapped
/// under `key_arn`.
pub(crate) fn encrypt(
    kms: &LocalKms,
    key_arn: &str,
    plaintext: &[u8],
    rng: &Randomness,
) -> ApiResult<Vec<u8>> {
    let mut data_key = [0u8; 32];
    data_key.copy_from_slice(&rng.bytes(32));
    let mut message_id = [0u8; 16];
    message_id.copy_from_slice(&rng.bytes(16));
    let wrapped = kms.wrap(key_arn, &data_key, &BTreeMap::new(), rng)?;

    // The data key is derived per message: HKDF(data key, info = suite id
    // and message id).
    let mut info = SUITE.to_be_bytes().to_vec();
    info.extend_from_slice(&message_id);
    let mut key = [0u8; 32];
    let derived = Salt::new(HKDF_SHA256, &[])
        .extract(&data_key)
        .expand(&[&info], KeyLen)
        .and_then(|okm| okm.fill(&mut key));
    derived.map_err(|_| sealing_failed())?;

    let mut header = vec![0x01, 0x80];
    header.extend_from_slice(&SUITE.to_be_bytes());
    header.extend_from_slice(&message_id);
    header.extend_from_slice(&0u16.to_be_bytes()); // no encryption context
    header.extend_from_slice(&1u16.to_be_bytes()); // one encrypted data key
    field(&mut header, b"aws-kms");
    field(&mut header, key_arn.as_bytes());
    field(&mut header, &wrapped);
    header.push(0x02); // framed
    header.extend_from_slice(&[0, 0, 0, 0]); // reserved
    header.push(12); // IV length
    header.extend_from_slice(&FRAME_LENGTH.to_be_bytes());

    let mut message = header.clone();
    let header_iv = [0u8; 12];
    message.extend_from_slice(&header_iv);
    message.extend_from_slice(&seal(&key, header_iv, &header, &[])?);

    // One final frame, sequence number 1.
    let sequence: u32 = 1;
    let mut iv = [0u8; 12];
    iv[8..].copy_from_slice(&sequence.to_be_bytes());
    let mut aad = message_id.to_vec();
    aad.extend_from_slice(FINAL_FRAME);
    aad.extend_from_slice(&sequence.to_be_bytes());
    aad.extend_from_slice(&(plaintext.len() as u64).to_be_bytes());
    let sealed = seal(&key, iv, &aad, plaintext)?;
    let (content, tag) = sealed.split_at(plaintext.len());
    message.extend_from_slice(&u32::MAX.to_be_bytes());
    message.extend_from_slice(&sequence.to_be_bytes());
    message.extend_from_slice(&iv);
    message.extend_from_slice(&u32::try_from(content.len()).unwrap_or(0).to_be_bytes());
    message.extend_from_slice(content);
    message.extend_from_slice(tag);
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts a reader finds where the format puts them; the real
    /// Encryption SDK decrypts these messages in `cargo xtask compat`.
    #[test]
    fn the_message_has_the_v1_layout() {
        let rng = Randomness::seeded(7);
        let kms = LocalKms::new(&rng);
        let arn = "arn:aws:kms:us-east-1:123456789012:key/k";
        let m = encrypt(&kms, arn, b"870431", &rng).unwrap();
        assert_eq!(&m[..4], &[0x01, 0x80, 0x01, 0x78]);
        let mut at = 4 + 16;
        assert_eq!(&m[at..at + 4], &[0, 0, 0, 1], "no context, one key");
        at += 4;
        assert_eq!(&m[at..at + 9], b"\x00\x07aws-kms");
        at += 9;
        let arn_len = usize::from(u16::from_be_bytes([m[at], m[at + 1]]));
        assert_eq!(&m[at + 2..at + 2 + arn_len], arn.as_bytes());
        at += 2 + arn_len;
        let wrapped_len = usize::from(u16::from_be_bytes([m[at], m[at + 1]]));
        let wrapped = &m[at + 2..at + 2 + wrapped_len];
        let (key_id, data_key) = kms.unwrap(wrapped, &BTreeMap::new()).unwrap();
        assert_eq!(data_key.len(), 32);
        assert_eq!((key_id.as_str(), data_key.len()), (arn, 32));
        at += 2 + wrapped_len;
        assert_eq!(&m[at..at + 10], &[2, 0, 0, 0, 0, 12, 0, 0, 0x10, 0]);
        at += 10 + 12 + 16;
        assert_eq!(&m[at..at + 8], &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1]);
        // Sequence end, sequence number, IV, length, 6 bytes, tag.
        assert_eq!(m.len(), at + 8 + 12 + 4 + 6 + 16);
        assert!(!m.windows(6).any(|w| w == b"870431"), "the code is sealed");
    }
}
