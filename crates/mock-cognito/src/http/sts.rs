//! STS's query protocol on `POST /` (a form body, no `X-Amz-Target`).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::response::{IntoResponse, Response};

use crate::engine::Shared;

/// Handles one STS request.
pub async fn handle(State(shared): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = match Bytes::from_request(Request::from_parts(parts.clone(), body), &shared).await {
        Ok(b) => b,
        Err(rejection) => return rejection.into_response(),
    };
    crate::sts::handle(
        &shared,
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query().unwrap_or(""),
        &parts.headers,
        &body,
    )
}
