//! The machine-facing endpoints: `/oauth2/token`, `/oauth2/userInfo`,
//! `/oauth2/revoke`. Parameters come from the form body and, as scripts in
//! the wild send them, the query string (the body wins).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_wire::encoding::form_decode_component;
use serde_json::json;

use super::{Site, oauth_error, oauth_json, parse_params};
use crate::engine::Shared;
use crate::user_pool::{OAuthError, TokenGrant};

/// A request's parameters, and the client credentials it presents.
pub struct ClientRequest {
    params: HashMap<String, String>,
    /// The client id (Basic or form).
    pub client_id: Option<String>,
    /// The client secret (Basic or form).
    pub client_secret: Option<String>,
}

impl ClientRequest {
    /// A non-empty parameter.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.params
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Reads parameters and client authentication (`client_secret_basic` or
/// `client_secret_post`, never both: RFC 6749 §2.3).
pub fn read_client_request(
    query: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<ClientRequest, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !body.is_empty() && !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(OAuthError::new(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut params = parse_params(&query.unwrap_or_default());
    params.extend(parse_params(&String::from_utf8_lossy(body)));
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    let (client_id, client_secret) = match basic {
        Some(encoded) => {
            if params.get("client_secret").is_some_and(|s| !s.is_empty()) {
                return Err(OAuthError::new(
                    "invalid_request",
                    "use one client authentication method, not Basic and client_secret both",
                ));
            }
            let decoded = STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    OAuthError::new("invalid_client", "the Basic credentials are not base64")
                })?;
            let (id, secret) = decoded.split_once(':').unwrap_or((&decoded, ""));
            // RFC 6749 §2.3.1: both parts are form-encoded before base64.
            let id = form_decode_component(id);
            if params
                .get("client_id")
                .is_some_and(|body_id| !body_id.is_empty() && *body_id != id)
            {
                return Err(OAuthError::new(
                    "invalid_client",
                    "client_id does not match the Basic credentials",
                ));
            }
            (Some(id), Some(form_decode_component(secret)))
        }
        None => (
            params.get("client_id").cloned(),
            params.get("client_secret").cloned(),
        ),
    };
    Ok(ClientRequest {
        params,
        client_id,
        client_secret,
    })
}

/// `POST /oauth2/token`.
pub async fn token(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Decided under the lock; signed after it is released (with the
    // token triggers, off the async workers).
    let on_thread = shared.clone();
    super::off_the_workers(&shared, move || {
        match grant(&on_thread, &site, query, &headers, &body) {
            Ok(grant) => match grant.sign() {
                Ok(answer) => oauth_json(StatusCode::OK, answer),
                // A failed PreTokenGeneration trigger: its message, as an
                // OAuth error (AWS's code is in the description).
                Err(e) => oauth_error(crate::user_pool::OAuthError::new(
                    "invalid_request",
                    format!("{}: {}", e.code, e.message),
                )),
            },
            Err(e) => oauth_error(e),
        }
    })
    .await
}

fn grant(
    shared: &Shared,
    site: &Site,
    query: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TokenGrant, OAuthError> {
    let request = read_client_request(query, headers, body)?;
    let grant_type = request
        .get("grant_type")
        .ok_or_else(|| OAuthError::new("invalid_request", "grant_type is required"))?
        .to_owned();
    let ctx = shared.context();
    let mut pools = shared.user_pools_mut();
    let client_id = pools.authenticate_client(
        &site.pool_id,
        request.client_id.as_deref(),
        request.client_secret.as_deref(),
    )?;
    if !pools.grant_allowed(&site.pool_id, &client_id, &grant_type) {
        return Err(OAuthError::new(
            "unauthorized_client",
            format!("the client's metadata document does not allow the {grant_type} grant"),
        ));
    }
    match grant_type.as_str() {
        "authorization_code" => pools.redeem_code(
            &client_id,
            request.get("code"),
            request.get("redirect_uri"),
            request.get("code_verifier"),
            &ctx,
        ),
        "refresh_token" => pools.refresh_grant(&client_id, request.get("refresh_token"), &ctx),
        "client_credentials" => pools.client_credentials(&client_id, request.get("scope"), &ctx),
        crate::user_pool::TOKEN_EXCHANGE_GRANT => pools.token_exchange_grant(
            &client_id,
            request.client_secret.as_deref(),
            |name| request.get(name),
            &ctx,
        ),
        other => Err(OAuthError::new(
            "unsupported_grant_type",
            format!("grant_type {other} is not supported"),
        )),
    }
}

/// `GET|POST /oauth2/userInfo` with `Authorization: Bearer <access token>`.
pub async fn user_info(State(shared): State<Shared>, site: Site, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(token) = bearer else {
        return oauth_error(OAuthError::new(
            "invalid_token",
            "an access token is required: Authorization: Bearer <token>",
        ));
    };
    // The token's signature is checked before the lock is taken.
    let mut ahead = crate::ahead::WorkAhead::default();
    let key = shared.user_pools().access_key_of(token);
    if let Some(key) = key {
        ahead.signatures.check_ahead(&key, token);
    }
    let ctx = crate::user_pool::Context {
        ahead: Some(&ahead),
        ..shared.context()
    };
    match shared.user_pools().user_info(token, &site.pool_id, &ctx) {
        Ok(v) => oauth_json(StatusCode::OK, v),
        Err(e) => oauth_error(e),
    }
}

/// `POST /oauth2/revoke`: revokes a refresh token (and the access tokens of
/// its session).
pub async fn revoke(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let outcome = read_client_request(query, &headers, &body).and_then(|request| {
        let mut pools = shared.user_pools_mut();
        let client_id = pools.authenticate_client(
            &site.pool_id,
            request.client_id.as_deref(),
            request.client_secret.as_deref(),
        )?;
        pools.oauth_revoke(&client_id, request.get("token"), shared.clock.unix())
    });
    match outcome {
        Ok(()) => oauth_json(StatusCode::OK, json!({})),
        Err(e) => oauth_error(e),
    }
}

/// CORS preflight for browser apps calling the token endpoints.
pub async fn preflight() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("authorization, content-type"),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("86400"));
    r
}
