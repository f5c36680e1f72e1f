//! Checking an AWS Signature Version 4 `Authorization` header against a
//! secret key, as STS does for GetCallerIdentity.

use aws_lc_rs::{digest, hmac};
use cognito_wire::encoding::{percent_decode, percent_encode};

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader {
    /// The access key id.
    pub access_key_id: String,
    /// `yyyymmdd/region/service/aws4_request`.
    pub scope: String,
    /// Lower-case header names, `;`-separated as sent.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

/// Parses the header; `None` if it is not SigV4.
pub fn parse_authorization(value: &str) -> Option<AuthorizationHeader> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256")?.trim_start();
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            _ => {}
        }
    }
    let (access_key_id, scope) = credential?.split_once('/')?;
    Some(AuthorizationHeader {
        access_key_id: access_key_id.to_owned(),
        scope: scope.to_owned(),
        signed_headers: signed?.split(';').map(str::to_owned).collect(),
        signature: signature?.to_owned(),
    })
}

/// Everything of a request the signature covers.
#[derive(Debug)]
pub struct SignedRequest<'a> {
    /// `POST`, `GET`, …
    pub method: &'a str,
    /// The path as sent.
    pub path: &'a str,
    /// The raw query string (without `?`).
    pub query: &'a str,
    /// Request headers, any case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: &'a [u8],
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_encode(&percent_decode(k)),
                percent_encode(&percent_decode(v)),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signature the request should carry, given the secret key.
pub fn expected_signature(
    auth: &AuthorizationHeader,
    request: &SignedRequest<'_>,
    secret: &str,
) -> Option<String> {
    let header = |name: &str| -> Option<String> {
        let values: Vec<String> = request
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    let amz_date = header("x-amz-date")?;
    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        canonical_headers.push_str(&format!("{name}:{}\n", header(name)?));
    }
    let payload_hash = header("x-amz-content-sha256")
        .unwrap_or_else(|| hex(digest::digest(&digest::SHA256, request.body).as_ref()));
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        if request.path.is_empty() {
            "/"
        } else {
            request.path
        },
        canonical_query(request.query),
        canonical_headers,
        auth.signed_headers.join(";"),
        payload_hash
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{}\n{}",
        auth.scope,
        hex(digest::digest(&digest::SHA256, canonical_request.as_bytes()).as_ref())
    );
    let mut parts = auth.scope.split('/');
    let (date, region, service) = (parts.next()?, parts.next()?, parts.next()?);
    let mac = |key: &[u8], data: &str| {
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
    };
    let k_date = mac(format!("AWS4{secret}").as_bytes(), date);
    let k_region = mac(k_date.as_ref(), region);
    let k_service = mac(k_region.as_ref(), service);
    let k_signing = mac(k_service.as_ref(), "aws4_request");
    Some(hex(mac(k_signing.as_ref(), &string_to_sign).as_ref()))
}

/// Constant-time check of a received signature.
pub fn signature_matches(expected: &str, received: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), received.as_bytes())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The GET-vanilla case of AWS's SigV4 test suite (published example
    /// credentials), which pins every step of the algorithm.
    #[test]
    fn aws_test_suite_get_vanilla() {
        let auth = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        )
        .unwrap();
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
        let request = SignedRequest {
            method: "GET",
            path: "/",
            query: "",
            headers: vec![
                ("Host".into(), "example.amazonaws.com".into()),
                ("X-Amz-Date".into(), "20150830T123600Z".into()),
            ],
            body: b"",
        };
        let expected =
            expected_signature(&auth, &request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
                .unwrap();
        assert_eq!(expected, auth.signature);
        assert!(signature_matches(&expected, &auth.signature));
        let wrong = expected_signature(&auth, &request, "another-secret").unwrap();
        assert!(!signature_matches(&wrong, &auth.signature));
    }

    #[test]
    fn query_canonicalisation() {
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query("Param1=value%201"), "Param1=value%201");
        assert_eq!(parse_authorization("Bearer x"), None);
    }
}
