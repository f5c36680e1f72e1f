//! Time-based one-time passwords (RFC 6238, as Cognito's software tokens
//! use them): HMAC-SHA1 over the 30-second step, six digits, and the
//! secret shown to the user as unpadded base32 (RFC 4648).

use aws_lc_rs::hmac;

/// Seconds per step.
pub(super) const STEP_SECS: i64 = 30;
/// Steps either side of now a code is accepted for (clock drift).
const DRIFT_STEPS: i64 = 1;
/// Bytes of a new secret: 160 bits, 32 base32 characters, as Cognito's.
pub(super) const SECRET_BYTES: usize = 20;

/// A secret as the user's authenticator takes it.
pub(super) fn encode_secret(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// The secret's bytes back from [`encode_secret`]'s form.
pub(super) fn decode_secret(encoded: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(encoded.as_bytes()).ok()
}

/// The six-digit code for `step` (RFC 4226's dynamic truncation).
pub(super) fn code_at(secret: &[u8], step: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let mac = tag.as_ref();
    let offset = (mac[mac.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    format!("{:06}", binary % 1_000_000)
}

/// The step `code` belongs to, if it is the code of a step within the
/// drift window around `now` (Unix seconds). Every candidate is compared,
/// in constant time, so the answer's timing says nothing about which.
pub(super) fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let current = now.div_euclid(STEP_SECS);
    let mut found = None;
    for step in current - DRIFT_STEPS..=current + DRIFT_STEPS {
        if cognito_srp::ct_eq(code_at(secret, step).as_bytes(), code.as_bytes()) {
            found = found.or(Some(step));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA-1 rows, last six digits of the eight).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (time, eight_digits) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(
                code_at(secret, time / STEP_SECS),
                eight_digits[2..],
                "{time}"
            );
        }
    }

    #[test]
    fn codes_match_within_one_step_only() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111;
        let step = now / STEP_SECS;
        for offset in -1..=1 {
            let code = code_at(secret, step + offset);
            assert_eq!(matching_step(secret, &code, now), Some(step + offset));
        }
        for offset in [-3, -2, 2, 3] {
            let code = code_at(secret, step + offset);
            assert_eq!(matching_step(secret, &code, now), None, "{offset}");
        }
        assert_eq!(matching_step(secret, "", now), None);
        assert_eq!(matching_step(secret, "12345", now), None);
    }

    #[test]
    fn secrets_round_trip_as_32_characters() {
        let secret = [0xa5u8; SECRET_BYTES];
        let encoded = encode_secret(&secret);
        assert_eq!(encoded.len(), 32);
        assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        );
        assert_eq!(decode_secret(&encoded).as_deref(), Some(&secret[..]));
        assert_eq!(decode_secret("not base32!"), None);
    }
}
