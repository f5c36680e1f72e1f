//! Verified claims for axum handlers (feature `axum`).
//!
//! A handler that takes [`Verified<IdTokenClaims>`] (or access-token claims,
//! or [`VerifiedToken`]) runs only for requests with
//! `Authorization: Bearer <token>` that the state's [`CognitoJwtVerifier`]
//! accepts; every other request gets 401 (403 for a missing group or scope)
//! with an RFC 6750 `WWW-Authenticate` header and a JSON reason.
//!
//! ```
//! use axum::{Router, routing::get};
//! use cognito_flows::verifier::CognitoJwtVerifier;
//! use cognito_flows::verifier::axum::Verified;
//! use cognito_flows::wire::IdTokenClaims;
//!
//! async fn me(Verified(claims): Verified<IdTokenClaims>) -> String {
//!     format!("hello {}", claims.username)
//! }
//!
//! fn app(verifier: CognitoJwtVerifier) -> Router {
//!     Router::new().route("/me", get(me)).with_state(verifier)
//! }
//! ```

use std::future::Future;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cognito_wire::{AccessTokenClaims, IdTokenClaims};

use super::{CognitoJwtVerifier, VerifiedToken, VerifyError};

/// Claims a verifier can produce.
pub trait VerifiableClaims: Sized + Send {
    /// Verifies `token` into these claims.
    fn verify_with(
        verifier: &CognitoJwtVerifier,
        token: &str,
    ) -> impl Future<Output = Result<Self, VerifyError>> + Send;
}

impl VerifiableClaims for IdTokenClaims {
    fn verify_with(
        verifier: &CognitoJwtVerifier,
        token: &str,
    ) -> impl Future<Output = Result<Self, VerifyError>> + Send {
        verifier.verify_id(token)
    }
}

impl VerifiableClaims for AccessTokenClaims {
    fn verify_with(
        verifier: &CognitoJwtVerifier,
        token: &str,
    ) -> impl Future<Output = Result<Self, VerifyError>> + Send {
        verifier.verify_access(token)
    }
}

impl VerifiableClaims for VerifiedToken {
    fn verify_with(
        verifier: &CognitoJwtVerifier,
        token: &str,
    ) -> impl Future<Output = Result<Self, VerifyError>> + Send {
        verifier.verify(token)
    }
}

/// The verified claims of the request's bearer token.
#[derive(Debug, Clone)]
pub struct Verified<C>(pub C);

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// No `Authorization: Bearer …` header.
    MissingToken,
    /// The token failed verification.
    Invalid(VerifyError),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let (status, error, message) = match &self {
            Rejection::MissingToken => (
                StatusCode::UNAUTHORIZED,
                None,
                "an Authorization: Bearer token is required".to_owned(),
            ),
            Rejection::Invalid(e) if e.is_forbidden() => (
                StatusCode::FORBIDDEN,
                Some("insufficient_scope"),
                e.to_string(),
            ),
            Rejection::Invalid(e) => (
                StatusCode::UNAUTHORIZED,
                Some("invalid_token"),
                e.to_string(),
            ),
        };
        // RFC 6750 §3: no error code when the request had no token at all.
        let challenge = match error {
            Some(code) => format!(
                "Bearer error=\"{code}\", error_description=\"{}\"",
                message.replace(['"', '\\'], "'")
            ),
            None => "Bearer".to_owned(),
        };
        let body = serde_json::json!({"message": message}).to_string();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            headers.insert(header::WWW_AUTHENTICATE, v);
        }
        response
    }
}

/// The token of `Authorization: Bearer <token>` (the scheme in any case).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl<S, C> FromRequestParts<S> for Verified<C>
where
    S: Send + Sync,
    CognitoJwtVerifier: FromRef<S>,
    C: VerifiableClaims,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(Rejection::MissingToken)?;
        let verifier = CognitoJwtVerifier::from_ref(state);
        C::verify_with(&verifier, token)
            .await
            .map(Verified)
            .map_err(Rejection::Invalid)
    }
}
