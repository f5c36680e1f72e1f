//! The loopback-only routes under `/_mock/`: the clock, the codes outbox,
//! and minting fake-provider tokens. They move time and reveal secrets, so
//! they answer loopback clients only.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::well_known::json_response;
use crate::engine::Shared;

/// The admin routes answer loopback callers only: they can move time and
/// read verification codes.
fn refuse_remote(peer: SocketAddr) -> Option<Response> {
    // On a dual-stack `[::]` listener an IPv4 client shows as
    // `::ffff:127.0.0.1`: compare the canonical address.
    (!peer.ip().to_canonical().is_loopback()).then(|| {
        json_response(
            StatusCode::FORBIDDEN,
            json!({"message": "the /_mock routes answer loopback clients only"}),
        )
    })
}

pub(super) async fn clock_now(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(shared): State<Shared>,
) -> Response {
    if let Some(refusal) = refuse_remote(peer) {
        return refusal;
    }
    json_response(StatusCode::OK, json!({"now": shared.clock.unix()}))
}

pub(super) async fn clock_advance(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(shared): State<Shared>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refusal) = refuse_remote(peer) {
        return refusal;
    }
    let seconds = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["advance_seconds"].as_u64());
    let Some(seconds) = seconds else {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"message": "body must be {\"advance_seconds\": <non-negative integer>}"}),
        );
    };
    match shared.clock.try_advance(Duration::from_secs(seconds)) {
        Ok(now) => json_response(StatusCode::OK, json!({"now": now})),
        Err(e) => json_response(StatusCode::BAD_REQUEST, json!({"message": e.to_string()})),
    }
}

/// The longest lifetime `/_mock/idp/token` mints: a year.
const MAX_PROVIDER_TOKEN_TTL_SECS: i64 = 366 * 86_400;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MintRequest {
    provider: String,
    audience: String,
    subject: String,
    #[serde(default)]
    claims: Value,
    ttl_seconds: Option<i64>,
}

/// `POST /_mock/idp/token`: the test helper for external-provider tokens
/// (see [`MockCognito::mint_provider_token`]), for tests in other languages.
pub(super) async fn mint_provider_token_route(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(shared): State<Shared>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refusal) = refuse_remote(peer) {
        return refusal;
    }
    let request: MintRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({"message": format!("body must be {{provider, audience, subject[, claims, ttl_seconds]}}: {e}")}),
            );
        }
    };
    let now = shared.clock.unix();
    let ttl = request.ttl_seconds.unwrap_or(3600);
    // A real provider's tokens live minutes to days; a lifetime past what
    // the clock can show (or none at all) is a mistake in the request.
    if !(1..=MAX_PROVIDER_TOKEN_TTL_SECS).contains(&ttl) {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"message": format!("ttl_seconds must be between 1 and {MAX_PROVIDER_TOKEN_TTL_SECS} (a year)")}),
        );
    }
    let minted = shared.providers_mut().mint(
        &request.provider,
        &request.audience,
        &request.subject,
        request.claims,
        ttl,
        now,
    );
    match minted {
        Ok(token) => json_response(StatusCode::OK, json!({"token": token})),
        Err(e) => json_response(StatusCode::BAD_REQUEST, json!({"message": e.message})),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct CodesQuery {
    user_pool_id: Option<String>,
    username: Option<String>,
}

pub(super) async fn codes(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(shared): State<Shared>,
    Query(q): Query<CodesQuery>,
) -> Response {
    if let Some(refusal) = refuse_remote(peer) {
        return refusal;
    }
    let codes = shared.user_pools().codes(
        q.user_pool_id.as_deref(),
        q.username.as_deref(),
        shared.clock.unix(),
    );
    json_response(StatusCode::OK, json!({"codes": codes}))
}
