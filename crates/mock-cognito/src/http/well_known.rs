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

/// The logo of a UI customization, at the ImageUrl GetUICustomization
/// gives (`client` is a client id or `ALL`).
pub(super) async fn ui_logo(
    State(shared): State<Shared>,
    Path((pool_id, client)): Path<(String, String)>,
) -> Response {
    match shared.user_pools().ui_logo(&pool_id, &client) {
        Some(image) => {
            let kind = if image.starts_with(b"\x89PNG") {
                "image/png"
            } else if image.starts_with(&[0xff, 0xd8]) {
                "image/jpeg"
            } else {
                "application/octet-stream"
            };
            ([(axum::http::header::CONTENT_TYPE, kind)], image).into_response()
        }
        None => json_response(
            StatusCode::NOT_FOUND,
            json!({"message": "No such UI customization image"}),
        ),
    }
}

/// The identity pools' OpenID-token keys (AWS serves them at
/// `https://cognito-identity.amazonaws.com/.well-known/jwks_uri`).
pub(super) async fn identity_jwks(State(shared): State<Shared>) -> Response {
    let key = shared.identity_pools().signing_key();
    json_response(StatusCode::OK, json!({"keys": [key.jwk()]}))
}
