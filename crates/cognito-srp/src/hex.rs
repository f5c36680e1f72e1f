//! Hex as Cognito's wire format uses it: any case, odd lengths allowed.

use crate::error::SrpError;

/// Longest hex string accepted for a number: 4 KiB of digits. A 3072-bit value
/// needs 768; the cap bounds the work an attacker can ask for.
pub const MAX_HEX_LEN: usize = 4096;

/// Decodes hex of either case; an odd length means an implied leading `0`.
pub fn decode_hex(s: &str) -> Result<Vec<u8>, SrpError> {
    if s.is_empty() {
        return Err(SrpError::Empty);
    }
    if s.len() > MAX_HEX_LEN {
        return Err(SrpError::TooLong {
            len: s.len(),
            max: MAX_HEX_LEN,
        });
    }
    let digits = s.as_bytes();
    let mut out = Vec::with_capacity(digits.len().div_ceil(2));
    let (head, rest) = if digits.len() % 2 == 1 {
        (Some(digits[0]), &digits[1..])
    } else {
        (None, digits)
    };
    let nibble = |c: u8, at: usize| -> Result<u8, SrpError> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err(SrpError::NotHex { at }),
        }
    };
    let offset = usize::from(head.is_some());
    if let Some(c) = head {
        out.push(nibble(c, 0)?);
    }
    for (i, pair) in rest.chunks_exact(2).enumerate() {
        let at = offset + 2 * i;
        out.push(nibble(pair[0], at)? << 4 | nibble(pair[1], at + 1)?);
    }
    Ok(out)
}

/// Lower-case hex of the minimal big-endian form, without padding (`"0"` for
/// zero): how Cognito sends SRP_A and SRP_B.
pub fn encode_hex_unpadded(bytes_be: &[u8]) -> String {
    let first = bytes_be
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes_be.len());
    let mut s: String = bytes_be[first..]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if s.starts_with('0') {
        s.remove(0);
    }
    if s.is_empty() {
        s.push('0');
    }
    s
}

/// Lower-case hex, two digits per byte.
pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_cases_and_odd_lengths() {
        assert_eq!(decode_hex("0aFf").unwrap(), vec![0x0a, 0xff]);
        assert_eq!(decode_hex("abc").unwrap(), vec![0x0a, 0xbc]);
        assert_eq!(decode_hex("7").unwrap(), vec![0x07]);
    }

    #[test]
    fn rejects_bad_input_with_typed_errors() {
        assert_eq!(decode_hex(""), Err(SrpError::Empty));
        assert_eq!(decode_hex("0g"), Err(SrpError::NotHex { at: 1 }));
        assert_eq!(decode_hex("x12"), Err(SrpError::NotHex { at: 0 }));
        assert_eq!(decode_hex(" 12"), Err(SrpError::NotHex { at: 0 }));
        assert_eq!(decode_hex("é1"), Err(SrpError::NotHex { at: 0 }));
        assert!(matches!(
            decode_hex(&"a".repeat(MAX_HEX_LEN + 1)),
            Err(SrpError::TooLong { .. })
        ));
    }

    #[test]
    fn unpadded_encoding() {
        assert_eq!(encode_hex_unpadded(&[0x0c, 0x98]), "c98");
        assert_eq!(encode_hex_unpadded(&[0, 0]), "0");
        assert_eq!(encode_hex_unpadded(&[0x80]), "80");
    }
}
