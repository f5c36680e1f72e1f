//! The hosted UI over HTTP: `/oauth2/authorize`, `/login`, `/logout`,
//! `/oauth2/idpresponse`, `/oauth2/token`, `/oauth2/userInfo` and
//! `/oauth2/revoke` of every pool that has a domain.
//!
//! A domain is reached two ways, so both the AWS-style URLs and a plain
//! loopback address work:
//! - by path prefix: `http://127.0.0.1:<port>/<domain>/oauth2/token`;
//! - by `Host`: `http://<domain>.localhost:<port>/oauth2/token` (names under
//!   `.localhost` resolve to this machine, RFC 6761).
//!
//! Absolute URLs (redirects, form actions) are built from the mock's own
//! endpoint, or from the `Host` the browser used when that is a loopback
//! name for this server; any other `Host` is ignored, so a forged header
//! cannot send a browser, or its password, elsewhere.
//!
//! The rules live in `user_pool::oauth`; this module parses requests,
//! renders pages, and sets cookies.

mod authorize;
pub mod pages;
mod self_service;
mod token;

pub use token::read_client_request;

use std::collections::HashMap;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cognito_wire::encoding::form_decode;
use serde_json::Value;

use crate::engine::Shared;
use crate::user_pool::OAuthError;

/// The hosted-UI routes, with and without the domain prefix.
pub fn routes() -> Router<Shared> {
    let mut router = Router::new();
    for prefix in ["/{prefix}", ""] {
        router = router
            .route(
                &format!("{prefix}/oauth2/authorize"),
                get(authorize::authorize),
            )
            .route(
                &format!("{prefix}/login"),
                get(authorize::login_page).post(authorize::login_submit),
            )
            .route(&format!("{prefix}/logout"), get(authorize::logout))
            .route(
                &format!("{prefix}/signup"),
                get(self_service::sign_up_page).post(self_service::sign_up_submit),
            )
            .route(
                &format!("{prefix}/confirm"),
                post(self_service::confirm_submit),
            )
            .route(
                &format!("{prefix}/forgotPassword"),
                get(self_service::forgot_password_page).post(self_service::forgot_password_submit),
            )
            .route(
                &format!("{prefix}/confirmForgotPassword"),
                post(self_service::confirm_forgot_password_submit),
            )
            .route(
                &format!("{prefix}/oauth2/idpresponse"),
                get(authorize::idp_response).post(authorize::idp_response_post),
            )
            .route(
                &format!("{prefix}/oauth2/token"),
                post(token::token).options(token::preflight),
            )
            .route(
                &format!("{prefix}/oauth2/userInfo"),
                get(token::user_info)
                    .post(token::user_info)
                    .options(token::preflight),
            )
            .route(
                &format!("{prefix}/oauth2/revoke"),
                post(token::revoke).options(token::preflight),
            );
    }
    router
}

/// The hosted UI's pages outside `/oauth2/`, reached by `Host` without a
/// domain prefix.
const PAGES: [&str; 6] = [
    "/login",
    "/logout",
    "/signup",
    "/confirm",
    "/forgotPassword",
    "/confirmForgotPassword",
];

/// Which pool's hosted UI a request is for, and how to address it.
#[derive(Debug, Clone)]
pub struct Site {
    /// The pool that owns it.
    pub pool_id: String,
    /// The URL the browser used for this domain, e.g.
    /// `http://127.0.0.1:4000/example` (no trailing slash).
    pub base: String,
    /// The cookie path that scopes cookies to this domain.
    pub cookie_path: String,
}

