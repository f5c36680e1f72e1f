//! The fake providers over HTTP, under `/idp/<provider>/`:
//!
//! | path | what |
//! |---|---|
//! | `authorize` (GET, POST) | the sign-in page; `response_type` `code`, `token` or `id_token` |
//! | `token` (POST) | `authorization_code` grant, client secret by Basic or form |
//! | `userinfo`, `me`, `user/profile` | the profile for an access token (OIDC, Facebook Graph, Login with Amazon shapes) |
//! | `debug_token` | Facebook's token inspection with an app token `<app id>\|<secret>` |
//! | `jwks`, `.well-known/openid-configuration` | keys and discovery for ID-token providers |
//!
//! `<provider>` is `facebook`, `amazon`, `google`, `apple`, or an OIDC
//! issuer's host.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use cognito_wire::encoding::with_params;
use serde_json::json;

use crate::engine::Shared;
use crate::external_idp::login_key;
use crate::http::hosted_ui::pages;
use crate::http::hosted_ui::{oauth_error, oauth_json, parse_params, redirect};
use crate::user_pool::OAuthError;

/// The fake providers' routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/idp/{provider}/authorize",
            get(authorize_page).post(authorize_submit),
        )
        .route("/idp/{provider}/token", post(token))
        .route("/idp/{provider}/userinfo", get(user_info).post(user_info))
        .route("/idp/{provider}/me", get(user_info))
        .route("/idp/{provider}/user/profile", get(user_info))
        .route("/idp/{provider}/debug_token", get(debug_token))
        .route("/idp/{provider}/jwks", get(jwks))
        .route(
            "/idp/{provider}/.well-known/openid-configuration",
            get(discovery),
        )
}

fn title(slug: &str) -> String {
    match slug {
        "facebook" => "Facebook".to_owned(),
        "amazon" => "Login with Amazon".to_owned(),
        "google" => "Google".to_owned(),
        "apple" => "Sign in with Apple".to_owned(),
        host => format!("OpenID Connect: {host}"),
    }
}

/// The request parameters a sign-in page carries from GET to POST.
const CARRIED: [&str; 7] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "response_mode",
];

/// Checks the app and redirect URI before showing or answering the page;
/// returns the error page when they are wrong.
fn check_request(shared: &Shared, slug: &str, q: &HashMap<String, String>) -> Option<Response> {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    if !shared.providers().has_app(slug, get("client_id")) {
        return Some(pages::error_page(
            StatusCode::BAD_REQUEST,
            &format!(
                "{}: invalid app id {:?}. Register the app (a user-pool identity provider or the seed file's provider_apps) first.",
                title(slug),
                get("client_id")
            ),
        ));
    }
    if !crate::url_rules::is_allowed_redirect(get("redirect_uri")) {
        return Some(pages::error_page(
            StatusCode::BAD_REQUEST,
            &format!("{}: redirect_uri is not a valid URL", title(slug)),
        ));
    }
    if !matches!(
        get("response_type"),
        "code" | "token" | "id_token" | "token id_token" | "id_token token"
    ) {
        return Some(pages::error_page(
            StatusCode::BAD_REQUEST,
            &format!(
                "{}: response_type must be code, token or id_token",
                title(slug)
            ),
        ));
    }
    None
}

fn render(slug: &str, q: &HashMap<String, String>, error: Option<&str>) -> Response {
    let carried: Vec<(&str, &str)> = CARRIED
        .iter()
        .filter_map(|k| q.get(*k).map(|v| (*k, v.as_str())))
        .collect();
    pages::provider_sign_in(
        &title(slug),
        &format!("/idp/{slug}/authorize"),
        &carried,
        error,
    )
}

/// `GET /idp/<provider>/authorize`: the provider's sign-in page.
async fn authorize_page(
    State(shared): State<Shared>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let q = parse_params(&query.unwrap_or_default());
    if let Some(page) = check_request(&shared, &slug, &q) {
        return page;
    }
    render(&slug, &q, None)
}

