//! Compact JWS decoding: the header, the claims and the signature of a JWT,
//! without verifying anything. Verification needs a key and a policy; this
//! is what every verifier (and every tool that only shows a token) reads
//! first.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Tokens longer than this are refused before any decoding: Cognito's are a
/// few kilobytes, and a verifier must not parse megabytes from a header.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Why a string is not a compact JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtFormatError {
    /// Longer than [`MAX_TOKEN_BYTES`].
    TooLong,
    /// Not three dot-separated parts.
    NotThreeParts,
    /// A part is not unpadded base64url.
    NotBase64Url,
    /// The header or the claims are not a JSON object.
    NotJsonObject,
    /// The header has no string `alg`.
    NoAlgorithm,
}

impl fmt::Display for JwtFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JwtFormatError::TooLong => "not a JWT: longer than 16 KiB",
            JwtFormatError::NotThreeParts => "not a JWT: expected three dot-separated parts",
            JwtFormatError::NotBase64Url => "not a JWT: a part is not base64url",
            JwtFormatError::NotJsonObject => "not a JWT: a part is not a JSON object",
            JwtFormatError::NoAlgorithm => "not a JWT: the header has no alg",
        })
    }
}

impl std::error::Error for JwtFormatError {}

/// The JOSE header fields a verifier reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JwtHeader {
    /// `alg`: Cognito user pools sign `RS256`.
    pub alg: String,
    /// `kid`: which key of the JWKS signed it.
    #[serde(default)]
    pub kid: Option<String>,
    /// `typ`, when present.
    #[serde(default)]
    pub typ: Option<String>,
}

/// A decoded (not verified) compact JWS.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedJwt<'a> {
    /// The header.
    pub header: JwtHeader,
    /// The header as sent, every member.
    pub raw_header: Map<String, Value>,
    /// The claims, every member.
    pub claims: Map<String, Value>,
    /// `base64url(header) "." base64url(claims)`: what the signature covers.
    pub signing_input: &'a str,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

fn object(segment: &str) -> Result<Map<String, Value>, JwtFormatError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtFormatError::NotBase64Url)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtFormatError::NotJsonObject),
    }
}

/// Splits and decodes a compact JWS. Checks its shape only.
pub fn decode(token: &str) -> Result<DecodedJwt<'_>, JwtFormatError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtFormatError::TooLong);
    }
    let (signing_input, signature) = token
        .rsplit_once('.')
        .ok_or(JwtFormatError::NotThreeParts)?;
    let (header, claims) = signing_input
        .split_once('.')
        .ok_or(JwtFormatError::NotThreeParts)?;
    if claims.contains('.') {
        return Err(JwtFormatError::NotThreeParts);
    }
    let raw_header = object(header)?;
    let header = serde_json::from_value(Value::Object(raw_header.clone()))
        .map_err(|_| JwtFormatError::NoAlgorithm)?;
    Ok(DecodedJwt {
        header,
        raw_header,
        claims: object(claims)?,
        signing_input,
        signature: URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| JwtFormatError::NotBase64Url)?,
    })
}

/// The claims of a compact JWS, if it is one: for reading a token this
/// process holds (its expiry, its subject), never for trusting one.
pub fn claims_unverified(token: &str) -> Option<Map<String, Value>> {
    decode(token).ok().map(|jwt| jwt.claims)
}

/// `exp` of a token this process holds, as seconds since the epoch.
pub fn expiry_unverified(token: &str) -> Option<i64> {
    claims_unverified(token)?.get("exp")?.as_i64()
}

/// Builds an unsigned-looking compact JWS from a header and claims, with
/// the given signature bytes: for tests and tools that sign elsewhere.
pub fn encode_parts(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}",
        signing_input(header, claims),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// `base64url(header) "." base64url(claims)`, what a signer signs.
pub fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_header_claims_and_signature() {
        let token = encode_parts(
            &json!({"kid": "k1", "alg": "RS256"}),
            &json!({"sub": "x", "exp": 10}),
            b"sig",
        );
        let jwt = decode(&token).unwrap();
        assert_eq!(jwt.header.alg, "RS256");
        assert_eq!(jwt.header.kid.as_deref(), Some("k1"));
        assert_eq!(jwt.claims["sub"], "x");
        assert_eq!(jwt.signature, b"sig");
        assert_eq!(jwt.signing_input, token.rsplit_once('.').unwrap().0);
        assert_eq!(expiry_unverified(&token), Some(10));
    }

    #[test]
    fn refuses_what_is_not_a_jws() {
        let ok = encode_parts(&json!({"alg": "RS256"}), &json!({}), b"s");
        assert!(decode(&ok).is_ok());
        assert_eq!(decode("a.b").unwrap_err(), JwtFormatError::NotThreeParts);
        assert_eq!(
            decode(&format!("{ok}.x")).unwrap_err(),
            JwtFormatError::NotThreeParts
        );
        assert_eq!(
            decode("YQ.YQ.c").unwrap_err(),
            JwtFormatError::NotJsonObject
        );
        assert_eq!(decode("*.b.c").unwrap_err(), JwtFormatError::NotBase64Url);
        let array = encode_parts(&json!({"alg": "RS256"}), &json!([1]), b"s");
        assert_eq!(decode(&array).unwrap_err(), JwtFormatError::NotJsonObject);
        let no_alg = encode_parts(&json!({"kid": "k"}), &json!({}), b"s");
        assert_eq!(decode(&no_alg).unwrap_err(), JwtFormatError::NoAlgorithm);
        let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(decode(&huge).unwrap_err(), JwtFormatError::TooLong);
        assert!(claims_unverified("not-a-jwt").is_none());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}") {
            let _ = decode(&s);
        }
    }
}
