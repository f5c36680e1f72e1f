//! The documents AWS serves under `.well-known`: a user pool's JWKS and
//! OpenID discovery document, and the identity pools' OpenID-token keys.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::engine::Shared;

pub(super) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

pub(super) async fn jwks(State(shared): State<Shared>, Path(pool_id): Path<String>) -> Response {
    let keys = shared.user_pools().jwks_keys(&pool_id);
    match keys {
        Some([id, access]) => {
            json_response(StatusCode::OK, json!({"keys": [id.jwk(), access.jwk()]}))
        }
        None => json_response(
            StatusCode::NOT_FOUND,
            json!({"message": format!("User pool {pool_id} does not exist.")}),
        ),
    }
}

pub(super) async fn openid_configuration(
    State(shared): State<Shared>,
    Path(pool_id): Path<String>,
) -> Response {
    let ctx = shared.context();
    match shared.user_pools().openid_configuration(&pool_id, &ctx) {
        Some(doc) => json_response(StatusCode::OK, doc),
        None => json_response(
            StatusCode::NOT_FOUND,
            json!({"message": format!("User pool {pool_id} does not exist.")}),
        ),
    }
}

/// The identity pools' OpenID-token keys (AWS serves them at
/// `https://cognito-identity.amazonaws.com/.well-known/jwks_uri`).
pub(super) async fn identity_jwks(State(shared): State<Shared>) -> Response {
    let key = shared.identity_pools().signing_key();
    json_response(StatusCode::OK, json!({"keys": [key.jwk()]}))
}