impl FromRequestParts<Shared> for Site {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Response> {
        let path = parts.uri.path();
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let by_host = path.starts_with("/oauth2/") || PAGES.contains(&path);
        let (domain, base, cookie_path) = if by_host {
            let domain = localhost_domain(host, shared)
                .unwrap_or_default()
                .to_owned();
            let base = format!("http://{domain}.localhost:{}", shared.settings.port);
            (domain, base, "/".to_owned())
        } else {
            let domain = path
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let base = format!("{}/{domain}", loopback_origin(host, shared));
            (domain.clone(), base, format!("/{domain}"))
        };
        let pool_id = shared
            .user_pools()
            .pool_of_domain(&domain)
            .map(str::to_owned);
        match pool_id {
            Some(pool_id) => Ok(Site {
                pool_id,
                base,
                cookie_path,
            }),
            None => Err(pages::error_page(
                StatusCode::NOT_FOUND,
                &format!("No user pool has the domain {domain:?}."),
            )),
        }
    }
}

/// The domain of a `Host: <domain>.localhost[:<our port>]`: the only host
/// names the mock routes by, as they always resolve to this machine. Any
/// other `Host` is not trusted to build URLs that a browser will follow.
fn localhost_domain<'a>(host: &'a str, shared: &Shared) -> Option<&'a str> {
    let (name, port) = split_host(host);
    let domain = name.strip_suffix(".localhost")?;
    let ours = port.is_none_or(|p| p == shared.settings.port);
    (ours && !domain.is_empty() && !domain.contains('.')).then_some(domain)
}

/// The origin for absolute URLs: the `Host` the browser used if it is a
/// loopback name for this server (so its cookies stay on one origin), and
/// the mock's own endpoint otherwise.
fn loopback_origin(host: &str, shared: &Shared) -> String {
    let (name, port) = split_host(host);
    let loopback = name == "localhost"
        || name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback());
    if loopback && port == Some(shared.settings.port) {
        format!("http://{host}")
    } else {
        shared.settings.endpoint.clone()
    }
}

/// `name[:port]` (with `[v6]:port` literals) → (name, port).
/// A port that is there but not a number (`host:9(29`) makes the whole
/// name unusable: `("", None)`.
fn split_host(host: &str) -> (&str, Option<u16>) {
    match host.rsplit_once(':') {
        Some((name, port))
            if !name.ends_with(':') && (!name.starts_with('[') || name.ends_with(']')) =>
        {
            match port.parse() {
                Ok(port) => (name, Some(port)),
                Err(_) => ("", None),
            }
        }
        _ => (host, None),
    }
}

/// `a=1&b=2` → map (a repeated name keeps its last value). Undecodable
/// input yields what could be read.
pub fn parse_params(raw: &str) -> HashMap<String, String> {
    form_decode(raw).into_iter().collect()
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Adds a `Set-Cookie` (HttpOnly, SameSite=Lax); `max_age` 0 deletes it.
pub fn set_cookie(response: &mut Response, name: &str, value: &str, path: &str, max_age: i64) {
    let cookie = format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// A 302 to `location`.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => {
            let mut r = StatusCode::FOUND.into_response();
            r.headers_mut().insert(header::LOCATION, v);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(_) => pages::error_page(StatusCode::BAD_REQUEST, "The redirect URL is not valid."),
    }
}

/// JSON with the headers the OAuth endpoints send (CORS, no caching).
pub fn oauth_json(status: StatusCode, body: Value) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// An OAuth error response: `{"error", "error_description"}` with its status.
pub fn oauth_error(e: OAuthError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut r = oauth_json(
        status,
        serde_json::json!({"error": e.error, "error_description": e.description}),
    );
    if e.error == "invalid_token" {
        let value = format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            e.description.replace('"', "'")
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    r
}

/// A fresh random token for cookies and CSRF.
pub fn random_token(rng: &crate::ids::Randomness) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rng.bytes(32))
}

/// Runs `work` off the async workers when Lambda triggers may run in it
/// (they block on a process, or on an HTTP call this very runtime may
/// have to serve), inline otherwise.
pub(crate) async fn off_the_workers<T: Send + 'static>(
    shared: &Shared,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    if shared.settings.triggers.is_empty() {
        return work();
    }
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
