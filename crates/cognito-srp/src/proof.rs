//! The derivations both sides share: u, x, the HKDF key and the claim signature.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroize;

use crate::bignum::{Exponent, Monty, Uint};
use crate::error::SrpError;
use crate::group::{G, pad, pad_hex, sha256};
use crate::secret::{Password, SecretBytes};

/// Cap on every string input (pool name, user id, password, secret block,
/// timestamp): far above anything legitimate, low enough to bound work.
pub(crate) const MAX_FIELD_LEN: usize = 8192;

pub(crate) fn check_len(s: &str) -> Result<(), SrpError> {
    if s.len() > MAX_FIELD_LEN {
        return Err(SrpError::TooLong {
            len: s.len(),
            max: MAX_FIELD_LEN,
        });
    }
    Ok(())
}

/// Parses a hex number from the wire: any case, odd length, at most 3072 bits.
pub(crate) fn parse_number(hex: &str) -> Result<Uint, SrpError> {
    let bytes = crate::hex::decode_hex(hex)?;
    Uint::from_be_bytes(&bytes).ok_or(SrpError::NumberTooLarge)
}

/// u = H(padHex(A) ‖ padHex(B)).
pub(crate) fn scrambler(a: &Uint, b: &Uint) -> Result<Uint, SrpError> {
    let u = Uint::from_be_bytes(&sha256(&[&pad(a), &pad(b)])).expect("256 bits fit");
    if u.is_zero() {
        return Err(SrpError::ZeroScrambler);
    }
    Ok(u)
}

/// x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).
///
/// The salt is taken by value (leading zeros dropped before `padHex`), as
/// amazon-cognito-identity-js does.
pub(crate) fn private_key(
    salt: &Uint,
    pool_name: &str,
    user_id: &str,
    password: &Password,
) -> Uint {
    let mut inner = sha256(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.expose_secret().as_bytes(),
    ]);
    let mut outer = sha256(&[&pad(salt), &inner]);
    let x = Uint::from_be_bytes(&outer).expect("256 bits fit");
    inner.zeroize();
    outer.zeroize();
    x
}

/// g^e mod N, for an exponent of at most `bits` bits.
pub(crate) fn g_pow(e: &Exponent, bits: usize) -> Uint {
    g_pow_monty(e, bits).retrieve()
}

/// g^e mod N in Montgomery form, for an exponent of at most `bits` bits.
pub(crate) fn g_pow_monty(e: &Exponent, bits: usize) -> Monty {
    const { assert!(G == 2, "pow_of_two is specialised to g = 2") };
    Monty::pow_of_two(e, bits)
}

/// The session key: HKDF-SHA256 with salt padHex(u), input padHex(S), info
/// "Caldera Derived Key", 16 bytes of output (one HMAC block).
pub(crate) fn session_key(u: &Uint, s: &Uint) -> SecretBytes<16> {
    let mut s_bytes = pad(s);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&pad(u)), &s_bytes);
    let mut okm = SecretBytes([0u8; 16]);
    hk.expand(b"Caldera Derived Key", &mut okm.0)
        .expect("16 bytes is a valid HKDF length");
    s_bytes.zeroize();
    okm
}

/// HMAC-SHA256(key, poolName ‖ userId ‖ secretBlock ‖ timestamp).
pub(crate) fn claim_signature(
    key: &SecretBytes<16>,
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key.0).expect("any key length");
    mac.update(pool_name.as_bytes());
    mac.update(user_id.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac.finalize().into_bytes().into()
}

pub(crate) fn decode_secret_block(b64: &str) -> Result<Vec<u8>, SrpError> {
    check_len(b64)?;
    if b64.is_empty() {
        return Err(SrpError::SecretBlockNotBase64);
    }
    STANDARD
        .decode(b64)
        .map_err(|_| SrpError::SecretBlockNotBase64)
}

pub(crate) fn encode_b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub(crate) fn decode_b64(s: &str) -> Result<Vec<u8>, SrpError> {
    check_len(s)?;
    STANDARD.decode(s).map_err(|_| SrpError::NotBase64)
}

/// The canonical SALT string a server sends: `padHex` of the salt's value.
pub(crate) fn salt_hex(salt: &Uint) -> String {
    crate::hex::encode_hex(&pad_hex(&salt.to_be_bytes()))
}

/// Constant-time equality of two byte strings (lengths are not secret).
/// Compares secrets (proofs, MACs, tokens) in time that does not depend on
/// where they differ. Different lengths compare unequal.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}