/// `POST /idp/<provider>/authorize`: checks the password, then redirects
/// with a code (or, for `token` / `id_token`, tokens in the fragment).
async fn authorize_submit(
    State(shared): State<Shared>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Response {
    let form = parse_params(&String::from_utf8_lossy(&body));
    if let Some(page) = check_request(&shared, &slug, &form) {
        return page;
    }
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let now = shared.clock.unix();
    let mut providers = shared.providers_mut();
    let Some(subject) = providers
        .sign_in(&slug, get("email"), get("pass"))
        .map(|u| u.subject.clone())
    else {
        drop(providers);
        return render(
            &slug,
            &form,
            Some("The email or password you entered is incorrect."),
        );
    };
    let nonce = form.get("nonce").map(String::as_str);
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let sep = if get("response_type") == "code" {
        let code = providers.issue_code(
            &slug,
            get("client_id"),
            get("redirect_uri"),
            &subject,
            nonce,
            now,
        );
        pairs.push(("code", code));
        '?'
    } else {
        let Some(tokens) = providers.issue_tokens(&slug, get("client_id"), &subject, nonce, now)
        else {
            return pages::error_page(StatusCode::BAD_REQUEST, "the user no longer exists");
        };
        let kinds: Vec<&str> = get("response_type").split_whitespace().collect();
        if kinds.contains(&"token") {
            pairs.push(("access_token", tokens.access_token.clone()));
            pairs.push(("token_type", "bearer".to_owned()));
        }
        if kinds.contains(&"id_token")
            && let Some(id) = tokens.id_token
        {
            pairs.push(("id_token", id));
        }
        pairs.push(("expires_in", tokens.expires_in.to_string()));
        '#'
    };
    if let Some(s) = form.get("state") {
        pairs.push(("state", s.clone()));
    }
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if get("response_mode") == "form_post" {
        // Sign in with Apple posts the answer to the redirect URI.
        let body = format!(
            "<p>Signing you in…</p><form method=\"post\" action=\"{}\" id=\"form_post\">{}<button type=\"submit\">Continue</button></form>\
             <script>document.getElementById('form_post').submit()</script>",
            pages::escape(get("redirect_uri")),
            pages::hidden(&borrowed)
        );
        return pages::page(StatusCode::OK, &title(&slug), &body);
    }
    redirect(&with_params(get("redirect_uri"), sep, &borrowed))
}

/// `POST /idp/<provider>/token`.
async fn token(
    State(shared): State<Shared>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = match crate::http::hosted_ui::read_client_request(query, &headers, &body) {
        Ok(r) => r,
        Err(e) => return oauth_error(e),
    };
    if request.get("grant_type") != Some("authorization_code") {
        return oauth_error(OAuthError::new(
            "unsupported_grant_type",
            "this provider supports grant_type=authorization_code",
        ));
    }
    let now = shared.clock.unix();
    let redeemed = shared.providers_mut().redeem_code(
        &slug,
        request.get("code").unwrap_or_default(),
        request.client_id.as_deref().unwrap_or_default(),
        request.client_secret.as_deref(),
        request.get("redirect_uri").unwrap_or_default(),
        now,
    );
    match redeemed {
        Ok(tokens) => oauth_json(StatusCode::OK, tokens.to_json()),
        Err(e) => oauth_error(e),
    }
}

/// The profile behind an access token (`Authorization: Bearer` or an
/// `access_token` parameter, as the Graph API takes it).
async fn user_info(
    State(shared): State<Shared>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let q = parse_params(&query.unwrap_or_default());
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
        .or_else(|| q.get("access_token").cloned())
        .unwrap_or_default();
    let now = shared.clock.unix();
    match shared.providers().user_info(&slug, &token, now) {
        Some(profile) => oauth_json(StatusCode::OK, profile),
        None if slug == "facebook" => oauth_json(
            StatusCode::BAD_REQUEST,
            json!({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}),
        ),
        None => oauth_error(OAuthError::new(
            "invalid_token",
            "the access token is not valid",
        )),
    }
}

/// `GET /idp/facebook/debug_token?input_token=…&access_token=<app id>|<secret>`.
async fn debug_token(
    State(shared): State<Shared>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let q = parse_params(&query.unwrap_or_default());
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let now = shared.clock.unix();
    let answer = (slug == "facebook")
        .then(|| {
            shared
                .providers()
                .debug_token(get("input_token"), get("access_token"), now)
        })
        .flatten();
    match answer {
        Some(v) => oauth_json(StatusCode::OK, v),
        None => oauth_json(
            StatusCode::BAD_REQUEST,
            json!({"error": {"message": "Invalid app access token.", "type": "OAuthException", "code": 190}}),
        ),
    }
}

fn id_token_provider(slug: &str) -> bool {
    !matches!(slug, "facebook" | "amazon")
}

async fn jwks(State(shared): State<Shared>, Path(slug): Path<String>) -> Response {
    if !id_token_provider(&slug) {
        return oauth_error(OAuthError::new(
            "invalid_request",
            "this provider issues no ID tokens",
        ));
    }
    let key = shared.providers_mut().jwks_key(&slug);
    oauth_json(StatusCode::OK, json!({"keys": [key.jwk()]}))
}

async fn discovery(State(shared): State<Shared>, Path(slug): Path<String>) -> Response {
    if !id_token_provider(&slug) {
        return oauth_error(OAuthError::new(
            "invalid_request",
            "this provider is not an OpenID provider",
        ));
    }
    let base = format!("{}/idp/{slug}", shared.settings.endpoint);
    oauth_json(
        StatusCode::OK,
        json!({
            "issuer": format!("https://{}", login_key(&slug)),
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "userinfo_endpoint": format!("{base}/userinfo"),
            "jwks_uri": format!("{base}/jwks"),
            "response_types_supported": ["code", "id_token", "token id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        }),
    )
}
