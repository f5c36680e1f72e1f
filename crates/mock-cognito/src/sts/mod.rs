//! STS in the query protocol (`POST /`, form-encoded `Action=…`, XML
//! responses), for the classic flow and as proof that issued credentials work:
//!
//! - AssumeRoleWithWebIdentity accepts an OpenID token from GetOpenIdToken
//!   (verified; its identity pool must allow the classic flow; the role must
//!   be one of the pool's roles, the unauthenticated one for unauthenticated
//!   identities) and returns credentials.
//! - GetCallerIdentity verifies the request's SigV4 signature against
//!   credentials the mock issued and names the assumed role.

pub mod sigv4;

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use cognito_wire::encoding::form_decode;

use crate::engine::Shared;

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An STS error: (status, code, message).
struct StsError(StatusCode, &'static str, String);

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn xml_response(status: StatusCode, request_id: &str, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    response
}

fn iso8601(epoch: i64) -> String {
    cognito_wire::time::iso8601_unix(epoch).unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Form parameters from the query string and the body (the body wins).
fn parameters(query: &str, body: &[u8]) -> HashMap<String, String> {
    [query, std::str::from_utf8(body).unwrap_or("")]
        .into_iter()
        .flat_map(form_decode)
        .collect()
}

/// Handles one STS request.
pub fn handle(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let params = parameters(query, body);
    let request_id = shared.rng.uuid();
    let result = match params.get("Action").map(String::as_str) {
        Some("AssumeRoleWithWebIdentity") => assume_role_with_web_identity(shared, &params),
        Some("GetCallerIdentity") => {
            get_caller_identity(shared, method, path, query, headers, body)
        }
        Some(other) => Err(StsError(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            format!("Could not find operation {other} for version 2011-06-15"),
        )),
        None => Err(StsError(
            StatusCode::BAD_REQUEST,
            "MissingAction",
            "Missing Action".to_owned(),
        )),
    };
    match result {
        Ok((action, inner)) => xml_response(
            StatusCode::OK,
            &request_id,
            format!(
                "<{action}Response xmlns=\"{XMLNS}\"><{action}Result>{inner}</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
            ),
        ),
        Err(StsError(status, code, message)) => xml_response(
            status,
            &request_id,
            format!(
                "<ErrorResponse xmlns=\"{XMLNS}\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
                xml_escape(&message)
            ),
        ),
    }
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, StsError> {
    params.get(name).map(String::as_str).filter(|v| !v.is_empty()).ok_or_else(|| {
        StsError(StatusCode::BAD_REQUEST, "ValidationError", format!("1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"))
    })
}

fn assume_role_with_web_identity(
    shared: &Shared,
    params: &HashMap<String, String>,
) -> Result<(&'static str, String), StsError> {
    let role_arn = required(params, "RoleArn")?;
    let session_name = required(params, "RoleSessionName")?;
    let token = required(params, "WebIdentityToken")?;
    let duration: i64 = match params.get("DurationSeconds") {
        None => 3600,
        Some(d) => d
            .parse()
            .ok()
            .filter(|d| (900..=43_200).contains(d))
            .ok_or_else(|| {
                StsError(
                    StatusCode::BAD_REQUEST,
                    "ValidationError",
                    "DurationSeconds must be between 900 and 43200".to_owned(),
                )
            })?,
    };
    let now = shared.clock.unix();
    // The RSA check first, with no lock held.
    let mut signatures = crate::ahead::VerifiedSignatures::default();
    let key = shared.identity_pools().signing_key();
    signatures.check_ahead(&key, token);
    let identity_pools = shared.identity_pools();
    let claims = identity_pools
        .verify_openid_token(token, now, &signatures)
        .map_err(|why| {
            StsError(
                StatusCode::BAD_REQUEST,
                "InvalidIdentityToken",
                format!("The web identity token is invalid: {why}"),
            )
        })?;
    let pool_id = claims["aud"].as_str().unwrap_or_default().to_owned();
    let (classic, roles) = identity_pools.classic_flow_roles(&pool_id).ok_or_else(|| {
        StsError(
            StatusCode::BAD_REQUEST,
            "InvalidIdentityToken",
            "The token's identity pool no longer exists".to_owned(),
        )
    })?;
    if !classic {
        return Err(StsError(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            format!(
                "Identity pool {pool_id} does not allow the basic (classic) flow (AllowClassicFlow is false)"
            ),
        ));
    }
    let unauthenticated = claims["amr"]
        .as_array()
        .is_some_and(|a| a.iter().any(|v| v == "unauthenticated"));
    let pool_roles = identity_pools.roles_of(&pool_id);
    drop(identity_pools);
    let allowed = match (unauthenticated, pool_roles.get("unauthenticated")) {
        (true, Some(unauth)) => unauth == role_arn,
        (true, None) => false,
        (false, unauth) => {
            roles.iter().any(|r| r == role_arn) && unauth.is_none_or(|u| u != role_arn)
        }
    };
    if !allowed {
        return Err(StsError(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity".to_owned(),
        ));
    }
    let subject = claims["sub"].as_str().unwrap_or_default().to_owned();
    let creds = shared
        .credentials()
        .issue(role_arn, session_name, now, duration);
    let arn = creds.assumed_role_arn();
    let inner = format!(
        "<SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken><Audience>{}</Audience><AssumedRoleUser><Arn>{}</Arn><AssumedRoleId>AROA{}:{}</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials><Provider>cognito-identity.amazonaws.com</Provider>",
        xml_escape(&subject),
        xml_escape(&pool_id),
        xml_escape(&arn),
        role_id(role_arn),
        xml_escape(session_name),
        creds.access_key_id,
        xml_escape(&creds.secret_access_key),
        xml_escape(&creds.session_token),
        iso8601(creds.expiration)
    );
    Ok(("AssumeRoleWithWebIdentity", inner))
}

/// A stable role id for a role ARN (`AROA` + 17 upper-case characters).
fn role_id(role_arn: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, role_arn.as_bytes());
    digest
        .as_ref()
        .iter()
        .take(17)
        .map(|b| ALPHABET[(*b as usize) % 32] as char)
        .collect()
}

fn get_caller_identity(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(&'static str, String), StsError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            StsError(
                StatusCode::FORBIDDEN,
                "MissingAuthenticationToken",
                "Request is missing Authentication Token".to_owned(),
            )
        })?;
    let auth = sigv4::parse_authorization(authorization).ok_or_else(|| {
        StsError(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            "The request signature does not conform to AWS standards.".to_owned(),
        )
    })?;
    let invalid_token = || {
        StsError(
            StatusCode::FORBIDDEN,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.".to_owned(),
        )
    };
    let creds = shared
        .credentials()
        .get(&auth.access_key_id, shared.clock.unix())
        .cloned()
        .ok_or_else(invalid_token)?;
    let token = headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    if token != Some(creds.session_token.as_str()) {
        return Err(invalid_token());
    }
    let request = sigv4::SignedRequest {
        method,
        path,
        query,
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body,
    };
    let expected = sigv4::expected_signature(&auth, &request, &creds.secret_access_key)
        .ok_or_else(|| {
            StsError(
                StatusCode::BAD_REQUEST,
                "IncompleteSignature",
                "The request signature is missing signed headers.".to_owned(),
            )
        })?;
    if !sigv4::signature_matches(&expected, &auth.signature) {
        return Err(StsError(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.".to_owned(),
        ));
    }
    if creds.expiration <= shared.clock.unix() {
        return Err(StsError(
            StatusCode::BAD_REQUEST,
            "ExpiredToken",
            "The security token included in the request is expired".to_owned(),
        ));
    }
    let inner = format!(
        "<Arn>{}</Arn><UserId>AROA{}:{}</UserId><Account>{}</Account>",
        xml_escape(&creds.assumed_role_arn()),
        role_id(&creds.role_arn),
        xml_escape(&creds.session_name),
        creds.account()
    );
    Ok(("GetCallerIdentity", inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_forms() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_709_629_623), "2024-03-05T09:07:03Z");
        let p = parameters(
            "Action=GetCallerIdentity",
            b"Version=2011-06-15&RoleSessionName=a+b%21",
        );
        assert_eq!(p["Action"], "GetCallerIdentity");
        assert_eq!(p["RoleSessionName"], "a b!");
        assert_eq!(xml_escape("<a&b>"), "&lt;a&amp;b&gt;");
    }
}
