//! STS in the query protocol (`POST /`, form-encoded `Action=…`, XML
//! responses), for the classic flow and as proof that issued credentials work:
//!
//! - AssumeRoleWithWebIdentity accepts an OpenID token from GetOpenIdToken
//!   (verified; its identity pool must allow the classic flow; the role must
//!   be one of the pool's roles, the unauthenticated one for unauthenticated
//!   identities) and returns credentials.
//! - GetCallerIdentity verifies the request's SigV4 signature against
//!   credentials the mock issued and names the assumed role.

mod query;
pub mod sigv4;
mod xml;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::engine::Shared;
use crate::shapes::Timestamp;
use crate::shapes::sts::{
    AssumeRoleWithWebIdentityRequest, AssumeRoleWithWebIdentityResponse, AssumedRoleUser,
    Credentials, GetCallerIdentityResponse, StsRequest,
};

/// An STS error: its HTTP status, `Code` and `Message`.
#[derive(Debug)]
pub(crate) struct StsError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl StsError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        StsError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }
}

/// The parts of the HTTP request a SigV4 check covers.
#[derive(Debug)]
pub struct SignedParts<'a> {
    /// The method.
    pub method: &'a str,
    /// The path.
    pub path: &'a str,
    /// The raw query string.
    pub query: &'a str,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The raw body.
    pub body: &'a [u8],
}

/// Handles one STS request: the form read into a typed request, the
/// operation run, the typed answer written as XML.
pub fn handle(shared: &Shared, http: &SignedParts<'_>) -> Response {
    let request_id = shared.rng.uuid();
    let params = query::parameters(http.query, http.body);
    let document = query::parse(&params).and_then(|request| match request {
        StsRequest::AssumeRoleWithWebIdentity(r) => assume_role_with_web_identity(shared, &r)
            .map(|answer| xml::document(&answer, &request_id)),
        StsRequest::GetCallerIdentity(_) => {
            get_caller_identity(shared, http).map(|answer| xml::document(&answer, &request_id))
        }
    });
    let (status, body) = match document {
        Ok(body) => (StatusCode::OK, body),
        Err(e) => (e.status, xml::error_document(&e, &request_id)),
    };
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    response
}

/// AssumeRoleWithWebIdentity with an OpenID token of the mock's identity
/// pools (the classic flow).
fn assume_role_with_web_identity(
    shared: &Shared,
    request: &AssumeRoleWithWebIdentityRequest,
) -> Result<AssumeRoleWithWebIdentityResponse, StsError> {
    let role_arn = request.role_arn.as_str();
    let session_name = request.role_session_name.as_str();
    let token = request.web_identity_token.as_str();
    // The model bounds it to 900..=43200 seconds.
    let duration = request.duration_seconds.map_or(3600, i64::from);
    let now = shared.clock.unix();
    // The RSA check first, with no lock held.
    let mut signatures = crate::ahead::VerifiedSignatures::default();
    let key = shared.identity_pools().signing_key();
    signatures.check_ahead(&key, token);
    let identity_pools = shared.identity_pools();
    let claims = identity_pools
        .verify_openid_token(token, now, &signatures)
        .map_err(|why| {
            StsError::bad_request(
                "InvalidIdentityToken",
                format!("The web identity token is invalid: {why}"),
            )
        })?;
    let pool_id = claims["aud"].as_str().unwrap_or_default().to_owned();
    let (classic, roles) = identity_pools.classic_flow_roles(&pool_id).ok_or_else(|| {
        StsError::bad_request(
            "InvalidIdentityToken",
            "The token's identity pool no longer exists",
        )
    })?;
    if !classic {
        return Err(StsError::forbidden(
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
        return Err(StsError::forbidden(
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        ));
    }
    let subject = claims["sub"].as_str().unwrap_or_default().to_owned();
    let creds = shared
        .credentials()
        .issue(role_arn, session_name, now, duration);
    Ok(AssumeRoleWithWebIdentityResponse {
        subject_from_web_identity_token: Some(subject),
        audience: Some(pool_id),
        assumed_role_user: Some(AssumedRoleUser {
            arn: creds.assumed_role_arn(),
            assumed_role_id: format!("AROA{}:{session_name}", role_id(role_arn)),
        }),
        credentials: Some(Credentials {
            access_key_id: creds.access_key_id.clone(),
            secret_access_key: creds.secret_access_key.clone(),
            session_token: creds.session_token.clone(),
            expiration: Timestamp::from_secs(creds.expiration),
        }),
        provider: Some("cognito-identity.amazonaws.com".to_owned()),
        ..AssumeRoleWithWebIdentityResponse::default()
    })
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

/// GetCallerIdentity: the request's SigV4 signature checked against
/// credentials the mock issued.
fn get_caller_identity(
    shared: &Shared,
    http: &SignedParts<'_>,
) -> Result<GetCallerIdentityResponse, StsError> {
    let headers = http.headers;
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            StsError::forbidden(
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            )
        })?;
    let auth = sigv4::parse_authorization(authorization).ok_or_else(|| {
        StsError::bad_request(
            "IncompleteSignature",
            "The request signature does not conform to AWS standards.",
        )
    })?;
    let invalid_token = || {
        StsError::forbidden(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
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
        method: http.method,
        path: http.path,
        query: http.query,
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: http.body,
    };
    let expected = sigv4::expected_signature(&auth, &request, &creds.secret_access_key)
        .ok_or_else(|| {
            StsError::bad_request(
                "IncompleteSignature",
                "The request signature is missing signed headers.",
            )
        })?;
    if !sigv4::signature_matches(&expected, &auth.signature) {
        return Err(StsError::forbidden(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
        ));
    }
    if creds.expiration <= shared.clock.unix() {
        return Err(StsError::bad_request(
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
    }
    Ok(GetCallerIdentityResponse {
        arn: Some(creds.assumed_role_arn()),
        user_id: Some(format!(
            "AROA{}:{}",
            role_id(&creds.role_arn),
            creds.session_name
        )),
        account: Some(creds.account().to_owned()),
    })
}
