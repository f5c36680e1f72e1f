//! The SRP group Cognito uses, and the `padHex` encoding of numbers.

use sha2::{Digest, Sha256};

use crate::bignum::{Monty, Uint};

/// N: the 3072-bit MODP prime of RFC 3526 §4 (also RFC 5054's 3072-bit group).
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// The generator. Cognito uses 2 (RFC 5054 pairs this group with 5).
pub const G: u64 = 2;

/// k = H(padHex(N) ‖ padHex(g)), as Cognito computes it (not RFC 5054's
/// fixed-width padding, which gives a different value).
pub const K_HEX: &str = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6";

/// `padHex` from amazon-cognito-identity-js, on bytes: the minimal big-endian
/// magnitude, with one `0x00` in front when its top bit is set (the form of
/// Java's `BigInteger.toByteArray()` for non-negative values). Zero is `[0]`.
///
/// Leading zero bytes of the input are dropped first, so the result depends
/// only on the number's value.
pub fn pad_hex(magnitude_be: &[u8]) -> Vec<u8> {
    let first = magnitude_be
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude_be.len());
    let minimal = &magnitude_be[first..];
    let mut out = Vec::with_capacity(minimal.len() + 1);
    if minimal.first().is_none_or(|&b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(minimal);
    out
}

pub(crate) fn pad(x: &Uint) -> Vec<u8> {
    pad_hex(&x.to_be_bytes())
}

/// SHA-256 over the concatenation of the parts.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

#[cfg(test)]
pub(crate) fn n() -> Uint {
    Uint(crate::bignum::N)
}

pub(crate) fn k() -> Uint {
    Uint::from_be_bytes(&crate::hex::decode_hex(K_HEX).expect("K_HEX is hex"))
        .expect("k fits in 3072 bits")
}

/// k in Montgomery form, converted once.
pub(crate) fn k_monty() -> &'static Monty {
    static K: std::sync::OnceLock<Monty> = std::sync::OnceLock::new();
    K.get_or_init(|| Monty::new(&k()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hexs(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn pad_hex_examples_from_the_protocol_notes() {
        assert_eq!(hexs(&pad_hex(&[0x80])), "0080");
        assert_eq!(hexs(&pad_hex(&[0x01, 0x23, 0xab, 0xcd])), "0123abcd");
        assert_eq!(hexs(&pad_hex(&[0x81, 0x23, 0xab, 0xcd])), "008123abcd");
        assert_eq!(hexs(&pad_hex(&[0x01])), "01");
        assert_eq!(hexs(&pad_hex(&[])), "00");
        assert_eq!(hexs(&pad_hex(&[0, 0, 0x7f])), "7f");
    }

    #[test]
    fn k_is_the_hash_of_padded_n_and_g() {
        let n_bytes = crate::hex::decode_hex(N_HEX).unwrap();
        let k = sha256(&[&pad_hex(&n_bytes), &pad_hex(&[G as u8])]);
        assert_eq!(hexs(&k), K_HEX);
        assert_eq!(n().to_be_bytes(), n_bytes);
    }
}
