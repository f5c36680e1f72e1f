//! HTTP: the thin adapter between the wire and the engine. This module is
//! the only one that knows every route; each submodule parses one kind of
//! request, calls the engine, and renders its answer.
//!
//! - [`aws_json`]: AWS JSON 1.1 on `POST /` (both Cognito services);
//! - `sts`: STS's query protocol on `POST /` with a form body;
//! - [`hosted_ui`]: the hosted UI and `/oauth2/*` of every pool domain;
//! - [`external_idp`]: the fake Facebook, Amazon, Google, Apple and OIDC
//!   providers' pages and APIs under `/idp/<provider>/`;
//! - [`well_known`]: JWKS and discovery documents;
//! - [`local`]: the loopback-only `/_mock/*` routes.
//!
//! Every response passes one layer that adds the request id and, to what
//! scripts read, CORS headers; one span per request carries its operation,
//! pool, outcome and latency.

pub(crate) mod aws_json;
pub(crate) mod external_idp;
pub(crate) mod hosted_ui;
mod local;
mod sts;
mod user_import;
mod well_known;

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use tracing::Instrument;
use tracing::field::Empty;

use crate::engine::Shared;
use crate::store::commits;

pub(crate) fn router(shared: Shared) -> Router {
    Router::new()
        .route("/", post(aws_json::handle).options(aws_json::preflight))
        // `{prefix}` is a pool id here and a domain in the hosted-UI routes:
        // one name, because the router needs one per path position.
        .route("/{prefix}/.well-known/jwks.json", get(well_known::jwks))
        .route(
            "/{prefix}/.well-known/openid-configuration",
            get(well_known::openid_configuration),
        )
        .route(
            "/_mock/clock",
            get(local::clock_now).post(local::clock_advance),
        )
        .route("/.well-known/jwks_uri", get(well_known::identity_jwks))
        .route("/{prefix}/ui/{client}/logo", get(well_known::ui_logo))
        .route("/_mock/codes", get(local::codes))
        .route("/_mock/idp/token", post(local::mint_provider_token_route))
        .route(
            "/_mock/user-import/{job}",
            put(user_import::upload).layer(DefaultBodyLimit::max(
                crate::user_pool::MAX_IMPORT_CSV_BYTES,
            )),
        )
        .merge(hosted_ui::routes())
        .merge(external_idp::routes())
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            store_changes,
        ))
        // Bodies up to twice the limit reach the handler, which answers in the
        // AWS error shape; beyond that the connection is refused outright.
        .layer(DefaultBodyLimit::max(2 * aws_json::MAX_BODY_BYTES))
        .layer(axum::middleware::map_response_with_state(
            shared.clone(),
            aws_json::common_headers,
        ))
        .layer(axum::middleware::from_fn(trace_request))
        .with_state(shared)
}

/// With a data dir: stores what the request changed before it is
/// answered, so an answer means the change is on disk. A write the data
/// dir refuses undoes the change and turns the answer into
/// InternalErrorException (an OAuth2 `server_error` on `/oauth2/*`).
async fn store_changes(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let oauth = req.uri().path().starts_with("/oauth2/");
    if !shared.is_durable() {
        return next.run(req).await;
    }
    let (response, tickets) = commits::with_tickets(next.run(req)).await;
    // Inline, like the operations' own locks: a commit without fsync
    // (WAL, synchronous = NORMAL) is tens of microseconds, less than a
    // hand-off to the blocking pool. Requests that finish meanwhile are
    // stored together by the next one to get here (group commit).
    let Err(e) = shared.persist(tickets).await else {
        return response;
    };
    tracing::error!(error = %e, "a change could not be stored; it was undone");
    let message = format!("The change was not made: {e}");
    if oauth {
        let body = serde_json::json!({"error": "server_error", "error_description": message});
        (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    } else {
        crate::error::ApiError::new("InternalErrorException", message).into_response()
    }
}

/// One span per request: method and path (never the query, which may hold
/// codes), then what the handler records (the operation, the pool or app
/// client, the error code), the status and the latency. No field ever holds a secret.
async fn trace_request(req: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = req.uri().path(),
        operation = Empty,
        pool = Empty,
        client = Empty,
        error = Empty,
        status = Empty,
        latency_ms = Empty,
    );
    let started = Instant::now();
    let response = next.run(req).instrument(span.clone()).await;
    span.record("status", response.status().as_u16());
    span.record("latency_ms", started.elapsed().as_secs_f64() * 1e3);
    span.in_scope(|| tracing::info!("answered"));
    response
}
