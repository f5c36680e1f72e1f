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
    let parts = crate::sts::SignedParts {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body: &body,
    };
    crate::sts::handle(&shared, &parts)
}
